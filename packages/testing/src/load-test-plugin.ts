import { readFile } from 'node:fs/promises';
import { bundledFrameMapper } from './source-map.js';
import { basename, extname, resolve } from 'node:path';
import { hasJspi, type LoadedPlugin, type LoaderOptions, loadPlugin, type PluginMode, type RecordOptions, type WasiSource } from '@diaryx/loader';
import { createFakeHost, type FakeHost, type FakeHostOptions } from './fake-host.js';
import { currentTestName, joinTestSession } from './test-session.js';
import { trackPlugin, wasmKey } from './tracked-plugin.js';

/**
 * How a test plugin runs: the loader's modes (`PluginMode` of @diaryx/loader). `'auto'`
 * (default): metered on the test's thread (its wasm rewritten with fuel checks, so a call past
 * its deadline, `timeoutMs`, fails its test naming the export and the deadline, with no worker
 * to start; on every runtime, where the app's `'auto'` would use a worker without JSPI), and in
 * a worker for a module that cannot be metered, as the app's default does.
 * Host services must be synchronous, as the fake host's are, unless the runtime has JSPI (Node
 * 26), where async ones work too. `'metered'` and `'worker'` force one (a worker is slower to
 * start and allows async services anywhere); `'in-process'` runs the wasm unmodified with no
 * deadline (an endless loop hangs the run).
 */
export type TestPluginMode = PluginMode;

/** The default per-call deadline of a test plugin: 3 s, below Vitest's 5-s test timeout. */
export const DEFAULT_TEST_TIMEOUT_MS = 3_000;

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
  /** How the plugin runs (default `'auto'`: metered, with a deadline); see {@link TestPluginMode}. */
  mode?: TestPluginMode;
  /** @deprecated Use `mode`: `true` is `'worker'`, `false` is `'in-process'`; absent is `'auto'`. */
  runInWorker?: boolean;
  /** Per-call deadline in ms in every mode but `'in-process'` (default {@link DEFAULT_TEST_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Call the plugin's `init` with the host's `{"workspace_root": …}` after loading (default false). */
  init?: boolean;
  /**
   * Make a guest failure in `init`, `set_config`, `on_event` or `shutdown` reject in the test
   * (default true). `false` does what the app does: the failure is logged at warn into
   * `host.logs` and swallowed.
   */
  strict?: boolean;
  /**
   * After a call of this plugin ran past its deadline, later calls of the same export (the same
   * command, the same event type) in the same test file fail at once, naming the first timeout,
   * instead of waiting out the deadline again: an endless loop costs one deadline per file, not one
   * per test (default true; `false` waits each time).
   */
  failFastAfterTimeout?: boolean;
  /**
   * Close the plugin when the current Vitest test finishes (default true; only inside a test:
   * a plugin loaded in `beforeAll` is closed by its `afterAll`, or use `await using`). Inside a
   * test, whatever this says, a call of the plugin still running when the test ends fails the
   * test (a missing `await`), and a failed test shows the plugin's side: failed calls, denied host
   * calls with their advice, the log.
   */
  autoClose?: boolean;
  /** Record the plugin's calls (the loader option `record`): `plugin.takeRecording()` gives the trace. */
  record?: boolean | RecordOptions;
  /** Where a metered plugin's WASI clocks and randomness come from (the loader option `wasiSource`). */
  wasiSource?: WasiSource;
}

/** The loader options of a test plugin's mode (what `loadTestPlugin` and `replayTrace` load with). */
export function testModeOptions(mode: TestPluginMode): Pick<LoaderOptions, 'mode' | 'asyncHostServices'> {
  // Without JSPI the loader's 'auto' uses a worker (a metered plugin could not yield an app's
  // thread); a test may hold its own thread for a call, and the fake host's services are
  // synchronous, so tests stay metered there (no worker to start).
  return mode === 'auto' && !hasJspi() ? { mode: 'metered', asyncHostServices: false } : { mode };
}

function modeOf(options: LoadTestPluginOptions): TestPluginMode {
  if (options.mode !== undefined) return options.mode;
  if (options.runInWorker !== undefined) return options.runInWorker ? 'worker' : 'in-process';
  return 'auto';
}

/** null, absent or `{}`: the adapter does not push such a config (PROTOCOL §8.3). */
function isEmptyConfig(config: unknown): boolean {
  if (config === undefined || config === null) return true;
  return typeof config === 'object' && !Array.isArray(config) && Object.keys(config).length === 0;
}

/**
 * Loads a plugin from a path or bytes through the real loader with a fake host. Nothing is
 * written next to the wasm file (no `manifest.json`, no `config.json`). The plugin runs metered
 * with a deadline, gets the permissions its manifest requests (unless the host's
 * `permissions` say otherwise), logs into `host.logs`, and is closed after the current test.
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
  const mode = modeOf(options);
  const deadline = mode !== 'in-process';
  // A TypeScript plugin's stack frames point into its bundle: map them with plugin.wasm.map.
  const map = typeof wasm === 'string' ? await readFile(`${wasm}.map`, 'utf8').catch(() => null) : null;
  const plugin = await loadPlugin(bytes, host.context, {
    name,
    ...testModeOptions(mode),
    ...(deadline ? { timeoutMs: options.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS } : {}),
    logger: host.logger,
    lifecycleFailures: options.strict === false ? 'log' : 'throw',
    ...(map === null ? {} : { describeGuestError: bundledFrameMapper(map) }),
    ...(options.appVersion === undefined ? {} : { appVersion: options.appVersion }),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.record === undefined ? {} : { record: options.record }),
    ...(options.wasiSource === undefined ? {} : { wasiSource: options.wasiSource }),
  });
  const calls = trackPlugin(plugin, { wasm: wasmKey(typeof wasm === 'string' ? resolve(wasm) : wasm), failFastAfterTimeout: options.failFastAfterTimeout !== false, testName: currentTestName });
  await joinTestSession({ calls, host, autoClose: options.autoClose !== false });
  host.seedFor(plugin.id);
  host.grantRequested(plugin.id, plugin.manifest.requested_permissions?.defaults ?? null);
  if (options.init === true) await plugin.init(host.initContext);
  else if (!isEmptyConfig(options.config)) await plugin.setConfig(options.config);
  return { plugin, host };
}
