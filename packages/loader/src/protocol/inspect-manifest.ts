// Reading a plugin's manifest for tooling (§7.8), from any module source: the guest is
// instantiated with every host function and a deny-all host, `manifest` is called and parsed.
// Version and id problems are only warned about; nothing is written, no `init` is called.
import { createHostContext, denyAll } from '@diaryx/host-fns';
import { callGuestManifest, idProblem, versionProblem } from '../load-steps.js';
import { type LoaderOptions, resolveLoaderOptions } from '../options.js';
import { bytesSource, type ModuleBudget, type ModuleSource } from '../runtime/compile-module.js';
import { instantiateGuest } from '../runtime/instantiate.js';
import { checkManifestElements } from './manifest-elements.js';
import type { GuestManifest } from './types.js';
import { DEFAULT_APP_VERSION } from './versions.js';

/** @internal The manifest of the module `source` gives, read as {@link inspectPluginManifestFromBytes} says. */
export async function inspectManifest(
  source: (budget: ModuleBudget) => ModuleSource,
  name: string,
  options: LoaderOptions,
): Promise<GuestManifest> {
  const resolved = resolveLoaderOptions(options);
  const guest = await instantiateGuest(source(resolved), name, createHostContext({ permissions: denyAll, logger: resolved.logger }), resolved);
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
  return inspectManifest((budget) => bytesSource(wasm, budget), options.name ?? 'plugin', options);
}

/** What {@link reviewPluginManifest} finds. */
export interface ManifestReview {
  /** The manifest, or null when the loader cannot read it. */
  manifest: GuestManifest | null;
  /** Why the manifest cannot be read, and every `ui`/`cli` element the loader would drop: a build should fail on these. */
  errors: string[];
  /** A slot the target does not know, the loader's warnings (id, versions): worth printing, not failing. */
  warnings: string[];
}

/**
 * What a build command says about the plugin it built (`diaryx-js build`, `diaryx-as build`):
 * its manifest read as the loader reads it (metered, deny-all host, synchronous services: a
 * deadline without a worker on every runtime), and its `ui` and `cli` elements judged for Diaryx
 * `appVersion` (default 1.4.1). Never throws for the plugin's sake: its problems are in `errors`.
 */
export async function reviewPluginManifest(wasm: Uint8Array, appVersion: string = DEFAULT_APP_VERSION): Promise<ManifestReview> {
  const warnings: string[] = [];
  const quiet = () => undefined;
  const logger = { error: (line: string) => warnings.push(line), warn: (line: string) => warnings.push(line), info: quiet, debug: quiet, trace: quiet };
  let manifest: GuestManifest;
  try {
    manifest = await inspectPluginManifestFromBytes(wasm, { logger, mode: 'auto', asyncHostServices: false, appVersion });
  } catch (error) {
    return { manifest: null, errors: [`the loader cannot read the manifest: ${(error as Error).message}`], warnings };
  }
  const problems = checkManifestElements(manifest, appVersion);
  return {
    manifest,
    errors: problems.filter((p) => p.severity === 'error').map((p) => `the manifest's ${p.message}`),
    warnings: [...warnings, ...problems.filter((p) => p.severity === 'warning').map((p) => `the manifest's ${p.message}`)],
  };
}
