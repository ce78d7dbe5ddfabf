import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** A frame a {@link TestWsServer} received. */
export type ReceivedFrame = { text: string } | { binary: number[] };

/** One connection the server accepted. */
export interface ServerConnection {
  /** The request's path and query, e.g. `/sync2?workspace_id=w`. */
  readonly url: string;
  /** The frames received so far, in order. */
  readonly frames: ReceivedFrame[];
  /** Ping frames received so far. */
  readonly pings: { count: number };
  /** Resolves when the client has closed (or the connection broke). */
  readonly closed: Promise<void>;
  sendText(text: string): void;
  sendBinary(bytes: Uint8Array): void;
  /** Closes this connection from the server's side. */
  close(): void;
  /** Waits until `count` frames have arrived (rejects after `timeoutMs`). */
  waitForFrames(count: number, timeoutMs?: number): Promise<ReceivedFrame[]>;
}

/** A real WebSocket server on 127.0.0.1 (the `ws` package) for tests. */
export interface TestWsServer {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  /** Every connection attempt (accepted or refused), as `Date.now()` times. */
  readonly attempts: number[];
  /** The accepted connections, in order. */
  readonly connections: ServerConnection[];
  /** Refuse the next `count` upgrade requests with HTTP 503. */
  refuseNext(count: number): void;
  /** Waits for the `index`-th accepted connection (0-based; rejects after `timeoutMs`). */
  connection(index: number, timeoutMs?: number): Promise<ServerConnection>;
  /** Waits until `count` attempts were made (rejects after `timeoutMs`). */
  waitForAttempts(count: number, timeoutMs?: number): Promise<number[]>;
  close(): Promise<void>;
}

function until<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`test WebSocket server: timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

function wrap(socket: WebSocket, url: string): ServerConnection {
  const frames: ReceivedFrame[] = [];
  const pings = { count: 0 };
  socket.on('message', (data, isBinary) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    frames.push(isBinary ? { binary: [...bytes] } : { text: bytes.toString('utf8') });
  });
  socket.on('ping', () => void pings.count++);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    url,
    frames,
    pings,
    closed,
    sendText: (text) => socket.send(text, { binary: false }),
    sendBinary: (bytes) => socket.send(bytes, { binary: true }),
    close: () => socket.close(1000),
    waitForFrames: (count, timeoutMs = 5_000) => until(() => (frames.length >= count ? frames.slice() : undefined), `${count} frames`, timeoutMs),
  };
}

/** Starts a {@link TestWsServer} on a free port. */
export async function startWsServer(): Promise<TestWsServer> {
  let refusals = 0;
  const attempts: number[] = [];
  const connections: ServerConnection[] = [];
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (_info, done) => {
      attempts.push(Date.now());
      if (refusals > 0) {
        refusals--;
        done(false, 503, 'refused by the test');
      } else done(true);
    },
  });
  server.on('connection', (socket, request) => connections.push(wrap(socket, request.url ?? '')));
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    attempts,
    connections,
    refuseNext: (count) => void (refusals = count),
    connection: (index, timeoutMs = 5_000) => until(() => connections[index], `connection #${index}`, timeoutMs),
    waitForAttempts: (count, timeoutMs = 5_000) => until(() => (attempts.length >= count ? attempts.slice() : undefined), `${count} attempts`, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

export { WebSocket as WsClient } from 'ws';
