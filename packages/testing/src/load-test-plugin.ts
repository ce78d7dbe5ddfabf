import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type LoadedPlugin, loadPlugin } from '@diaryx/loader';
import { createFakeHost, type FakeHost, type FakeHostOptions } from './fake-host.js';

/** Options of {@link loadTestPlugin}: a fake host's options, or a host, plus load options. */
export interface LoadTestPluginOptions extends FakeHostOptions {
  /** Use this fake host instead of a fresh one (its own options then apply). */
  host?: FakeHost;
  /**
   * The plugin's stored config (kept in memory, no file). It reaches the guest as the app's
   * start-up does (PROTOCOL §8.3): pushed through the guest's `set_config` when it is neither
   * null nor `{}` — on load, or by `init` when `init` is true (never twice). A later
   * `plugin.init()` pushes it again, as the Rust adapter does on every init.
   */
  config?: unknown;
  /** The running Diaryx version checked against `min_app_version` (default `1.4.1`). */
  appVersion?: string;
  /** Run the plugin in a worker (default false: in-process is faster and the fakes are sync). */
  runInWorker?: boolean;
  /** Per-call deadline in ms when `runInWorker` is true. */
  timeoutMs?: number;
  /** Call the plugin's `init` with the host's `{"workspace_root": …}` after loading (default false). */
  init?: boolean;
}

/** null, absent or `{}`: the adapter does not push such a config (PROTOCOL §8.3). */
function isEmptyConfig(config: unknown): boolean {
  if (config === undefined || config === null) return true;
  return typeof config === 'object' && !Array.isArray(config) && Object.keys(config).length === 0;
}

/**
 * Loads a plugin from a path or bytes through the real loader with a fake host. Nothing is
 * written next to the wasm file (no `manifest.json`, no `config.json`).
 *
 * @example
 * const { plugin, host } = await loadTestPlugin('build/plugin.wasm', { files: { 'a.md': 'one two' } });
 * expect(await plugin.handleCommand('word-count', { path: 'a.md' })).toMatchObject({ success: true });
 */
export async function loadTestPlugin(
  wasm: string | Uint8Array,
  options: LoadTestPluginOptions = {},
): Promise<{ plugin: LoadedPlugin; host: FakeHost }> {
  const host = options.host ?? createFakeHost(options);
  const bytes = typeof wasm === 'string' ? new Uint8Array(await readFile(wasm)) : wasm;
  const name = typeof wasm === 'string' ? basename(wasm, extname(wasm)) : 'plugin';
  const plugin = await loadPlugin(bytes, host.context, {
    name,
    runInWorker: options.runInWorker ?? false,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.appVersion === undefined ? {} : { appVersion: options.appVersion }),
    ...(options.config === undefined ? {} : { config: options.config }),
  });
  host.seedFor(plugin.id);
  if (options.init === true) await plugin.init(host.initContext);
  else if (!isEmptyConfig(options.config)) await plugin.setConfig(options.config);
  return { plugin, host };
}
