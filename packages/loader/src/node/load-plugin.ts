import { basename, dirname, extname, join, resolve } from 'node:path';
import { type HostContext, protectPluginPaths } from '@diaryx/host-fns';
import { toError } from '../errors.js';
import { LoadedPlugin } from '../loaded-plugin.js';
import { startGuest } from '../load-steps.js';
import { type LoadPluginOptions, resolveLoaderOptions } from '../options.js';
import { bytesSource } from '../runtime/compile-module.js';
import { loadConfig, writeConfigFile } from './config-file.js';
import { writeManifestCache } from './manifest-cache.js';
import { fileSource } from './module-file.js';
import { removeStaleTempFiles } from './stale-temp-files.js';

/** Rust's file stem: the file name without its last extension ("unknown" when empty). */
export function fileStem(path: string): string {
  const base = basename(path);
  const stem = base.slice(0, base.length - extname(base).length);
  return stem === '' ? 'unknown' : stem;
}

/**
 * Loads one plugin from a wasm file or bytes (Rust `load_plugin_from_wasm`, §7.7): the guest's
 * `manifest` is always called (no cache read), versions are validated, then for a file the
 * manifest cache is written next to it. The config comes from `options.configPath`, else the
 * `config.json` next to the file; wasm given as bytes keeps its config as
 * {@link loadPluginFromBytes} does. The wasm file, its `manifest.json` and the config file are
 * added to the host's protected files (kit decision D21), as is every workspace's `.diaryx/plugins`.
 *
 * @example
 * const plugin = await loadPlugin('plugins/word-count/plugin.wasm', createHostContext({ permissions: allowAll }));
 * const response = await plugin.handleCommand('word-count', { path: 'notes/a.md' });
 * @throws PluginLoadError
 */
export async function loadPlugin(
  wasm: string | Uint8Array,
  host: HostContext,
  options: LoadPluginOptions = {},
): Promise<LoadedPlugin> {
  const resolved = resolveLoaderOptions(options);
  const path = typeof wasm === 'string' ? wasm : null;
  const name = options.name ?? (path === null ? 'plugin' : fileStem(path));
  const configPath = options.configPath ?? (path === null ? null : join(dirname(path), 'config.json'));
  const targets = [path === null ? null : join(dirname(path), 'manifest.json'), configPath];
  // Kit decision D21: the plugin's own files are no guest's to change (before any guest code runs).
  protectPluginPaths(host, 'file', [path, ...targets].filter((p): p is string => p !== null).map((p) => resolve(p)));
  for (const target of targets) if (target !== null) await removeStaleTempFiles(target, resolved.logger);
  const { guest, manifest } = await startGuest(path === null ? bytesSource(wasm as Uint8Array, resolved) : fileSource(path, resolved), name, host, resolved);
  try {
    if (path !== null) {
      await writeManifestCache(join(dirname(path), 'manifest.json'), manifest).catch((error: unknown) =>
        resolved.logger.debug(`Plugin '${name}': could not write manifest cache: ${toError(error).message}`),
      );
    }
    if (configPath === null) {
      const saveConfig = options.saveConfig ?? null;
      return new LoadedPlugin({ guest, manifest, config: options.config ?? {}, configPath, saveConfig, warnings: [], options: resolved });
    }
    const { config, warnings } = await loadConfig(configPath, name, resolved.logger);
    const saveConfig = (next: unknown) => writeConfigFile(configPath, next);
    return new LoadedPlugin({ guest, manifest, config, configPath, saveConfig, warnings, options: resolved });
  } catch (error) {
    await guest.instance.close().catch(() => undefined);
    throw error;
  }
}
