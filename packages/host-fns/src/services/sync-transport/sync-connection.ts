import type { HostLogger } from '../logger.js';
import { errorMessage } from '../../util/error-message.js';
import { encodeUtf8 } from '../../util/utf8.js';
import { type WsConnect, syncUrl } from './ws-requests.js';

/**
 * The part of a WebSocket the bridge uses: the platform's `WebSocket` (browsers, Node 22+) fits,
 * and so does the `ws` package's client, whose `ping()` the bridge then uses.
 */
export interface BridgeSocket {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** `message` events carry the frame in `data`: a string, or (with `binaryType` `arraybuffer`) an ArrayBuffer. */
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: object) => void): void;
  /** Sends a ping frame, where the socket can (the `ws` package's client; not the platform's). */
  ping?(): void;
}

/** A WebSocket class: `new (url) → socket`. */
export type BridgeSocketConstructor = new (url: string) => BridgeSocket;

/** The plugin a connection calls back (see `SyncGuestResolver`). */
export interface SyncGuest {
  /** Calls the guest export `exportName` with these bytes; rejects when the call fails. */
  callGuest(exportName: string, input: Uint8Array): Promise<unknown>;
}

/** What a connection needs from its bridge. */
export interface SyncConnectionDeps {
  pluginId: string;
  /** The guest to call back now, or null (it went away). */
  guest(): SyncGuest | null | undefined;
  WebSocket: BridgeSocketConstructor;
  logger: HostLogger;
  pingIntervalMs: number;
  reconnectDelayMs(attempt: number): number;
}

type Outgoing = string | Uint8Array;
const OPEN = 1;

/**
 * One plugin's sync connection (§9.3), Rust's worker loop: connect; on open call `on_connected`
 * with `{"workspace_id":…,"write_to_disk":…}`, then send what was queued; binary frames go to
 * `handle_binary_message`, text frames to `handle_text_message`; when the connection ends (or
 * connecting fails) call `on_disconnected` with empty input, then reconnect after
 * round(1000 × 1.5^(attempt−1)) ms, at most 30 s (the attempt count restarts after a successful
 * connect). Sends while not connected are queued. `disconnect` stops everything. An error of
 * `handle_*_message` or `on_disconnected` stops reconnecting (one of `on_connected` is only logged).
 * Guest callbacks run one at a time, in the order of the events.
 */
export class SyncConnection {
  readonly #request: WsConnect;
  readonly #deps: SyncConnectionDeps;
  /** Commands not sent yet, in order. */
  readonly #pending: Outgoing[] = [];
  /** How many of them a reconnect wait already took (Rust's `queued_commands`). */
  #taken = 0;
  #socket: BridgeSocket | null = null;
  /** True once `on_connected` has returned and the queue was sent: sends then go out at once. */
  #ready = false;
  #attempt = 0;
  #reconnect = true;
  /** Set when a message callback failed. */
  #failed = false;
  #stopped = false;
  #waiting: ReturnType<typeof setTimeout> | null = null;
  #ping: ReturnType<typeof setInterval> | null = null;
  #callbacks: Promise<void> = Promise.resolve();

  constructor(request: WsConnect, deps: SyncConnectionDeps) {
    this.#request = request;
    this.#deps = deps;
  }

  /** True once the connection will do nothing more. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Starts connecting. */
  start(): void {
    this.#connect();
  }

