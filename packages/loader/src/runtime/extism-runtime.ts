import createPlugin, { type Plugin } from '@extism/extism';
import type { ExtismHostFunction, HostLogger } from '@diaryx/host-fns';
import { HOST_NAMESPACE } from '@diaryx/host-fns';
import { toError } from '../errors.js';
import { STATUS_CHECK_EXPORT, STATUS_GLOBAL } from './export-status.js';
import { failFastWhileStarting } from './worker-start-failures.js';
import { releaseAbandonedAnswers, type WorkerHostFunctions, workerHostFunctions } from './worker-host-calls.js';

// The one module that touches @extism/extism (pinned to 2.0.0-rc13), with worker-host-calls for
// its worker-mode defects: moving to another SDK version is a change here only.

/** How to run one guest instance. */
export interface GuestInstanceOptions {
  module: WebAssembly.Module;
  hostFunctions: Record<string, ExtismHostFunction>;
  runInWorker: boolean;
  /** Per-call deadline (worker mode only); null = none. */
  timeoutMs: number | null;
  /** Cap on Extism kernel memory (host-side blocks), in 64 KiB pages. */
  maxKernelPages: number;
  logger: HostLogger;
  /** Prefix for guest log lines (the plugin's name). */
  logPrefix: () => string;
  /** Told each line the guest logs at error (its abort handler's message, say). */
  onGuestError?: (message: string) => void;
}

/** What an export call returns: the guest's output (read it with {@link ownedBytes}). */
export interface GuestOutput {
  bytes(): Uint8Array;
}

/** A running guest: call exports, close. */
export interface GuestInstance {
  /**
   * Calls an export; `timeoutMs` overrides the instance's deadline for this call (worker mode).
   * Failures are the SDK's errors as thrown (normalise them with `toError`).
   */
  call(exportName: string, input: string | Uint8Array, timeoutMs?: number | null): Promise<GuestOutput | null>;
  close(): Promise<void>;
}

// rc13 reads a worker plugin's per-call deadline from `opts.timeoutMs` at every call.
// Internal to this pinned version; this wrapper is the only place that knows it.
function setSdkCallDeadline(plugin: Plugin, timeoutMs: number | null): void {
  const internal = plugin as unknown as { opts?: { timeoutMs?: number | null } };
  if (internal.opts && 'timeoutMs' in internal.opts) internal.opts.timeoutMs = timeoutMs;
}

/** Marks the SDK's timeout rejection so callers can tell it from a guest failure. */
export function isTimeoutError(error: Error): boolean {
  return error.message.includes('call canceled due to timeout');
}

function guestLogger(logger: HostLogger, prefix: () => string, onError?: (message: string) => void): Console {
  const line = (message: unknown) => `[plugin ${prefix()}] ${String(message)}`;
  return {
    error: (m: unknown) => {
      onError?.(String(m));
      logger.error(line(m));
    },
    warn: (m: unknown) => logger.warn(line(m)),
    info: (m: unknown) => logger.info(line(m)),
    debug: (m: unknown) => logger.debug(line(m)),
    trace: (m: unknown) => logger.trace(line(m)),
    log: (m: unknown) => logger.info(line(m)),
  } as unknown as Console;
}

/** Browsers share memory with workers only in cross-origin isolated pages. */
export const CROSS_ORIGIN_ISOLATION_HELP =
  'a plugin in a worker needs SharedArrayBuffer, which a browser gives only to a cross-origin isolated page: ' +
  'serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and ' +
  '"Cross-Origin-Embedder-Policy: require-corp", or load the plugin with runInWorker: false';

// rc13 keeps the memory it shares with a worker in this public but undocumented field.
function sdkSharedData(plugin: Plugin): SharedArrayBuffer | undefined {
  return (plugin as unknown as { sharedData?: SharedArrayBuffer }).sharedData;
}

/** Starts the SDK plugin with these host functions (a fresh object: the SDK mutates it). */
async function startPlugin(options: GuestInstanceOptions, hostFunctions: Record<string, ExtismHostFunction>): Promise<Plugin> {
  // Node leaves crossOriginIsolated undefined; a browser page without the headers says false.
  if (options.runInWorker && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    throw new Error(CROSS_ORIGIN_ISOLATION_HELP);
  }
  let plugin: Plugin;
  const create = () =>
    createPlugin(
      { wasm: [{ module: options.module }] },
      {
        useWasi: true,
        enableWasiOutput: false,
        runInWorker: options.runInWorker,
        // The SDK applies this to instantiation (start function included) ...
        ...(options.runInWorker && options.timeoutMs !== null ? { timeoutMs: options.timeoutMs } : {}),
        memory: { maxPages: options.maxKernelPages },
        functions: { [HOST_NAMESPACE]: hostFunctions },
        logger: guestLogger(options.logger, options.logPrefix, options.onGuestError),
        logLevel: 'trace',
      },
    );
  try {
    plugin = await (options.runInWorker ? failFastWhileStarting(options.logger, create) : create());
  } catch (error) {
    throw toError(error);
  }
  // ... but per call it would arm a 30-s timer that is never cleared (thousands pile up under
  // load), so calls get the clearable deadline of createGuestInstance instead.
  setSdkCallDeadline(plugin, null);
  return plugin;
}

const TIMED_OUT = Symbol('timed out');

