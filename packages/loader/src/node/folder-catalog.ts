import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { HostContext } from '@diaryx/host-fns';
import { PluginLoadError, toError } from '../errors.js';
import { type CatalogOutcome, type PluginCatalog, refuseTakenId } from '../host/plugin-catalog.js';
import { loadPluginFolder, loadPluginsFromDir, pluginFolders } from './load-plugins-from-dir.js';

/**
 * @internal A plugins folder as a plugin host's catalog: its first load is the scan
 * (`loadPluginsFromDir`, with the scan's duplicate-id rule), later ones load the folders the
 * host does not know yet, one by one against the ids it holds.
 */
export function folderCatalog(pluginsDir: string, host: HostContext): PluginCatalog {
  const root = resolve(pluginsDir);
  let scanned = false;
  return {
    async loadNew(known, taken, options) {
      const outcomes: CatalogOutcome[] = [];
      if (!scanned) {
        const { plugins, failures } = await loadPluginsFromDir(root, host, options);
        scanned = true;
        for (const plugin of plugins) {
          const origin = plugin.dir!;
          try {
            await refuseTakenId(plugin, basename(origin), origin, taken);
            outcomes.push({ origin, name: basename(origin), plugin });
          } catch (error) {
            outcomes.push({ origin, name: basename(origin), error: error as PluginLoadError });
          }
        }
        for (const { dir, error } of failures) outcomes.push({ origin: resolve(dir), name: basename(dir), error });
        // In the scan's (name) order, as the plugins would have loaded one by one.
        return outcomes.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
      }
      const held = new Map(taken);
      for (const { folder } of await pluginFolders(root)) {
        const origin = resolve(folder);
        if (known.has(origin)) continue;
        try {
          const plugin = await loadPluginFolder(origin, host, { ...options, takenIds: held });
          held.set(plugin.id, origin);
          outcomes.push({ origin, name: basename(origin), plugin });
        } catch (error) {
          const loadError = error instanceof PluginLoadError ? error : new PluginLoadError('plugin_create', basename(origin), toError(error).message, { cause: error });
          outcomes.push({ origin, name: basename(origin), error: loadError });
        }
      }
      return outcomes;
    },
    async originOf(idOrFolder) {
      // A folder's path (or its plugin.wasm's), or a folder name in the plugins folder.
      let candidate = isAbsolute(idOrFolder) || idOrFolder.includes('/') || idOrFolder.includes('\\') ? resolve(idOrFolder) : join(root, idOrFolder);
      if (basename(candidate) === 'plugin.wasm') candidate = dirname(candidate);
      if (dirname(candidate) !== root) return null;
      return (await stat(candidate).catch(() => null))?.isDirectory() ? candidate : null;
    },
    loadOne: (origin, taken, options) => loadPluginFolder(origin, host, { ...options, takenIds: taken }),
  };
}