  /** Sends a frame now, or queues it until connected. */
  send(data: Outgoing): void {
    if (this.#stopped) return;
    if (this.#ready && this.#socket !== null && this.#socket.readyState === OPEN) {
      this.#transmit(this.#socket, data);
      return;
    }
    this.#pending.push(data);
    // Rust's wait for the next attempt also ends when a command arrives: it is queued and the
    // bridge connects again at once.
    if (this.#waiting !== null) this.#wakeForCommand();
  }

  /** Stops everything: closes the socket (then `on_disconnected`), or cancels a pending reconnect. */
  disconnect(): void {
    if (this.#stopped) return;
    this.#reconnect = false;
    if (this.#waiting !== null) {
      clearTimeout(this.#waiting);
      this.#waiting = null;
      this.#stop();
      return;
    }
    this.#socket?.close(1000);
  }

  #connect(): void {
    this.#waiting = null;
    if (this.#stopped) return;
    let url: string;
    try {
      url = syncUrl(this.#request);
    } catch (error) {
      this.#warn(`Invalid sync websocket URL: ${errorMessage(error)}`);
      this.#stop();
      return;
    }
    let socket: BridgeSocket;
    try {
      socket = new this.#deps.WebSocket(url);
    } catch (error) {
      this.#warn(`Failed to connect sync websocket: ${errorMessage(error)}`);
      this.#afterConnection();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    let ended = false;
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      this.#opened(socket);
    });
    socket.addEventListener('message', (event) => this.#received(socket, (event as { data?: unknown }).data));
    const end = () => {
      if (ended) return;
      ended = true;
      // (Named without its query, which holds the auth token.)
      if (!opened) this.#warn(`Failed to connect sync websocket: ${url.split('?')[0]} could not be opened`);
      this.#closed(socket);
    };
    // An error ends the connection too: Node 22's WebSocket fires only `error` (no `close`) when
    // the handshake is refused, and calling its close() then fires `error` again, recursively
    // (measured: a stack overflow). So the socket is closed only if it was open, and only once.
    socket.addEventListener('error', () => {
      if (ended) return;
      const wasOpen = socket.readyState === OPEN;
      end();
      if (!wasOpen) return;
      try {
        socket.close();
      } catch {
        // already closing
      }
    });
    socket.addEventListener('close', end);
  }

  #opened(socket: BridgeSocket): void {
    this.#attempt = 0;
    const payload = JSON.stringify({ workspace_id: this.#request.workspaceId, write_to_disk: this.#request.writeToDisk ?? true });
    this.#queue(async () => {
      try {
        await this.#callGuest('on_connected', encodeUtf8(payload));
      } catch (error) {
        this.#warn(`Failed to notify guest of websocket connect: ${errorMessage(error)}`);
      }
      if (this.#socket !== socket || socket.readyState !== OPEN) return;
      for (const data of this.#pending.splice(0)) this.#transmit(socket, data);
      this.#taken = 0;
      this.#ready = true;
      if (this.#deps.pingIntervalMs > 0 && typeof socket.ping === 'function') {
        this.#ping = setInterval(() => {
          try {
            socket.ping?.();
          } catch {
            socket.close();
          }
        }, this.#deps.pingIntervalMs);
        (this.#ping as { unref?: () => void }).unref?.();
      }
    });
  }

  #received(socket: BridgeSocket, data: unknown): void {
    const text = typeof data === 'string';
    const bytes = text ? encodeUtf8(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    if (bytes === null) return;
    const exportName = text ? 'handle_text_message' : 'handle_binary_message';
    this.#queue(async () => {
      // After a failed callback the connection is ending: the frames still queued are dropped.
      if (this.#failed || this.#stopped) return;
      try {
        await this.#callGuest(exportName, bytes);
      } catch (error) {
        this.#warn(`Failed to forward ${text ? 'text' : 'binary'} sync frame to guest: ${errorMessage(error)}`);
        this.#failed = true;
        this.#reconnect = false;
        // (The WebSocket API lets a client send only 1000 or 3000–4999.)
        socket.close(4000, 'guest callback failed');
      }
    });
  }

  #closed(socket: BridgeSocket): void {
    if (this.#ping !== null) clearInterval(this.#ping);
    this.#ping = null;
    if (this.#socket === socket) {
      this.#socket = null;
      this.#ready = false;
    }
    this.#afterConnection();
  }

  /** After a connection ended or an attempt failed: `on_disconnected`, then wait and reconnect. */
  #afterConnection(): void {
    this.#queue(async () => {
      try {
        await this.#callGuest('on_disconnected', new Uint8Array(0));
      } catch (error) {
        this.#warn(`Failed to notify guest of websocket disconnect: ${errorMessage(error)}`);
        this.#reconnect = false;
      }
      if (!this.#reconnect) {
        this.#stop();
        return;
      }
      this.#attempt += 1;
      if (this.#pending.length > this.#taken) {
        this.#wakeForCommand();
        return;
      }
      this.#waiting = setTimeout(() => this.#connect(), this.#deps.reconnectDelayMs(this.#attempt));
    });
  }

  #wakeForCommand(): void {
    if (this.#waiting !== null) clearTimeout(this.#waiting);
    this.#taken += 1;
    this.#connect();
  }

  #transmit(socket: BridgeSocket, data: Outgoing): void {
    try {
      socket.send(data);
    } catch {
      socket.close();
    }
  }

  #callGuest(exportName: string, input: Uint8Array): Promise<unknown> {
    const guest = this.#deps.guest();
    if (!guest) return Promise.reject(new Error('Sync guest callback is unavailable'));
    return guest.callGuest(exportName, input);
  }

  #queue(task: () => Promise<void>): void {
    this.#callbacks = this.#callbacks.then(task).catch((error: unknown) => this.#warn(`sync connection error: ${errorMessage(error)}`));
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#reconnect = false;
    if (this.#ping !== null) clearInterval(this.#ping);
    this.#ping = null;
    this.#pending.length = 0;
  }

  #warn(message: string): void {
    this.#deps.logger.warn(`plugin '${this.#deps.pluginId}': ${message}`);
  }
}
