import type { HostContext } from '@diaryx/host-fns';
import { LoadedPlugin } from './loaded-plugin.js';
import { startGuest } from './load-steps.js';
import { type LoadPluginFromBytesOptions, resolveLoaderOptions } from './options.js';
import { bytesSource } from './runtime/compile-module.js';

/**
 * Loads one plugin from its wasm bytes, in any JavaScript runtime (browsers included): the
 * guest's `manifest` is called, protocol and app versions are validated, and the plugin is
 * ready for `init`. Its config starts as `options.config` and `setConfig` persists through
 * `options.saveConfig`. Compiled modules are reused for the same bytes.
 *
 * @example
 * const bytes = new Uint8Array(await (await fetch('/plugins/word-count.wasm')).arrayBuffer());
 * const host = createHostContext({ fs: memoryWorkspaceFs({ 'a.md': 'one two' }), permissions: allowAll });
 * const plugin = await loadPluginFromBytes(bytes, host, { runInWorker: false });
 * const response = await plugin.handleCommand('word-count', { path: 'a.md' });
 * @throws PluginLoadError
 */
export async function loadPluginFromBytes(
  wasm: Uint8Array,
  host: HostContext,
  options: LoadPluginFromBytesOptions = {},
): Promise<LoadedPlugin> {
  const resolved = resolveLoaderOptions(options);
  const { guest, manifest } = await startGuest(bytesSource(wasm, resolved), options.name ?? 'plugin', host, resolved);
  return new LoadedPlugin({
    guest,
    manifest,
    config: options.config ?? {},
    configPath: null,
    saveConfig: options.saveConfig ?? null,
    warnings: [],
    options: resolved,
  });
}
