import { type CreatePluginHostOptions, hostOptions, sourceCatalogs } from '../host/create-plugin-host.js';
import { PluginHost } from '../host/plugin-host.js';
import { folderCatalog } from './folder-catalog.js';

/** Options of `createPluginHost` in Node. */
export interface NodePluginHostOptions extends CreatePluginHostOptions {
  /**
   * A plugins folder (`<workspace>/.diaryx/plugins`): every sub-folder holding `plugin.wasm` is a
   * plugin, loaded with the scan's rules (folder names, `manifest.json` cache, `config.json`,
   * duplicate ids), after the `plugins` sources. Guests may not write into it (kit decision D21).
   */
  pluginsDir?: string;
}

/**
 * The app's side of the plugins in one object (see {@link PluginHost}), from a plugins folder
 * and/or sources of bytes. Nothing is loaded until `load()`.
 *
 * @example
 * const plugins = createPluginHost({ pluginsDir: join(workspace, '.diaryx/plugins'), host, workspaceRoot: workspace });
 * plugins.addEventListener('failed', (event) => console.warn(event.detail.error.userMessage));
 * await plugins.load();
 * await using watcher = watchWorkspace(workspace, plugins);
 */
export function createPluginHost(options: NodePluginHostOptions): PluginHost {
  const { pluginsDir, ...rest } = options;
  const catalogs = [...sourceCatalogs(rest), ...(pluginsDir === undefined ? [] : [folderCatalog(pluginsDir, options.host)])];
  return new PluginHost({ options: hostOptions(rest), catalogs });
}
