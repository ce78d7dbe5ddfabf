import { fileStem } from './load-plugin.js';
import type { LoaderOptions } from '../options.js';
import { inspectManifest } from '../protocol/inspect-manifest.js';
import type { GuestManifest } from '../protocol/types.js';
import { fileSource } from './module-file.js';

/**
 * Reads a plugin's manifest for tooling and CI (§7.8): instantiates it with every host function
 * and a deny-all host, calls `manifest`, and returns it. An invalid id and protocol or app-version
 * mismatches are only warned about (through `options.logger`). Writes no cache, reads no config,
 * calls no `init`.
 *
 * @example
 * const manifest = await inspectPluginWasmManifest('build/plugin.wasm');
 * @throws PluginLoadError `plugin_create`, `manifest_call` or `manifest_parse`
 */
export function inspectPluginWasmManifest(wasmPath: string, options: LoaderOptions = {}): Promise<GuestManifest> {
  return inspectManifest((budget) => fileSource(wasmPath, budget), fileStem(wasmPath), options);
}
