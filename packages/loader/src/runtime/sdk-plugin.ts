import type { Plugin } from '@extism/extism';
import { type HostLogger, type LogFields, pluginLogPrefix } from '@diaryx/host-fns';
import { toError } from '../errors.js';
import { STATUS_CHECK_EXPORT, STATUS_GLOBAL } from './export-status.js';
import type { GuestOutput } from './guest-instance.js';

// What every mode shares of @extism/extism (pinned to 2.0.0-rc13): starting an SDK plugin, its
// guest logger, the export status, and closing what an app drops. The runtime/ modules are the
// only ones that touch the SDK; moving to another SDK version is a change here and in them.

/** A function an SDK plugin imports, as the SDK calls it (its CallContext first). */
export type SdkFunction = (context: never, ...args: never[]) => unknown;

/** The import namespaces and functions an SDK plugin gets (a fresh object: the SDK mutates it). */
export type SdkFunctions = Record<string, Record<string, SdkFunction>>;

/** How to start one SDK plugin. */
export interface SdkPluginOptions {
  module: WebAssembly.Module;
  functions: SdkFunctions;
  runInWorker: boolean;
  /** Instantiation deadline the SDK arms itself (browsers' worker mode only; else null). */
  sdkStartTimeoutMs: number | null;
  /** Cap on Extism kernel memory (host-side blocks), in 64 KiB pages. */
  maxKernelPages: number;
  /** Cap on the bytes of all Extism vars together. */
  maxVarBytes: number;
  logger: HostLogger;
  /** What guest log lines are about (the plugin's id, the export running). */
  logFields: () => LogFields;
  /** Told each line the guest logs at error (its abort handler's message, say). */
  onGuestError?: (message: string) => void;
}

/** Browsers share memory with workers only in cross-origin isolated pages. */
export const CROSS_ORIGIN_ISOLATION_HELP =
  'a plugin in a worker needs SharedArrayBuffer, which a browser gives only to a cross-origin isolated page: ' +
  'serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and ' +
  '"Cross-Origin-Embedder-Policy: require-corp", or load the plugin with mode: \'metered\' (in-process with a deadline)';

function guestLogger(logger: HostLogger, fieldsOf: () => LogFields, onError?: (message: string) => void): Console {
  const send = (level: keyof HostLogger) => (message: unknown) => {
    const fields = fieldsOf();
    logger[level](`${pluginLogPrefix(fields.pluginId ?? 'plugin')} ${String(message)}`, fields);
  };
  const error = send('error');
  return {
    error: (m: unknown) => {
      onError?.(String(m));
      error(m);
    },
    warn: send('warn'),
    info: send('info'),
    debug: send('debug'),
    trace: send('trace'),
    log: send('info'),
  } as unknown as Console;
}

// rc13 reads a worker plugin's per-call deadline from `opts.timeoutMs` at every call; per call it
// would arm a 30-s timer that is never cleared (thousands pile up under load), so the runtime
// keeps its own clearable deadlines and the SDK none.
function clearSdkCallDeadline(plugin: Plugin): void {
  const internal = plugin as unknown as { opts?: { timeoutMs?: number | null } };
  if (internal.opts && 'timeoutMs' in internal.opts) internal.opts.timeoutMs = null;
}

let sdk: Promise<typeof import('@extism/extism').default> | null = null;

/**
 * The Extism SDK, imported on first use: Node loads `node:wasi` (and prints its experimental
 * warning, see `quietWasiWarning`) only when the first plugin starts, and a bundler puts the SDK
 * (138 KB in a browser) in a chunk of its own.
 */
function extismSdk(): Promise<typeof import('@extism/extism').default> {
  sdk ??= import('@extism/extism').then((module) => module.default);
  return sdk;
}

/**
 * Starts an SDK plugin with WASI on (as in Rust; metered modules import the kit's WASI instead)
 * and these functions.
 * @throws Error when the module cannot be instantiated (its message is the SDK's)
 */
export async function startSdkPlugin(options: SdkPluginOptions): Promise<Plugin> {
  // Node leaves crossOriginIsolated undefined; a browser page without the headers says false.
  if (options.runInWorker && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    throw new Error(CROSS_ORIGIN_ISOLATION_HELP);
  }
  let plugin: Plugin;
  try {
    const createPlugin = await extismSdk();
    plugin = await createPlugin(
      { wasm: [{ module: options.module }] },
      {
        useWasi: true,
        enableWasiOutput: false,
        runInWorker: options.runInWorker,
        ...(options.sdkStartTimeoutMs !== null ? { timeoutMs: options.sdkStartTimeoutMs } : {}),
        memory: { maxPages: options.maxKernelPages, maxVarBytes: options.maxVarBytes },
        functions: options.functions as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>,
        logger: guestLogger(options.logger, options.logFields, options.onGuestError),
        logLevel: 'trace',
      },
    );
  } catch (error) {
    throw toError(error);
  }
  clearSdkCallDeadline(plugin);
  return plugin;
}

