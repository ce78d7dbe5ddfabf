import { type HostLogger, silentLogger } from '../logger.js';
import type { WebSocketBridge } from '../ws-bridge.js';
import { type BridgeSocketConstructor, SyncConnection, type SyncGuest } from './sync-connection.js';
import { connectionKey, parseWsRequest, WS_OK } from './ws-requests.js';

/** Rust's ping interval of the sync connection: 30 s. */
export const SYNC_PING_INTERVAL_MS = 30_000;

/** Rust's reconnect delay before attempt `attempt` (1, 2, …): round(1000 × 1.5^(attempt−1)) ms, at most 30 s. */
export function syncReconnectDelayMs(attempt: number): number {
  return Math.min(30_000, Math.round(1000 * 1.5 ** (attempt - 1)));
}

/** Finds the plugin that receives a connection's callbacks, by plugin id (see {@link syncTransportGuests}). */
export type SyncGuestResolver = (pluginId: string) => SyncGuest | null | undefined;

/** Options of {@link webSocketBridge}. */
export interface WebSocketBridgeOptions {
  /**
   * The plugin to call back for a plugin id: `on_connected`, `handle_binary_message`,
   * `handle_text_message`, `on_disconnected`. Asked at every callback (the bridge keeps no
   * plugin alive); a plugin it has no guest for cannot connect. Use {@link syncTransportGuests}.
   */
  guests: SyncGuestResolver;
  /** The WebSocket class. Default: the platform's `WebSocket` (browsers, Node 22+). */
  WebSocket?: BridgeSocketConstructor;
  /** Where connection failures and callback errors are reported (at warn). Default: nowhere. */
  logger?: HostLogger;
  /**
   * Ping interval in ms (default 30 000, as Rust). Only a socket with a `ping()` method (the `ws`
   * package's client) can send ping frames: the platform `WebSocket` cannot, and sends none.
   * Both answer the server's pings. 0 = never.
   */
  pingIntervalMs?: number;
  /** The wait before reconnect attempt n (default {@link syncReconnectDelayMs}, Rust's backoff). */
  reconnectDelayMs?: (attempt: number) => number;
}

/** A {@link WebSocketBridge} that keeps real connections; see {@link webSocketBridge}. */
export interface SyncWebSocketBridge extends WebSocketBridge {
  /** Disconnects every plugin (as their `disconnect` requests would): for the app's shutdown. */
  close(): void;
  /** Whether the plugin has a connection that has not stopped (connected, connecting or waiting to reconnect). */
  isActive(pluginId: string): boolean;
}

/**
 * The sync transport's WebSocket bridge (protocol §9.3, Rust's `TokioWebSocketBridge`), portable:
 * it runs on the platform `WebSocket`. It answers `host_ws_request`:
 * - `{"type":"connect","server_url","workspace_id","auth_token"?,"session_code"?,"write_to_disk"?}`
 *   connects to `<server base>/sync2?workspace_id=…[&token=…][&session=…]`; the same request
 *   again (same connection key) while the connection is alive does nothing;
 * - `{"type":"send_binary","data":<base64>}` and `{"type":"send_text","text"}` send a frame
 *   (queued while connecting or waiting to reconnect);
 * - `{"type":"disconnect"}` stops everything.
 *
 * Every success answers `{"ok":true}`; errors fail the guest's call: `Invalid ws request: …`,
 * `Invalid websocket payload: …`, `WebSocket bridge is not connected`, `WebSocket bridge channel
 * is closed` (the connection stopped by itself). The connection calls the guest back through
 * `guests` (see {@link SyncConnection} for the callbacks, pings and the reconnect backoff).
 *
 * Kit: each plugin has its own connection (Rust keeps one per host), and a plugin `guests` does
 * not know (not loaded, or without the `sync_transport` capability) cannot connect. A `connect`
 * after the connection stopped by itself starts it again (Rust keeps the dead one).
 *
 * @example
 * let plugins: LoadedPlugin[] = [];
 * const ws = webSocketBridge({ guests: syncTransportGuests(() => plugins) });
 * const host = createHostContext({ ws });
 * ({ plugins } = await loadPluginsFromDir(dir, host));
 */
export function webSocketBridge(options: WebSocketBridgeOptions): SyncWebSocketBridge {
  const connections = new Map<string, { key: string; connection: SyncConnection }>();
  const logger = options.logger ?? silentLogger;
  const socketClass = (): BridgeSocketConstructor => {
    const platform = options.WebSocket ?? (globalThis as { WebSocket?: BridgeSocketConstructor }).WebSocket;
    if (!platform) throw new Error('WebSocket bridge: this runtime has no WebSocket; pass the WebSocket option (for example the ws package\'s class)');
    return platform;
  };

  const disconnect = (pluginId: string) => {
    const current = connections.get(pluginId);
    connections.delete(pluginId);
    current?.connection.disconnect();
  };

  return {
    request(text: string, pluginId: string): string {
      const request = parseWsRequest(text);
      const current = connections.get(pluginId);
      switch (request.type) {
        case 'connect': {
          const key = connectionKey(request);
          if (current && current.key === key && !current.connection.stopped) return WS_OK;
          if (!options.guests(pluginId)) {
            throw new Error(
              `WebSocket bridge: plugin '${pluginId}' cannot receive sync callbacks (it is not loaded, or does not declare the sync_transport capability)`,
            );
          }
          const WebSocket = socketClass();
          disconnect(pluginId);
          const connection: SyncConnection = new SyncConnection(request, {
            pluginId,
            guest: () => options.guests(pluginId),
            WebSocket,
            logger,
            pingIntervalMs: options.pingIntervalMs ?? SYNC_PING_INTERVAL_MS,
            reconnectDelayMs: options.reconnectDelayMs ?? syncReconnectDelayMs,
          });
          connections.set(pluginId, { key, connection });
          connection.start();
          return WS_OK;
        }
        case 'send_binary':
        case 'send_text': {
          if (!current) throw new Error('WebSocket bridge is not connected');
          if (current.connection.stopped) throw new Error('WebSocket bridge channel is closed');
          current.connection.send(request.type === 'send_text' ? request.text : request.data);
          return WS_OK;
        }
        case 'disconnect':
          disconnect(pluginId);
          return WS_OK;
      }
    },
    close() {
      for (const pluginId of [...connections.keys()]) disconnect(pluginId);
    },
    isActive(pluginId) {
      const current = connections.get(pluginId);
      return current !== undefined && !current.connection.stopped;
    },
  };
}

/** The part of a loaded plugin {@link syncTransportGuests} needs (`@diaryx/loader`'s `LoadedPlugin` fits). */
export interface SyncTransportPlugin {
  readonly id: string;
  readonly manifest: { readonly capabilities: readonly string[] };
  call(exportName: string, input: Uint8Array): Promise<unknown>;
}

/**
 * Wires the bridge to the loaded plugins with the `sync_transport` capability (§9.3): the guest
 * of a plugin id is that plugin, found in `plugins()` at each callback, if it declares the
 * capability. Its callbacks queue behind the plugin's other calls, as every call of a plugin does.
 */
export function syncTransportGuests(plugins: () => Iterable<SyncTransportPlugin>): SyncGuestResolver {
  return (pluginId) => {
    for (const plugin of plugins()) {
      if (plugin.id === pluginId && plugin.manifest.capabilities.includes('sync_transport')) {
        return { callGuest: (exportName, input) => plugin.call(exportName, input) };
      }
    }
    return null;
  };
}
