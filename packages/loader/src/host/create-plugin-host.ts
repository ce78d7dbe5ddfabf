import { type PluginCatalog, type PluginSource, sourceCatalog } from './plugin-catalog.js';
import { PluginHost, type PluginHostOptions } from './plugin-host.js';

/** Options of the portable `createPluginHost`. */
export interface CreatePluginHostOptions extends PluginHostOptions {
  /** The plugins, from their bytes (fetched, or read from the app's store), loaded in this order. */
  plugins?: readonly PluginSource[];
}

/** @internal The catalog of the app's sources, when it gave any. */
export function sourceCatalogs(options: CreatePluginHostOptions): PluginCatalog[] {
  return options.plugins && options.plugins.length > 0 ? [sourceCatalog(options.plugins, options.host)] : [];
}

/** @internal The options a host takes, without those its entry consumed. */
export function hostOptions<T extends CreatePluginHostOptions>(options: T): PluginHostOptions {
  const { plugins: _plugins, ...rest } = options;
  return rest;
}

/**
 * The app's side of the plugins in one object (see {@link PluginHost}), in any JavaScript runtime:
 * the plugins come from their bytes. Nothing is loaded until `load()`.
 *
 * @example
 * const plugins = createPluginHost({
 *   host: createHostContext({ fs: memoryWorkspaceFs(notes), permissions }),
 *   plugins: [{ name: 'acme.wordcount', wasm: () => fetch('/plugins/word-count.wasm').then(async (r) => new Uint8Array(await r.arrayBuffer())) }],
 * });
 * plugins.addEventListener('crashed', (event) => showToast(event.detail.error.userMessage));
 * await plugins.load();
 * await plugins.broadcast(guestEvents.fileSaved('notes/today.md'));
 */
export function createPluginHost(options: CreatePluginHostOptions): PluginHost {
  return new PluginHost({ options: hostOptions(options), catalogs: sourceCatalogs(options) });
}
