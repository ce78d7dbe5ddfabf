import { join } from 'node:path';
import type { HostLogger } from '../services/logger.js';
import { type SyncGuestResolver, type SyncWebSocketBridge, webSocketBridge, type WebSocketBridgeOptions } from '../services/sync-transport/web-socket-bridge.js';
import type { WasiRunner } from '../services/wasi-runner.js';
import { FilePluginSecretStore, FilePluginStorage } from './file-stores.js';
import { type NodeWasiRunnerOptions, nodeWasiRunner } from './node-wasi-runner.js';

/** The storage folder under the data folder, as the Rust CLI and desktop app name it (`.diaryx/plugin-state`). */
export const PLUGIN_STATE_FOLDER = 'plugin-state';
/** The secrets folder under the data folder, as the Rust CLI names it (`.diaryx/plugin-secrets`). */
export const PLUGIN_SECRETS_FOLDER = 'plugin-secrets';

/** Options of {@link nodeHostServices}. */
export interface NodeHostServicesOptions {
  /**
   * The plugins that receive the sync transport's callbacks (usually
   * `syncTransportGuests(() => plugins)`): given, `ws` is a {@link webSocketBridge}.
   */
  guests?: SyncGuestResolver;
  /** Where the services report failures (at warn). */
  logger?: HostLogger;
  /** Options of the WASI runner. */
  wasi?: NodeWasiRunnerOptions;
  /** Options of the WebSocket bridge, e.g. `{ WebSocket }` of the `ws` package to send pings. */
  webSocket?: Omit<WebSocketBridgeOptions, 'guests' | 'logger'>;
}

/** The services {@link nodeHostServices} makes: spread them into `createHostContext`. */
export interface NodeHostServices {
  storage: FilePluginStorage;
  secrets: FilePluginSecretStore;
  wasi: WasiRunner;
  /** Present when `guests` was given. */
  ws?: SyncWebSocketBridge;
}

/**
 * The services the Rust host ships beside its no-ops, for a Node app with a data folder: plugin
 * storage in `<dataDir>/plugin-state/<key>.bin`, secrets in `<dataDir>/plugin-secrets/<key>.secret`
 * (see {@link FilePluginStorage}), the WASI runner ({@link nodeWasiRunner}) and, given `guests`,
 * the sync transport's WebSocket bridge ({@link webSocketBridge}). With `<workspace>/.diaryx` as
 * the data folder, plugins keep the data the Rust CLI and desktop app stored there (the desktop
 * app keeps secrets in the system's credential store instead: move them to files, or pass
 * your own `secrets`).
 *
 * @example
 * let plugins: LoadedPlugin[] = [];
 * const host = createHostContext({
 *   fs: nodeWorkspaceFs(workspace),
 *   ...nodeHostServices(join(workspace, '.diaryx'), { guests: syncTransportGuests(() => plugins) }),
 * });
 */
export function nodeHostServices(dataDir: string, options: NodeHostServicesOptions = {}): NodeHostServices {
  const logger = options.logger === undefined ? {} : { logger: options.logger };
  return {
    storage: new FilePluginStorage(join(dataDir, PLUGIN_STATE_FOLDER), logger),
    secrets: new FilePluginSecretStore(join(dataDir, PLUGIN_SECRETS_FOLDER), logger),
    wasi: nodeWasiRunner(options.wasi),
    ...(options.guests === undefined ? {} : { ws: webSocketBridge({ ...options.webSocket, guests: options.guests, ...logger }) }),
  };
}
