import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type HostContext, lockPluginId, protectPluginPaths } from '@diaryx/host-fns';
import { PluginLoadError, toError } from '../errors.js';
import { isFresh, readManifestCache, writeManifestCache } from './manifest-cache.js';
import { LoadedPlugin } from '../loaded-plugin.js';
import { callGuestManifest, validateManifest } from '../load-steps.js';
import { type LoaderOptions, type ResolvedLoaderOptions, resolveLoaderOptions } from '../options.js';
import type { GuestManifest } from '../protocol/types.js';
import { instantiateGuest, type InstantiatedGuest } from '../runtime/instantiate.js';
import { loadConfig, writeConfigFile } from './config-file.js';
import { loadRacePoint } from './load-race-points.js';
import { isMissingFileError } from './missing-file.js';
import { fileSource, type WasmFileInfo } from './module-file.js';
import { removeStaleTempFiles } from './stale-temp-files.js';

/** A plugin folder that failed to load, and why. */
export interface PluginLoadFailure {
  /** The plugin's folder. */
  dir: string;
  error: PluginLoadError;
}

/** The outcome of a plugins-folder scan: what loaded, and what did not. */
export interface LoadPluginsResult {
  plugins: LoadedPlugin[];
  failures: PluginLoadFailure[];
}

/** Folders loaded at the same time (worker start-up overlaps well on two cores). */
const CONCURRENCY = 4;

interface PluginFolder {
  folder: string;
  /** The stat of its plugin.wasm. */
  wasm: WasmFileInfo;
}

async function pluginFolders(dir: string): Promise<PluginFolder[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const cause = toError(error);
    throw new PluginLoadError('read_dir', dir, `Failed to read plugins directory: ${dir}: ${cause.message}`, { cause });
  }
  // Sorted for a deterministic order (Rust takes directory order).
  const sorted = entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found = await Promise.all(
    sorted.map(async (entry): Promise<PluginFolder | null> => {
      const folder = join(dir, entry.name);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(folder).catch(() => null))?.isDirectory());
      if (!isDir) return null;
      const wasm = await stat(join(folder, 'plugin.wasm'), { bigint: true }).catch(() => null);
      return wasm?.isFile() ? { folder, wasm } : null;
    }),
  );
  return found.filter((f): f is PluginFolder => f !== null);
}

/** The cached manifest, or null when the cache vanished after it was found fresh (another host replacing it). */
async function manifestFromCache(cachePath: string, name: string): Promise<GuestManifest | null> {
  try {
    return await readManifestCache(cachePath);
  } catch (error) {
    if (isMissingFileError(error)) return null;
    if (error instanceof SyntaxError || (error as Error).name === 'ProtocolShapeError') {
      // A fresh but corrupt cache fails the plugin, as in Rust (no fallback to the guest).
      throw corruptCacheError(error, name, cachePath);
    }
    const cause = toError(error);
    throw new PluginLoadError('read_dir', name, `Failed to read plugins directory: ${cachePath}: ${cause.message}`, { cause });
  }
}

async function manifestFromGuest(
  guest: InstantiatedGuest,
  cachePath: string,
  name: string,
  options: ResolvedLoaderOptions,
): Promise<GuestManifest> {
  const manifest = await callGuestManifest(guest, name, options.manifestTimeoutMs);
  // Written before validation, as in Rust, so an incompatible plugin still gets its cache.
  await writeManifestCache(cachePath, manifest).catch((error: unknown) =>
    options.logger.debug(`Plugin '${name}': could not write manifest cache: ${toError(error).message}`),
  );
  return manifest;
}

function corruptCacheError(error: unknown, name: string, cachePath: string): PluginLoadError {
  const cause = toError(error);
  return new PluginLoadError(
    'manifest_parse',
    name,
    `Failed to parse manifest from plugin '${name}': ${cachePath}: ${cause.message} ` +
      '(delete manifest.json to have it rebuilt from the plugin)',
    { cause },
  );
}

/** Loads one plugin folder (§7.3). */
async function loadPluginFolder({ folder, wasm }: PluginFolder, host: HostContext, options: ResolvedLoaderOptions): Promise<LoadedPlugin> {
  const name = folderName(folder);
  await loadRacePoint('scanned', folder);
  const cachePath = join(folder, 'manifest.json');
  const configPath = join(folder, 'config.json');
  for (const target of [cachePath, configPath]) await removeStaleTempFiles(target, options.logger);
  const cache = await stat(cachePath, { bigint: true }).catch(() => null);
  const fresh = isFresh(cache?.mtimeNs ?? null, wasm.mtimeNs);
  // With a fresh manifest cache the guest is not needed to load: start it on its first call.
  const guest = await instantiateGuest(fileSource(join(folder, 'plugin.wasm'), options, wasm), name, host, options, { lazy: fresh });
  try {
    if (fresh) await loadRacePoint('manifest-read', cachePath);
    const cached = fresh ? await manifestFromCache(cachePath, name) : null;
    const manifest = cached ?? (await manifestFromGuest(guest, cachePath, name, options));
    validateManifest(manifest, name, options.appVersion);
    lockPluginId(guest.state, manifest.id);
    const { config, warnings } = await loadConfig(configPath, name, options.logger);
    options.logger.info(`Loaded extism plugin: ${manifest.name} (${manifest.id})`);
    const saveConfig = (next: unknown) => writeConfigFile(configPath, next);
    return new LoadedPlugin({ guest, manifest, config, configPath, saveConfig, warnings, options });
  } catch (error) {
    await guest.instance.close().catch(() => undefined);
    throw error;
  }
}