// In worker mode rc13 never clears the host-side block list between calls: each call gets
// slower and memory grows (measured: 190 µs → 925 µs per call over 12,000 calls). A reset every
// few calls clears it; Extism vars survive a reset.
const WORKER_RESET_EVERY = 64;

/** The output's bytes, owned by the caller (a worker's output may sit in shared memory). */
export function ownedBytes(output: GuestOutput | null): Uint8Array | null {
  if (output === null) return null;
  const bytes = output.bytes();
  return bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}

// rc13 stores even an empty input as a block (and ships it to a worker at every call); no
// input reads the same to the guest (input_length 0), without the block.
function sdkInput(input: string | Uint8Array): string | Uint8Array | undefined {
  return input.length === 0 ? undefined : input;
}

/**
 * Instantiates a guest with WASI on (as in Rust) and the Diaryx host functions. In a worker,
 * a call that outlives its deadline terminates the worker and starts a fresh one (guest memory
 * is reset, as with the SDK's own timeout), so the plugin answers the next call.
 */
export async function createGuestInstance(options: GuestInstanceOptions): Promise<GuestInstance> {
  return options.runInWorker
    ? workerInstance(await startWorker(options), options)
    : inProcessInstance(await startPlugin(options, { ...options.hostFunctions }));
}

/**
 * The failure of an export that returned a non-zero status without setting an error (Extism's
 * rule: the status of an export is its i32 result; with `error_set` the SDK already fails the
 * call with the guest's text). `status` is null when it cannot be read (worker mode).
 */
export function exportStatusError(status: number | null): Error {
  const which = status === null ? 'a non-zero status' : `the non-zero status ${status}`;
  return new Error(
    `the export returned ${which} without an error message (Extism counts any status other than 0 as a failure; ` +
      'return 0 on success, or set an error message with error_set before returning non-zero)',
  );
}

function hasStatusCheck(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.exports(module).some((e) => e.name === STATUS_CHECK_EXPORT);
}

/** A worker-mode SDK plugin and its host functions (which know their calls in flight). */
interface WorkerPlugin {
  sdk: Plugin;
  hostCalls: WorkerHostFunctions;
}

async function startWorker(options: GuestInstanceOptions): Promise<WorkerPlugin> {
  const hostCalls = workerHostFunctions(options.hostFunctions);
  return { sdk: await startPlugin(options, hostCalls.functions), hostCalls };
}

// In-process the SDK resets its block list at every call and hands out a fresh buffer: the
// call is the SDK's call, with nothing added (each layer of promises costs a microtask turn).
async function inProcessInstance(plugin: Plugin): Promise<GuestInstance> {
  const instance = await plugin.getInstance();
  const status = instance.exports[STATUS_GLOBAL];
  const close = () => plugin.close();
  if (!(status instanceof WebAssembly.Global)) return { call: (exportName, input) => plugin.call(exportName, sdkInput(input)), close };
  return {
    call: (exportName, input) =>
      plugin.call(exportName, sdkInput(input)).then((output) => {
        const value = status.value as number;
        if (value !== 0) throw exportStatusError(value);
        return output;
      }),
    close,
  };
}

/**
 * The status of a worker call that returned (a rewritten module): the check export traps on a
 * non-zero status. Run after the call's deadline race: it is the loader's work, not the guest's.
 */
async function checkWorkerStatus(sdk: Plugin, output: GuestOutput | null): Promise<GuestOutput | null> {
  // The check is a call of its own: keep this call's output first, then clear the blocks the
  // call made (a call ships every block to the worker: an export that allocated 256 MiB would
  // otherwise send it all back for the check). Extism vars survive a reset.
  const bytes = ownedBytes(output);
  await sdk.reset();
  try {
    await sdk.call(STATUS_CHECK_EXPORT);
  } catch {
    throw exportStatusError(null);
  }
  return bytes === null ? null : { bytes: () => bytes };
}

function workerInstance(first: WorkerPlugin, options: GuestInstanceOptions): GuestInstance {
  let worker = first;
  let restarting: Promise<void> | null = null;
  let callsSinceReset = 0;
  const checkStatus = hasStatusCheck(options.module);
  return {
    async call(exportName, input, timeoutMs) {
      if (restarting) await restarting;
      const current = worker;
      // null: no deadline for this call; undefined: the instance's.
      const deadline = timeoutMs === undefined ? options.timeoutMs : timeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const call = current.sdk.call(exportName, sdkInput(input));
        const output =
          deadline === null
            ? await call
            : await Promise.race([call, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), deadline)))]);
        if (output === TIMED_OUT) {
          restarting = (async () => {
            await current.sdk.close().catch(() => undefined);
            releaseAbandonedAnswers(sdkSharedData(current.sdk), current.hostCalls);
            worker = await startWorker(options);
          })().finally(() => (restarting = null));
          await restarting;
          throw new Error('EXTISM: call canceled due to timeout');
        }
        if (checkStatus) return await checkWorkerStatus(current.sdk, output);
        // The output stays readable after a reset: rc13 copied it out of the worker.
        if (++callsSinceReset >= WORKER_RESET_EVERY) {
          callsSinceReset = 0;
          await current.sdk.reset();
        }
        return output;
      } catch (error) {
        throw toError(error);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (restarting) await restarting.catch(() => undefined);
      await worker.sdk.close();
    },
  };
}
