import { createHostContext, denyAll } from '@diaryx/host-fns';
import { callGuestManifest, idProblem, versionProblem } from '../load-steps.js';
import { fileStem } from './load-plugin.js';
import { type LoaderOptions, resolveLoaderOptions } from '../options.js';
import type { GuestManifest } from '../protocol/types.js';
import { instantiateGuest } from '../runtime/instantiate.js';
import { fileSource } from './module-file.js';

/**
 * Reads a plugin's manifest for tooling and CI (§7.8): instantiates it with every host function
 * and a deny-all host, calls `manifest`, and returns it. An invalid id and protocol or app-version
 * mismatches are
 * only warned about (through `options.logger`). Writes no cache, reads no config, calls no `init`.
 *
 * @example
 * const manifest = await inspectPluginWasmManifest('build/plugin.wasm');
 * @throws PluginLoadError `plugin_create`, `manifest_call` or `manifest_parse`
 */
export async function inspectPluginWasmManifest(wasmPath: string, options: LoaderOptions = {}): Promise<GuestManifest> {
  const resolved = resolveLoaderOptions(options);
  const name = fileStem(wasmPath);
  const guest = await instantiateGuest(fileSource(wasmPath, resolved), name, createHostContext({ permissions: denyAll, logger: resolved.logger }), resolved);
  try {
    const manifest = await callGuestManifest(guest, name, resolved.manifestTimeoutMs);
    for (const problem of [idProblem(manifest, name), versionProblem(manifest, name, resolved.appVersion)]) {
      if (problem) resolved.logger.warn(problem.message);
    }
    return manifest;
  } finally {
    await guest.instance.close().catch(() => undefined);
  }
}