const AsyncFunction = (async () => undefined).constructor;

/**
 * rc13 wraps an imported function in `WebAssembly.Suspending` (JSPI) when its constructor is
 * AsyncFunction; marked so, a plain function suspends the guest only when it returns a Promise
 * (a value is returned at once, without the cost of a suspension). Every export is then called
 * through `WebAssembly.promising`, and a Suspending import called outside it traps: guest code
 * that runs during instantiation must not reach one (see guest-entry-rewrite.ts).
 */
export function suspendsOnPromise<F extends SdkFunction>(fn: F): F {
  Object.defineProperty(fn, 'constructor', { value: AsyncFunction });
  return fn;
}


/** The output's bytes, owned by the caller (a worker's output may sit in shared memory). */
export function ownedBytes(output: GuestOutput | null): Uint8Array | null {
  if (output === null) return null;
  const bytes = output.bytes();
  return bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}

/**
 * rc13 stores even an empty input as a block (and ships it to a worker at every call); no input
 * reads the same to the guest (input_length 0), without the block.
 */
export function sdkInput(input: string | Uint8Array): string | Uint8Array | undefined {
  return input.length === 0 ? undefined : input;
}

/**
 * The failure of an export that returned a non-zero status without setting an error (Extism's
 * rule: the status of an export is its i32 result; with `error_set` the SDK already fails the
 * call with the guest's text). `status` is null when it cannot be read (worker mode).
 */
export function exportStatusError(status: number | null): Error {
  return new ExportStatusError(status);
}

/** An export returned a non-zero status without an error message: the guest reported a failure. */
export class ExportStatusError extends Error {
  override readonly name = 'ExportStatusError';
  constructor(readonly status: number | null) {
    const which = status === null ? 'a non-zero status' : `the non-zero status ${status}`;
    super(
      `the export returned ${which} without an error message (Extism counts any status other than 0 as a failure; ` +
        'return 0 on success, or set an error message with error_set before returning non-zero)',
    );
  }
}

/** The exported status global of a rewritten module's instance (see export-status.ts), if any. */
export function statusGlobal(instance: WebAssembly.Instance): WebAssembly.Global | null {
  const status = instance.exports[STATUS_GLOBAL];
  return status instanceof WebAssembly.Global ? status : null;
}

/** The output of an in-process call whose export returned; a non-zero status fails it. */
export function checkedStatus(status: WebAssembly.Global, output: GuestOutput | null): GuestOutput | null {
  const value = status.value as number;
  if (value !== 0) throw exportStatusError(value);
  return output;
}

/** Whether the module has the export-status check (worker mode tests the status with it). */
export function hasStatusCheck(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.exports(module).some((e) => e.name === STATUS_CHECK_EXPORT);
}

// An instance the app drops without close() is closed when it is garbage-collected. In-process,
// rc13 opens /dev/null twice (as FileHandles) for the guest's WASI stdin and stdout and closes
// them only in close(); a FileHandle left to the garbage collector is an uncaught error from
// Node 26 on ("A FileHandle object was closed during garbage collection"), which kills the host.
// The registry holds the SDK plugin (and so its FileHandles) until it has closed them. In a
// worker, closing ends the worker, which would otherwise keep running and the process alive.
// The held closers must be made outside the instances' scopes (see closerOf): a closure made next
// to an instance would share its scope, keep it reachable, and it would never be collected.
const closedOnCollection = new FinalizationRegistry<() => Promise<void>>((close) => {
  close().catch(() => undefined);
});

/** Closes what `close` closes when `owner` is garbage-collected without having been closed. */
export function closeWhenCollected(owner: object, close: () => Promise<void>): void {
  closedOnCollection.register(owner, close, owner);
}

/** Stops watching `owner` (it was closed). */
export function forgetCollected(owner: object): void {
  closedOnCollection.unregister(owner);
}

/** What holds a mode's current SDK plugin (it changes when an instance is replaced). */
export interface SdkHolder {
  current: { sdk: { close(): Promise<void> } } | null;
}

/** A closer of whatever SDK plugin the holder holds when it runs (made outside instance scopes). */
export function closerOf(holder: SdkHolder): () => Promise<void> {
  return async () => {
    await holder.current?.sdk.close();
  };
}
