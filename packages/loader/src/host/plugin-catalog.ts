import type { HostContext } from '@diaryx/host-fns';
import { PluginLoadError, toError } from '../errors.js';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';
import type { LoadedPlugin } from '../loaded-plugin.js';
import type { LoaderOptions } from '../options.js';

/** One plugin a host loads from bytes (a web app's plugins, or any app's own store). */
export interface PluginSource {
  /**
   * The plugin's name until its manifest is read, and what `reload` and `unload` accept for it
   * (besides its id). By convention the plugin's id.
   */
  name: string;
  /** The module, or a function that fetches it (called at every load and reload, so a reload gets the new bytes). */
  wasm: Uint8Array | (() => Promise<Uint8Array>);
  /** The starting config (e.g. read from the app's own store); default `{}`. */
  config?: unknown;
  /** Persists a config given to `setConfig` (default: the config lives in memory only). */
  saveConfig?: (config: unknown) => Promise<void>;
}

/** One load of a catalog: the plugin, or why it failed. */
export type CatalogOutcome = { origin: string; name: string } & ({ plugin: LoadedPlugin; error?: undefined } | { plugin?: undefined; error: PluginLoadError });

/** @internal Where a plugin host's plugins come from: a plugins folder (Node), the app's sources. */
export interface PluginCatalog {
  /** Loads every plugin whose origin is not in `known`, refusing ids in `taken` (id → origin). */
  loadNew(known: ReadonlySet<string>, taken: ReadonlyMap<string, string>, options: LoaderOptions): Promise<CatalogOutcome[]>;
  /** The origin `idOrFolder` names (a folder path or name, a source name), or null when it names none of this catalog's. */
  originOf(idOrFolder: string): Promise<string | null>;
  /** Loads one origin again. @throws PluginLoadError */
  loadOne(origin: string, taken: ReadonlyMap<string, string>, options: LoaderOptions): Promise<LoadedPlugin>;
}

/**
 * Closes a plugin whose id another loaded plugin holds and throws `duplicate_id` (kit decision
 * D20, for loads one at a time: the plugin already loaded keeps its id).
 * @throws PluginLoadError `duplicate_id`
 */
export async function refuseTakenId(plugin: LoadedPlugin, name: string, origin: string, taken: ReadonlyMap<string, string> | ReadonlySet<string> | undefined): Promise<void> {
  if (!taken?.has(plugin.id)) return;
  await plugin.close();
  const holder = taken instanceof Map ? (taken.get(plugin.id) as string | undefined) : undefined;
  throw new PluginLoadError(
    'duplicate_id',
    name,
    `Plugin ${origin} declares the id '${plugin.id}', which ${holder === undefined ? 'another loaded plugin' : `the plugin loaded from ${holder}`} ` +
      'already holds; plugin ids must be unique. Change the id in the manifest, or remove one of the two plugins.',
    { details: { id: plugin.id, folders: holder === undefined ? [origin] : [holder, origin], owner: holder ?? null } },
  );
}

function asLoadError(error: unknown, name: string): PluginLoadError {
  if (error instanceof PluginLoadError) return error;
  const cause = toError(error);
  return new PluginLoadError('plugin_create', name, `Failed to load plugin '${name}': ${cause.message}`, { cause, details: { problem: cause.message } });
}

/** @internal A catalog of the app's {@link PluginSource}s, loaded one at a time in the order given. */
export function sourceCatalog(sources: readonly PluginSource[], host: HostContext): PluginCatalog {
  const byName = new Map(sources.map((source) => [source.name, source]));
  const loadSource = async (source: PluginSource, taken: ReadonlyMap<string, string>, options: LoaderOptions): Promise<LoadedPlugin> => {
    let bytes: Uint8Array;
    try {
      bytes = typeof source.wasm === 'function' ? await source.wasm() : source.wasm;
    } catch (error) {
      const cause = toError(error);
      throw new PluginLoadError('read_dir', source.name, `Failed to read plugin '${source.name}': ${cause.message}`, { cause, details: { path: source.name } });
    }
    const plugin = await loadPluginFromBytes(bytes, host, {
      ...options,
      name: source.name,
      ...(source.config === undefined ? {} : { config: source.config }),
      ...(source.saveConfig === undefined ? {} : { saveConfig: source.saveConfig }),
    });
    await refuseTakenId(plugin, source.name, `source '${source.name}'`, taken);
    return plugin;
  };
  return {
    async loadNew(known, taken, options) {
      const outcomes: CatalogOutcome[] = [];
      const held = new Map(taken);
      for (const source of sources) {
        if (known.has(source.name)) continue;
        try {
          const plugin = await loadSource(source, held, options);
          held.set(plugin.id, source.name);
          outcomes.push({ origin: source.name, name: source.name, plugin });
        } catch (error) {
          outcomes.push({ origin: source.name, name: source.name, error: asLoadError(error, source.name) });
        }
      }
      return outcomes;
    },
    originOf: async (idOrFolder) => (byName.has(idOrFolder) ? idOrFolder : null),
    async loadOne(origin, taken, options) {
      const source = byName.get(origin);
      if (source === undefined) throw new PluginLoadError('read_dir', origin, `No plugin source is named '${origin}'`, { details: { path: origin } });
      try {
        return await loadSource(source, taken, options);
      } catch (error) {
        throw asLoadError(error, source.name);
      }
    },
  };
}
