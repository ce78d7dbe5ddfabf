// Reading a plugin's manifest for tooling (§7.8), from any module source: the guest is
// instantiated with every host function and a deny-all host, `manifest` is called and parsed.
// Version and id problems are only warned about; nothing is written, no `init` is called.
import { createHostContext, denyAll } from '@diaryx/host-fns';
import { callGuestManifest, idProblem, versionProblem } from '../load-steps.js';
import { type LoaderOptions, resolveLoaderOptions } from '../options.js';
import { bytesSource, type ModuleSource } from '../runtime/compile-module.js';
import { instantiateGuest } from '../runtime/instantiate.js';
import type { GuestManifest } from './types.js';

/** @internal The manifest of the module `source` gives, read as {@link inspectPluginManifestFromBytes} says. */
export async function inspectManifest(source: ModuleSource, name: string, options: LoaderOptions): Promise<GuestManifest> {
  const resolved = resolveLoaderOptions(options);
  const guest = await instantiateGuest(source, name, createHostContext({ permissions: denyAll, logger: resolved.logger }), resolved);
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

/**
 * Reads a plugin's manifest from its bytes, for tooling (a build command checking what it built,
 * a web page showing a plugin before installing it): the guest runs with every host function
 * and a deny-all host, and only its `manifest` export is called. An invalid id and protocol or
 * app-version mismatches are only warned about (through `options.logger`).
 *
 * @example
 * const manifest = await inspectPluginManifestFromBytes(bytes, { logger });
 * console.log(checkManifestElements(manifest));
 * @throws PluginLoadError `plugin_create`, `manifest_call` or `manifest_parse`
 */
export function inspectPluginManifestFromBytes(wasm: Uint8Array, options: LoaderOptions & { name?: string } = {}): Promise<GuestManifest> {
  return inspectManifest(bytesSource(wasm), options.name ?? 'plugin', options);
}
