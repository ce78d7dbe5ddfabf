import { basename, dirname, extname, join } from 'node:path';
import { type HostContext, lockPluginId } from '@diaryx/host-fns';
import { toError } from './errors.js';
import { writeManifestCache } from './files/manifest-cache.js';
import { LoadedPlugin } from './loaded-plugin.js';
import { callGuestManifest, loadConfig, validateVersions } from './load-steps.js';
import { type LoadPluginOptions, resolveLoaderOptions } from './options.js';
import { instantiateGuest } from './runtime/instantiate.js';

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
 * `config.json` next to the file; wasm given as bytes keeps its config in memory.
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
  const guest = await instantiateGuest(path === null ? (wasm as Uint8Array) : { path }, name, host, resolved);
  try {
    const manifest = await callGuestManifest(guest, name, resolved.manifestTimeoutMs);
    validateVersions(manifest, name, resolved.appVersion);
    lockPluginId(guest.state, manifest.id);
    if (path !== null) {
      await writeManifestCache(join(dirname(path), 'manifest.json'), manifest).catch((error: unknown) =>
        resolved.logger.debug(`Plugin '${name}': could not write manifest cache: ${toError(error).message}`),
      );
    }
    const configPath = options.configPath ?? (path === null ? null : join(dirname(path), 'config.json'));
    const { config, warnings } =
      configPath === null ? { config: options.config ?? {}, warnings: [] } : await loadConfig(configPath, name, resolved.logger);
    return new LoadedPlugin({ guest, manifest, config, configPath, warnings, options: resolved });
  } catch (error) {
    await guest.instance.close().catch(() => undefined);
    throw error;
  }
}
