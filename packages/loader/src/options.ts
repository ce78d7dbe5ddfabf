import { type HostLogger, silentLogger } from '@diaryx/host-fns';
import type { PluginLifecycleEvent, PluginLifecycleListener } from './lifecycle-events.js';
import { DEFAULT_APP_VERSION } from './protocol/versions.js';
import { type RecordOptions, type ResolvedRecordOptions, resolveRecordOptions } from './recording/record-options.js';
import { hasJspi } from './runtime/jspi.js';
import type { WasiSource } from './runtime/wasi-shim.js';
import { validateLoaderOptions } from './validate-options.js';

/** Default per-call deadline of worker-mode plugins: 30 s. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default deadline of the `manifest` call at load time: 10 s. */
export const DEFAULT_MANIFEST_TIMEOUT_MS = 10_000;
/** Default largest input the loader passes to one guest call: 32 MiB. */
export const DEFAULT_MAX_INPUT_BYTES = 32 * 1024 * 1024;
/** Default cap on a plugin's linear memory: 4096 pages of 64 KiB = 256 MiB. */
export const DEFAULT_MAX_MEMORY_PAGES = 4096;
/** Default longest stretch a metered plugin runs on the host's thread before it yields (JSPI): 5 ms. */
export const DEFAULT_SLICE_MS = 5;
/** Cap on the bytes of a plugin's Extism vars, all together: 1 MiB (Rust Extism's default). */
export const MAX_VAR_BYTES = 1024 * 1024;
/** Default cap on the elements of all of a plugin's tables together: 1,000,000. */
export const DEFAULT_MAX_TABLE_ELEMENTS = 1_000_000;
/** Default largest module the loader processes: 32 MiB. */
export const DEFAULT_MAX_MODULE_BYTES = 32 * 1024 * 1024;

/**
 * Where a plugin runs:
 * - `'worker'`: its own worker thread; a call past its deadline terminates the worker and a
 *   fresh one answers the next call. Host services may be async. Costs ~150 µs per host call
 *   and ~50 ms of start-up per plugin; browsers need a cross-origin isolated page.
 * - `'metered'`: on the caller's thread, its wasm rewritten at load with fuel checks at every
 *   function entry and loop header (see @diaryx/wasm `meterModule`), so a call past its deadline
 *   traps with kind `timeout` and a fresh instance answers the next call. In-process speed.
 *   Where the runtime has JSPI (`WebAssembly.Suspending`: Node 26, Chromium 137+) the plugin
 *   gives the thread back every `sliceMs` (5 ms): timers, I/O, the UI and other plugins run in
 *   between, and host services may be async. Without JSPI a metered call holds the thread
 *   until it returns or its deadline passes, and a service that returns a Promise fails the
 *   call. A module the rewriter cannot decode is refused.
 * - `'in-process'`: on the caller's thread, unmodified: fastest, but nothing stops an endless
 *   loop (no deadline) — trusted plugins only.
 * - `'auto'` (the default): `'metered'` where the runtime has JSPI (Node 26, Chromium 137+),
 *   `'worker'` otherwise; and `'worker'` for a module the metering rewriter refuses. The choice
 *   is logged at load and readable as `plugin.runtime`.
 */
export type PluginMode = 'worker' | 'metered' | 'in-process' | 'auto';

/** The mode a plugin runs in, once `'auto'` is decided. */
export type ResolvedPluginMode = Exclude<PluginMode, 'auto'>;

/** Where a loaded plugin runs (see {@link PluginMode}). */
export interface PluginRuntimeInfo {
  mode: ResolvedPluginMode;
  /** Whether host services may return Promises (worker, or metered with JSPI). */
  asyncHostServices: boolean;
  /** Why this mode: the option given, or what `'auto'` found. */
  reason: string;
  /** Whether `'auto'` chose the mode (it then falls back to a worker for a module it cannot meter). */
  automatic: boolean;
  /** Metered mode with JSPI: the longest stretch (ms) the plugin holds the thread before it yields; else null. */
  sliceMs: number | null;
}

