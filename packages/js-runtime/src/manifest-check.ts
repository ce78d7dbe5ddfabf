// The last step of `diaryx-js build`: the built plugin's manifest, read by the loader itself (as
// `diaryx-plugin inspect` reads it), and its `ui` and `cli` elements judged with the loader's own
// readers. An element the loader would drop fails the build, naming the element and the field; a
// slot the target Diaryx does not know, an invalid id or an app-version problem is a warning.
import type { LoaderOptions } from '@diaryx/loader';

/** What the loader says about a built plugin's manifest. */
export interface ManifestReport {
  /** Elements the loader would drop, or why the manifest cannot be read at all: each fails the build. */
  errors: string[];
  /** Slots the target does not know, the loader's warnings (id, versions): printed, the build goes on. */
  warnings: string[];
}

const quiet = () => undefined;

/**
 * Reads the manifest of a built plugin with `@diaryx/loader` (metered, deny-all host) and judges
 * its `ui` and `cli` elements for Diaryx `appVersion` (default: the loader's, 1.4.1).
 */
export async function checkBuiltManifest(wasm: Uint8Array, appVersion?: string): Promise<ManifestReport> {
  // Loaded when a build runs, not when the build API is imported.
  const { checkManifestElements, inspectPluginManifestFromBytes, DEFAULT_APP_VERSION } = await import('@diaryx/loader');
  const warnings: string[] = [];
  const logger: NonNullable<LoaderOptions['logger']> = { error: (line) => warnings.push(line), warn: (line) => warnings.push(line), info: quiet, debug: quiet, trace: quiet };
  let manifest;
  try {
    // Metered with synchronous services: a deadline without a worker, on every Node version.
    manifest = await inspectPluginManifestFromBytes(wasm, { logger, mode: 'auto', asyncHostServices: false, appVersion: appVersion ?? DEFAULT_APP_VERSION });
  } catch (error) {
    return { errors: [`the loader cannot read the manifest: ${(error as Error).message}`], warnings };
  }
  const problems = checkManifestElements(manifest, appVersion);
  return {
    errors: problems.filter((p) => p.severity === 'error').map((p) => `the manifest's ${p.message}`),
    warnings: [...warnings, ...problems.filter((p) => p.severity === 'warning').map((p) => `the manifest's ${p.message}`)],
  };
}
