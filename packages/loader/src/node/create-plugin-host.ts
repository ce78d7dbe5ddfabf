import { type HostContext, nodeHostServices, noopPluginStorage, noopSecretStore, noopWebSocketBridge, syncTransportGuests } from '@diaryx/host-fns';
import { type CreatePluginHostOptions, hostOptions, sourceCatalogs } from '../host/create-plugin-host.js';
import { PluginHost } from '../host/plugin-host.js';
import type { LoadedPlugin } from '../loaded-plugin.js';
import { folderCatalog } from './folder-catalog.js';

/** Options of `createPluginHost` in Node. */
export interface NodePluginHostOptions extends CreatePluginHostOptions {
  /**
   * A plugins folder (`<workspace>/.diaryx/plugins`): every sub-folder holding `plugin.wasm` is a
   * plugin, loaded with the scan's rules (folder names, `manifest.json` cache, `config.json`,
   * duplicate ids), after the `plugins` sources. Guests may not write into it (kit decision D21).
   */
  pluginsDir?: string;
  /**
   * A data folder (`<workspace>/.diaryx`, where the Rust CLI and desktop app keep theirs): the
   * services `host` leaves at their defaults come from `nodeHostServices(dataDir)`: plugin
   * storage in `<dataDir>/plugin-state`, secrets in `<dataDir>/plugin-secrets`, the WASI runner,
   * and the sync transport's WebSocket bridge calling back this host's plugins (its connections
   * end with `shutdown`). A service the app set in `host` is kept.
   */
  dataDir?: string;
}

/** Fills the services `host` left at their defaults from `nodeHostServices(dataDir)`; returns what to close at shutdown. */
function useDataDir(host: HostContext, dataDir: string, plugins: () => LoadedPlugin[], options: NodePluginHostOptions): (() => void) | undefined {
  const services = nodeHostServices(dataDir, { guests: syncTransportGuests(plugins), ...(options.logger ? { logger: options.logger } : {}) });
  if (host.storage === noopPluginStorage) host.storage = services.storage;
  if (host.secrets === noopSecretStore) host.secrets = services.secrets;
  if (host.wasi === null) host.wasi = services.wasi;
  if (host.ws !== noopWebSocketBridge || services.ws === undefined) return undefined;
  const bridge = services.ws;
  host.ws = bridge;
  return () => bridge.close();
}

/**
 * The app's side of the plugins in one object (see {@link PluginHost}), from a plugins folder
 * and/or sources of bytes, with the services of a data folder. Nothing is loaded until `load()`.
 *
 * @example
 * const plugins = createPluginHost({ pluginsDir: join(workspace, '.diaryx/plugins'), dataDir: join(workspace, '.diaryx'), host, workspaceRoot: workspace });
 * plugins.addEventListener('failed', (event) => console.warn(event.detail.error.userMessage));
 * await plugins.load();
 * await using watcher = watchWorkspace(workspace, plugins);
 */
export function createPluginHost(options: NodePluginHostOptions): PluginHost {
  const { pluginsDir, dataDir, ...rest } = options;
  const catalogs = [...sourceCatalogs(rest), ...(pluginsDir === undefined ? [] : [folderCatalog(pluginsDir, options.host)])];
  let host: PluginHost | null = null;
  const running = () => (host === null ? [] : [...host.plugins.values()].flatMap((p) => (p.plugin ? [p.plugin] : [])));
  const afterShutdown = dataDir === undefined ? undefined : useDataDir(options.host, dataDir, running, options);
  host = new PluginHost({ options: hostOptions(rest), catalogs, ...(afterShutdown ? { afterShutdown } : {}) });
  return host;
}