/** Options of {@link loadPluginsFromDir}, {@link loadPlugin} and {@link inspectPluginWasmManifest}. */
export interface LoaderOptions {
  /** The running Diaryx version, checked against a plugin's `min_app_version`. Default `"1.4.1"`. */
  appVersion?: string;
  /**
   * The older switch, kept for compatibility: `true` is `mode: 'worker'`, `false` is
   * `mode: 'in-process'` (no deadline: trusted plugins only). `mode` wins when both are given.
   */
  runInWorker?: boolean;
  /**
   * Where each plugin runs (see {@link PluginMode}). Default `'auto'` (metered in-process where
   * the runtime allows it, a worker otherwise: a deadline and a memory cap either way);
   * `runInWorker` picks `'worker'` or `'in-process'` when `mode` is not given.
   */
  mode?: PluginMode;
  /**
   * Whether the host's services may return Promises (default true). `false` promises synchronous
   * services: metered host functions are then plain imports, not `WebAssembly.Suspending` ones.
   * A service that returns a Promise anyway fails the call.
   */
  asyncHostServices?: boolean;
  /**
   * Metered mode with JSPI: the longest stretch of guest time, in ms, before the plugin is
   * suspended and the event loop runs (default 5; a whole number from 1 to 1000, or Infinity
   * never to yield). Ignored in the other modes and where the runtime has no JSPI.
   */
  sliceMs?: number;
  /**
   * Per-call deadline in ms in worker and metered modes (default 30 000): a whole number from 1 to
   * 2 147 483 647, or `Infinity` for no deadline. Ignored in-process.
   */
  timeoutMs?: number;
  /**
   * Deadline of the `manifest` call and of instantiation (default 10 000); worker and metered modes.
   * A whole number from 1 to 2 147 483 647, or `Infinity` for no deadline.
   */
  manifestTimeoutMs?: number;
  /**
   * Largest input (event, command, config) passed to one guest call, in bytes (default 32 MiB):
   * a whole number ≥ 1, or `Infinity` for no limit. A larger input fails the call with kind
   * `input_too_large` before the guest sees it.
   */
  maxInputBytes?: number;
  /**
   * Cap on the plugin's linear memory in 64 KiB pages (default 4096 = 256 MiB); also caps the
   * Extism kernel memory the plugin can allocate through the host. A plugin has one memory: a
   * module defining more (multi-memory) is refused.
   */
  maxMemoryPages?: number;
  /**
   * Cap on the elements of all of the plugin's tables together (default 1,000,000): each table's
   * maximum is lowered at load so that `table.grow` fails past it; a module whose tables need
   * more to start is refused. A whole number from 1 to 10,000,000 (the engines' own table limit).
   */
  maxTableElements?: number;
  /**
   * Largest module the loader processes, in bytes (default 32 MiB): its load-time rewrites
   * (memory cap, export status, metering) run on the app's thread, in time that grows with the
   * module. A larger module is refused (`plugin_create`) before it is read further. A whole
   * number from 8 to 1 GiB (the engines' own module limit).
   */
  maxModuleBytes?: number;
  /** Receives guest logs and the loader's warnings. Default: silent. */
  logger?: HostLogger;
  /**
   * What a guest failure in a lifecycle export (`init`, `set_config`, `on_event`, `shutdown`)
   * does: `'log'` (default, as Rust) logs it at warn and the call resolves; `'throw'` (for test
   * suites) also rejects the call with the `PluginCallError`.
   */
  lifecycleFailures?: 'log' | 'throw';
  /**
   * Rewrites the guest's error text of a failed call before it goes into the error (e.g. maps
   * stack frames of a bundled plugin back to its sources). Default: unchanged.
   */
  describeGuestError?: (message: string) => string;
  /**
   * Told what happens to a plugin outside the call its caller awaits: a timeout, a crash, a
   * fresh instance after a stop, an `on_event` failure, a corrupt config moved aside (see
   * {@link PluginLifecycleEvent}). Called synchronously; an exception it throws is logged and
   * ignored. A plugin host (`createPluginHost`) sends these as its own events.
   */
  onLifecycleEvent?: PluginLifecycleListener;
  /**
   * Records the plugin's last calls (`true` for the defaults): each export call with its input,
   * every host call with its input, output and outcome, the WASI clocks and randomness a metered
   * plugin reads, and the call's output or error, in a bounded ring that
   * {@link LoadedPlugin.takeRecording} turns into a trace (secrets redacted, size-limited) which
   * `replayTrace` of `@diaryx/testing` and `diaryx-plugin replay` run again. Default: off (free).
   */
  record?: boolean | RecordOptions;
  /**
   * Where a metered plugin's WASI clocks and randomness come from (default: the real clock and
   * `crypto.getRandomValues`): replay answers them from a trace, a test can fix them. Worker and
   * in-process plugins use the engine's WASI, which this does not reach.
   */
  wasiSource?: WasiSource;
}

/** Options of {@link loadPluginFromBytes}. */
export interface LoadPluginFromBytesOptions extends LoaderOptions {
  /** The plugin's name until its manifest is read (default: the file stem, or "plugin" for bytes). */
  name?: string;
  /** The starting config when no config file is used (e.g. read from the app's own store). */
  config?: unknown;
  /**
   * Persists a config given to `setConfig` when no config file is used (e.g. into IndexedDB).
   * A rejection fails `setConfig` with kind `config_write` and keeps the old config.
   * Default: the config lives in memory only.
   */
  saveConfig?: (config: unknown) => Promise<void>;
}

/** Options of {@link loadPlugin} (Node). */
export interface LoadPluginOptions extends LoadPluginFromBytesOptions {
  /**
   * Where the config sidecar lives. Default: `config.json` next to the wasm file; for wasm given
   * as bytes, no file (`config` and `saveConfig` apply).
   */
  configPath?: string;
}