/**
 * Whether a folder still holds its `plugin.wasm`. One whose wasm (or the folder itself) vanished
 * between the scan and the read, removed by another host or an uninstall, is absent: neither a
 * plugin nor a failure.
 */
async function stillAPlugin(folder: string): Promise<boolean> {
  const wasm = await stat(join(folder, 'plugin.wasm')).catch(() => null);
  return wasm?.isFile() ?? false;
}

function folderName(folder: string): string {
  return folder.split(/[\\/]/).pop() ?? folder;
}

/**
 * Kit decision D20: storage, secrets and permissions are keyed by id, so two loaded plugins must
 * never share one. Where several folders declare an id, the folder named after the id owns it and
 * the others are refused; when none is, every one of them is (a squatter that sorts first must
 * not take the id). Refused plugins are closed; returns their failures by outcome index.
 */
async function refuseDuplicateIds(
  outcomes: ReadonlyArray<LoadedPlugin | PluginLoadFailure | null>,
  folders: readonly PluginFolder[],
  options: ResolvedLoaderOptions,
): Promise<Map<number, PluginLoadFailure>> {
  const indexesOfId = new Map<string, number[]>();
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome instanceof LoadedPlugin) indexesOfId.set(outcome.id, [...(indexesOfId.get(outcome.id) ?? []), index]);
  }
  const refused = new Map<number, PluginLoadFailure>();
  for (const [id, indexes] of indexesOfId) {
    if (indexes.length < 2) continue;
    const all = indexes.map((i) => folders[i]!.folder);
    const owner = indexes.find((i) => folderName(folders[i]!.folder) === id);
    for (const index of indexes) {
      if (index === owner) continue;
      const { folder } = folders[index]!;
      const message =
        owner === undefined
          ? `Plugin folders ${all.join(', ')} all declare the id '${id}' and none of them is named '${id}', so every one ` +
            `is refused (plugin ids must be unique). Keep one: name its folder '${id}', or remove the others.`
          : `Plugin folder ${folder} declares the id '${id}', which belongs to the folder named after it, ` +
            `${folders[owner]!.folder}; plugin ids must be unique. Remove ${folder}.`;
      const error = new PluginLoadError('duplicate_id', folderName(folder), message);
      options.logger.warn(error.message);
      refused.set(index, { dir: folder, error });
      await (outcomes[index] as LoadedPlugin).close();
    }
  }
  return refused;
}

/**
 * Scans a plugins folder (§7.2): every sub-folder holding `plugin.wasm` is loaded; one bad
 * plugin never stops the others and is returned in `failures` (and logged at warn). Loading
 * calls no lifecycle export: call `init` yourself. A plugin whose `manifest.json` cache is fresh
 * is validated from the cache and its instance (and worker) starts on its first call; a
 * failure to start then fails that call. Temporary files that interrupted saves left in a plugin
 * folder (`config.json.<pid>.<hex>.tmp`, same for manifest.json) are removed once their process is gone.
 * Another host may load the same folder at once: a file that vanishes between the scan and the
 * read means "absent" for that plugin and never fails it (a removed `plugin.wasm`: the plugin is
 * left out; a removed `manifest.json`: the manifest comes from the plugin; a `config.json` moved
 * aside by the other host: an empty config).
 * The folder is added to the host's protected plugin folders (kit decision D21): guests cannot
 * write into it when it lies inside the workspace, however the two paths are spelled.
 *
 * @example
 * const { plugins, failures } = await loadPluginsFromDir('.diaryx/plugins', host);
 * for (const f of failures) console.warn(f.dir, f.error.kind, f.error.message);
 * @throws PluginLoadError `read_dir` when the folder cannot be read
 */
export async function loadPluginsFromDir(dir: string, host: HostContext, options: LoaderOptions = {}): Promise<LoadPluginsResult> {
  const resolved = resolveLoaderOptions(options);
  protectPluginPaths(host, 'dir', [resolve(dir)]);
  const folders = await pluginFolders(dir);
  // null: the folder stopped being a plugin folder during the load (see stillAPlugin).
  const outcomes: Array<LoadedPlugin | PluginLoadFailure | null> = new Array(folders.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < folders.length) {
      const index = next++;
      const pluginFolder = folders[index]!;
      const { folder } = pluginFolder;
      try {
        outcomes[index] = await loadPluginFolder(pluginFolder, host, resolved);
      } catch (error) {
        if (!(await stillAPlugin(folder))) {
          resolved.logger.debug(`Plugin folder ${folder} lost its plugin.wasm during the load (another process removed it); skipped`);
          continue;
        }
        const loadError =
          error instanceof PluginLoadError
            ? error
            : new PluginLoadError('plugin_create', folder, `Failed to load plugin from ${folder}: ${toError(error).message}`, { cause: error });
        resolved.logger.warn(`Failed to load plugin from ${folder}: ${loadError.message}`);
        outcomes[index] = { dir: folder, error: loadError };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, folders.length) }, worker));
  const refused = await refuseDuplicateIds(outcomes, folders, resolved);
  const plugins: LoadedPlugin[] = [];
  const failures: PluginLoadFailure[] = [];
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome === null) continue;
    if (!(outcome instanceof LoadedPlugin)) failures.push(outcome);
    else if (refused.has(index)) failures.push(refused.get(index)!);
    else plugins.push(outcome);
  }
  return { plugins, failures };
}
