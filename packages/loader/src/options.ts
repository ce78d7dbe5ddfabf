import { type HostLogger, silentLogger } from '@diaryx/host-fns';
import { DEFAULT_APP_VERSION } from './protocol/versions.js';
import { validateLoaderOptions } from './validate-options.js';

/** Default per-call deadline of worker-mode plugins: 30 s. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default deadline of the `manifest` call at load time: 10 s. */
export const DEFAULT_MANIFEST_TIMEOUT_MS = 10_000;
/** Default largest input the loader passes to one guest call: 32 MiB. */
export const DEFAULT_MAX_INPUT_BYTES = 32 * 1024 * 1024;
/** Default cap on a plugin's linear memory: 4096 pages of 64 KiB = 256 MiB. */
export const DEFAULT_MAX_MEMORY_PAGES = 4096;

/** Options of {@link loadPluginsFromDir}, {@link loadPlugin} and {@link inspectPluginWasmManifest}. */
export interface LoaderOptions {
  /** The running Diaryx version, checked against a plugin's `min_app_version`. Default `"1.4.1"`. */
  appVersion?: string;
  /**
   * Run each plugin in its own worker thread (default true): a runaway plugin can then be
   * stopped by `timeoutMs`, and host services may be async. `false` runs the plugin on the
   * caller's thread: faster calls, but an endless loop hangs the process — trusted plugins only.
   */
  runInWorker?: boolean;
  /**
   * Per-call deadline in ms for worker-mode plugins (default 30 000): a whole number from 1 to
   * 2 147 483 647, or `Infinity` for no deadline. Ignored in-process.
   */
  timeoutMs?: number;
  /**
   * Deadline of the `manifest` call and of instantiation (default 10 000); worker mode only.
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
   * Cap on the plugin's linear memory in 64 KiB pages (default 4096 = 256 MiB), from 1 to 65 536;
   * also caps the Extism kernel memory the plugin can allocate through the host.
   */
  maxMemoryPages?: number;
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
  runInWorker: boolean;
  timeoutMs: number | null;
  manifestTimeoutMs: number | null;
  maxInputBytes: number;
  maxMemoryPages: number;
  logger: HostLogger;
  lifecycleFailures: 'log' | 'throw';
  describeGuestError: ((message: string) => string) | null;
}

// `Infinity` asks for no deadline.
const deadline = (ms: number): number | null => (ms === Number.POSITIVE_INFINITY ? null : ms);

/**
 * Checks the options (every value, see {@link validateLoaderOptions}) and fills in the documented defaults.
 * @throws LoaderOptionError naming an option the loader cannot honour
 */
export function resolveLoaderOptions(options: LoadPluginOptions = {}): ResolvedLoaderOptions {
  validateLoaderOptions(options);
  const runInWorker = options.runInWorker ?? true;
  return {
    appVersion: options.appVersion ?? DEFAULT_APP_VERSION,
    runInWorker,
    timeoutMs: runInWorker ? deadline(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) : null,
    manifestTimeoutMs: runInWorker ? deadline(options.manifestTimeoutMs ?? DEFAULT_MANIFEST_TIMEOUT_MS) : null,
    maxInputBytes: options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES,
    maxMemoryPages: options.maxMemoryPages ?? DEFAULT_MAX_MEMORY_PAGES,
    logger: options.logger ?? silentLogger,
    lifecycleFailures: options.lifecycleFailures ?? 'log',
    describeGuestError: options.describeGuestError ?? null,
  };
}