/** Options with every default filled in. */
export interface ResolvedLoaderOptions {
  appVersion: string;
  mode: ResolvedPluginMode;
  /** `mode === 'worker'`. */
  runInWorker: boolean;
  runtime: PluginRuntimeInfo;
  timeoutMs: number | null;
  manifestTimeoutMs: number | null;
  maxInputBytes: number;
  maxMemoryPages: number;
  maxVarBytes: number;
  maxTableElements: number;
  maxModuleBytes: number;
  logger: HostLogger;
  lifecycleFailures: 'log' | 'throw';
  describeGuestError: ((message: string) => string) | null;
  /** Sends a lifecycle event to `onLifecycleEvent` (never throws). */
  lifecycle: (event: PluginLifecycleEvent) => void;
  /** The `record` option, or null when the plugin is not recorded. */
  record: ResolvedRecordOptions | null;
  /** The `wasiSource` option, or null for the real clocks and randomness. */
  wasiSource: WasiSource | null;
}

function lifecycleSender(listener: PluginLifecycleListener | undefined, logger: HostLogger): (event: PluginLifecycleEvent) => void {
  if (listener === undefined) return () => undefined;
  return (event) => {
    try {
      listener(event);
    } catch (error) {
      logger.warn(`the loader option onLifecycleEvent threw on a '${event.type}' event: ${(error as Error)?.message ?? String(error)}`, { source: 'loader' });
    }
  };
}

function resolveRuntime(options: LoaderOptions): PluginRuntimeInfo {
  const jspi = hasJspi();
  const wantsAsync = options.asyncHostServices ?? true;
  const asked = options.mode ?? (options.runInWorker === undefined ? 'auto' : options.runInWorker ? 'worker' : 'in-process');
  const slice = options.sliceMs ?? DEFAULT_SLICE_MS;
  const sliceMs = jspi && slice !== Number.POSITIVE_INFINITY ? slice : null;
  if (asked === 'auto') {
    return jspi
      ? { mode: 'metered', asyncHostServices: wantsAsync, automatic: true, sliceMs, reason: "mode 'auto': this runtime has JSPI, so metered in-process, yielding the thread between slices" }
      : { mode: 'worker', asyncHostServices: true, automatic: true, sliceMs: null, reason: "mode 'auto': no JSPI in this runtime, so a worker (a metered plugin could not give the thread back)" };
  }
  const reason = options.mode === undefined ? `runInWorker: ${String(options.runInWorker)}` : `mode '${asked}'`;
  const metered = asked === 'metered';
  return {
    mode: asked,
    asyncHostServices: asked === 'worker' || (metered && jspi && wantsAsync),
    automatic: false,
    sliceMs: metered ? sliceMs : null,
    reason,
  };
}

/** The runtime `'auto'` falls back to for a module the metering rewriter refuses. */
export function workerFallback(refusal: string): PluginRuntimeInfo {
  return { mode: 'worker', asyncHostServices: true, automatic: true, sliceMs: null, reason: `mode 'auto': ${refusal}; so a worker, which runs it unmodified with a deadline` };
}

// `Infinity` asks for no deadline.
const deadline = (ms: number): number | null => (ms === Number.POSITIVE_INFINITY ? null : ms);

/**
 * Checks the options (every value, see {@link validateLoaderOptions}) and fills in the documented defaults.
 * @throws LoaderOptionError naming an option the loader cannot honour
 */
export function resolveLoaderOptions(options: LoadPluginOptions = {}): ResolvedLoaderOptions {
  validateLoaderOptions(options);
  const runtime = resolveRuntime(options);
  const mode = runtime.mode;
  const deadlines = mode !== 'in-process';
  return {
    appVersion: options.appVersion ?? DEFAULT_APP_VERSION,
    mode,
    runInWorker: mode === 'worker',
    runtime,
    timeoutMs: deadlines ? deadline(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) : null,
    manifestTimeoutMs: deadlines ? deadline(options.manifestTimeoutMs ?? DEFAULT_MANIFEST_TIMEOUT_MS) : null,
    maxInputBytes: options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES,
    maxMemoryPages: options.maxMemoryPages ?? DEFAULT_MAX_MEMORY_PAGES,
    maxVarBytes: MAX_VAR_BYTES,
    maxTableElements: options.maxTableElements ?? DEFAULT_MAX_TABLE_ELEMENTS,
    maxModuleBytes: options.maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES,
    logger: options.logger ?? silentLogger,
    lifecycleFailures: options.lifecycleFailures ?? 'log',
    describeGuestError: options.describeGuestError ?? null,
    lifecycle: lifecycleSender(options.onLifecycleEvent, options.logger ?? silentLogger),
    record: resolveRecordOptions(options.record),
    wasiSource: options.wasiSource ?? null,
  };
}
