import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One period of the `/big` body: byte i is `(i * 31 + 7) & 0xff`. */
const PATTERN = Uint8Array.from({ length: 256 }, (_, i) => (i * 31 + 7) & 0xff);

/** A request the local server received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A real HTTP server on 127.0.0.1 that records what reaches it. */
export interface LocalServer {
  port: number;
  /** `http://127.0.0.1:<port>` (or without the port when it is 80). */
  origin: string;
  received: ReceivedRequest[];
  /** Connections open right now that carried a request to `/hang`. */
  openHangingSockets(): number;
  /** Connections accepted so far (also those that never sent a request, such as a TLS handshake). */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 (`port` 0 = any free port). Routes: `/redirect?to=<url>` (and any
 * path ending in `/redirect`) answers 302 to `<url>`, or `?status=` (301, 303, 307, 308); `/loop` redirects to itself; `/hang` never answers; `/big?bytes=<n>` answers n bytes; anything else
 * answers 200 `ok <method> <url>`.
 * @throws the listen error (e.g. EACCES for a port the process may not bind)
 */
export async function startLocalServer(port = 0): Promise<LocalServer> {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const url = new URL(request.url ?? '/', 'http://local');
    request.resume();
    if (url.pathname === '/loop') {
      response.writeHead(302, { location: '/loop' }).end();
    } else if (url.pathname === '/redirect' || url.pathname.endsWith('/redirect')) {
      const status = Number(url.searchParams.get('status') ?? 302);
      response.writeHead(status, { location: url.searchParams.get('to') ?? '/' }).end(`redirect to ${url.searchParams.get('to')}`);
    } else if (url.pathname === '/hang') {
      // Never answers: the client must give up (or be made to).
      hanging.add(request.socket);
      request.socket.on('close', () => hanging.delete(request.socket));
    } else if (url.pathname === '/big') {
      // Filled natively: a JavaScript loop here would block the event loop the test measures.
      const body = Buffer.alloc(Number(url.searchParams.get('bytes')), PATTERN);
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${request.method} ${request.url}`);
    }
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  return {
    port: bound,
    origin: bound === 80 ? 'http://127.0.0.1' : `http://127.0.0.1:${bound}`,
    received,
    openHangingSockets: () => hanging.size,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Waits until `condition` holds or `ms` pass; returns whether it held. */
export async function eventually(condition: () => boolean, ms = 3_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

/** The longest time the event loop was blocked while `work` ran (a 5 ms ticker's largest gap). */
export async function longestBlock(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(ticker);
  }
  return Math.max(longest, performance.now() - last);
}
