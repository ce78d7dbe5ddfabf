import createPlugin, { type Plugin } from '@extism/extism';
import type { ExtismHostFunction, HostLogger } from '@diaryx/host-fns';
import { HOST_NAMESPACE } from '@diaryx/host-fns';
import { METER_IMPORT } from '@diaryx/wasm';
import { toError } from '../errors.js';
import { STATUS_CHECK_EXPORT, STATUS_GLOBAL } from './export-status.js';
import { failFastWhileStarting } from './worker-start-failures.js';
import type { ResolvedPluginMode } from '../options.js';
import { createFuelMeter, type FuelMeter, TIMEOUT_MESSAGE } from './fuel-meter.js';
import { releaseAbandonedAnswers, type WorkerHostFunctions, workerHostFunctions } from './worker-host-calls.js';

// The one module that touches @extism/extism (pinned to 2.0.0-rc13), with worker-host-calls for
// its worker-mode defects: moving to another SDK version is a change here only.

/** How to run one guest instance. */
export interface GuestInstanceOptions {
  module: WebAssembly.Module;
  hostFunctions: Record<string, ExtismHostFunction>;
  /** Where the guest runs; a `metered` module must come from `meterModule` (@diaryx/wasm). */
  mode: ResolvedPluginMode;
  /** Metered mode: host functions may suspend the guest on a Promise (JSPI). */
  asyncHostServices: boolean;
  /** Per-call deadline (worker and metered modes); null = none. */
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
  '"Cross-Origin-Embedder-Policy: require-corp", or load the plugin with mode: \'metered\' (in-process with a deadline)';

// rc13 keeps the memory it shares with a worker in this public but undocumented field.
function sdkSharedData(plugin: Plugin): SharedArrayBuffer | undefined {
  return (plugin as unknown as { sharedData?: SharedArrayBuffer }).sharedData;
}

/** Starts the SDK plugin with these host functions (a fresh object: the SDK mutates it). */
async function startPlugin(
  options: GuestInstanceOptions,
  hostFunctions: Record<string, ExtismHostFunction>,
  meter: FuelMeter | null = null,
): Promise<Plugin> {
  const runInWorker = options.mode === 'worker';
  // Node leaves crossOriginIsolated undefined; a browser page without the headers says false.
  if (runInWorker && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    throw new Error(CROSS_ORIGIN_ISOLATION_HELP);
  }
  let plugin: Plugin;
  const create = () =>
    createPlugin(
      { wasm: [{ module: options.module }] },
      {
        useWasi: true,
        enableWasiOutput: false,
        runInWorker,
        // The SDK applies this to instantiation (start function included) ...
        ...(runInWorker && options.timeoutMs !== null ? { timeoutMs: options.timeoutMs } : {}),
        memory: { maxPages: options.maxKernelPages },
        functions: meter
          ? { [HOST_NAMESPACE]: hostFunctions, [METER_IMPORT.module]: { [METER_IMPORT.name]: () => meter.outOfFuel() } }
          : { [HOST_NAMESPACE]: hostFunctions },
        logger: guestLogger(options.logger, options.logPrefix, options.onGuestError),
        logLevel: 'trace',
      },
    );
  try {
    plugin = await (runInWorker ? failFastWhileStarting(options.logger, create) : create());
  } catch (error) {
    throw toError(error);
  }
  // ... but per call it would arm a 30-s timer that is never cleared (thousands pile up under
  // load), so calls get the clearable deadline of createGuestInstance instead.
  setSdkCallDeadline(plugin, null);
  return plugin;
}

const TIMED_OUT = Symbol('timed out');

// In worker mode rc13 never clears the host-side block list between calls: every block a call
// makes is shipped back from the worker and kept there (each call gets slower and memory grows;
// measured: 190 µs → 925 µs per call over 12,000 calls; an alloc bomb left 32 MiB per call). A
// reset clears it (Extism vars survive a reset): after 64 calls, or at once after a call that
// shipped 4 MiB or more, so the list stays small without a reset (a round trip) per call.
const WORKER_RESET_EVERY = 64;
const WORKER_RESET_BYTES = 4 * 2 ** 20;

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
  if (options.mode === 'worker') return workerInstance(await startWorker(options), options);
  if (options.mode === 'metered') return meteredInstance(await startMetered(options), options);
  return inProcessInstance(await startPlugin(options, { ...options.hostFunctions }));
}

/** A metered SDK plugin and the meter its fuel import and host functions share. */
interface MeteredPlugin {
  sdk: Plugin;
  meter: FuelMeter;
  /** The export status global (see export-status.ts), when the module has one. */
  status: WebAssembly.Global | null;
}

const AsyncFunction = (async () => undefined).constructor;

// rc13 wraps a host function in WebAssembly.Suspending (JSPI) when its constructor is
// AsyncFunction; marked so, a plain function suspends the guest only when it returns a Promise
// (a value is returned at once, without the cost of a suspension).
function suspendsOnPromise(fn: ExtismHostFunction): ExtismHostFunction {
  Object.defineProperty(fn, 'constructor', { value: AsyncFunction });
  return fn;
}

/**
 * Host functions that first check the call's deadline (a host-call storm is stopped too); with
 * JSPI, an async service's Promise suspends the guest and loses the race against the deadline.
 */
function deadlineChecked(
  functions: Record<string, ExtismHostFunction>,
  meter: FuelMeter,
  jspi: boolean,
): Record<string, ExtismHostFunction> {
  const checked: Record<string, ExtismHostFunction> = {};
  for (const [name, fn] of Object.entries(functions)) {
    checked[name] = jspi
      ? suspendsOnPromise((memory, input) => {
          meter.checkDeadline();
          const result = fn(memory, input);
          return typeof result === 'bigint' ? result : meter.race(result);
        })
      : (memory, input) => {
          meter.checkDeadline();
          return fn(memory, input);
        };
  }
  return checked;
}

async function startMetered(options: GuestInstanceOptions): Promise<MeteredPlugin> {
  const meter = createFuelMeter();
  // Instantiation (the module's start function included) runs under the instance's deadline.
  meter.arm(options.timeoutMs);
  try {
    const functions = deadlineChecked(options.hostFunctions, meter, options.asyncHostServices);
    const sdk = await startPlugin(options, functions, meter);
    return { sdk, meter, status: await statusGlobal(sdk) };
  } catch (error) {
    throw meter.timedOut ? new Error(`${TIMEOUT_MESSAGE} (while the plugin was being instantiated)`) : error;
  }
}

/**
 * In-process, with the deadline kept by the guest's own fuel checks. After a deadline trap the
 * instance is replaced (fresh memory, like a worker restart) and the plugin answers the next call.
 */
function meteredInstance(first: MeteredPlugin, options: GuestInstanceOptions): GuestInstance {
  // current is null while a replacement could not be started: the next call tries again. Held in
  // an object so that what closes a dropped instance reads the current plugin.
  const running: { current: MeteredPlugin | null } = { current: first };
  let restarting: Promise<void> | null = null;
  const call = async (exportName: string, input: string | Uint8Array, timeoutMs?: number | null) => {
    if (restarting) await restarting;
    running.current ??= await startMetered(options);
    const plugin = running.current;
    // null: no deadline for this call; undefined: the instance's.
    plugin.meter.arm(timeoutMs === undefined ? options.timeoutMs : timeoutMs);
    try {
      const output = await plugin.sdk.call(exportName, sdkInput(input));
      return plugin.status ? checkedStatus(plugin.status, output) : output;
    } catch (error) {
      if (!plugin.meter.timedOut) throw error;
      // The timeout is reported at once; the next call waits for the replacement.
      running.current = null;
      restarting = (async () => {
        await plugin.sdk.close().catch(() => undefined);
        running.current = await startMetered(options).catch(() => null);
      })().finally(() => (restarting = null));
      throw new Error(TIMEOUT_MESSAGE, { cause: error });
    }
  };
  const instance: GuestInstance = {
    call,
    async close() {
      closedOnCollection.unregister(instance);
      if (restarting) await restarting;
      await running.current?.sdk.close();
    },
  };
  closedOnCollection.register(instance, closerOfMetered(running), instance);
  return instance;
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

/** The exported status global of a rewritten module's instance (see export-status.ts), if any. */
async function statusGlobal(plugin: Plugin): Promise<WebAssembly.Global | null> {
  const status = (await plugin.getInstance()).exports[STATUS_GLOBAL];
  return status instanceof WebAssembly.Global ? status : null;
}

/** The output of an in-process call whose export returned; a non-zero status fails it. */
function checkedStatus(status: WebAssembly.Global, output: GuestOutput | null): GuestOutput | null {
  const value = status.value as number;
  if (value !== 0) throw exportStatusError(value);
  return output;
}

function hasStatusCheck(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.exports(module).some((e) => e.name === STATUS_CHECK_EXPORT);
}

/** A worker-mode SDK plugin and its host functions (which know their calls in flight). */
interface WorkerPlugin {
  sdk: Plugin;
  hostCalls: WorkerHostFunctions;
  /** Since the last reset: calls, and bytes of blocks the worker shipped back (null: not countable). */
  shipped: { calls: number; bytes: number | null };
}

type MessageSource = { on?: (event: 'message', listener: (message: unknown) => void) => void } & {
  addEventListener?: (event: 'message', listener: (event: { data: unknown }) => void) => void;
};

// rc13 answers a worker call with a "return" message whose results[1].state.blocks lists the
// blocks the call made ([buffer, index] pairs); its worker is the public but undocumented field
// `worker` (a Node Worker, or a Web Worker in a browser).
function shippedBlockBytes(message: unknown): number {
  if (typeof message !== 'object' || message === null) return 0;
  const { type, results } = message as { type?: unknown; results?: unknown };
  if (type !== 'return' || !Array.isArray(results)) return 0;
  const blocks = (results[1] as { state?: { blocks?: unknown } } | null)?.state?.blocks;
  if (!Array.isArray(blocks)) return 0;
  let bytes = 0;
  for (const block of blocks) {
    const buffer = Array.isArray(block) ? (block[0] as { byteLength?: unknown } | null) : null;
    if (typeof buffer?.byteLength === 'number') bytes += buffer.byteLength;
  }
  return bytes;
}

/** Counts what the SDK's worker ships back; when the worker cannot be observed, bytes stay null. */
function countShipped(sdk: Plugin): WorkerPlugin['shipped'] {
  const shipped: WorkerPlugin['shipped'] = { calls: 0, bytes: null };
  const worker = (sdk as unknown as { worker?: MessageSource | null }).worker;
  const count = (message: unknown) => {
    if (shipped.bytes !== null) shipped.bytes += shippedBlockBytes(message);
  };
  if (typeof worker?.on === 'function') worker.on('message', count);
  else if (typeof worker?.addEventListener === 'function') worker.addEventListener('message', (event) => count(event.data));
  else return shipped;
  shipped.bytes = 0;
  return shipped;
}

/**
 * Resets the SDK's block list when enough has piled up (see WORKER_RESET_EVERY), or after every
 * call when the shipped bytes cannot be counted. A failed reset is left to the next call to show.
 */
async function releaseShippedBlocks(worker: WorkerPlugin): Promise<void> {
  const shipped = worker.shipped;
  shipped.calls++;
  if (shipped.bytes !== null && shipped.bytes < WORKER_RESET_BYTES && shipped.calls < WORKER_RESET_EVERY) return;
  shipped.calls = 0;
  if (shipped.bytes !== null) shipped.bytes = 0;
  await worker.sdk.reset().catch(() => undefined);
}

async function startWorker(options: GuestInstanceOptions): Promise<WorkerPlugin> {
  const hostCalls = workerHostFunctions(options.hostFunctions);
  const sdk = await startPlugin(options, hostCalls.functions);
  return { sdk, hostCalls, shipped: countShipped(sdk) };
}

// An instance the app drops without close() is closed when it is garbage-collected. In-process,
// rc13 opens /dev/null twice (as FileHandles) for the guest's WASI stdin and stdout and closes
// them only in close(); a FileHandle left to the garbage collector is an uncaught error from
// Node 26 on ("A FileHandle object was closed during garbage collection"), which kills the host.
// The registry holds the SDK plugin (and so its FileHandles) until it has closed them. In a
// worker, closing ends the worker, which would otherwise keep running and the process alive.
// The held closers are made by the functions below, outside the instances' scopes: a closure made
// next to an instance would share its scope, keep it reachable, and it would never be collected.
const closedOnCollection = new FinalizationRegistry<() => Promise<void>>((close) => {
  close().catch(() => undefined);
});
const closerOf = (plugin: Plugin) => () => plugin.close();
const closerOfRunning = (running: { worker: WorkerPlugin }) => () => running.worker.sdk.close();
const closerOfMetered = (running: { current: MeteredPlugin | null }) => async () => {
  await running.current?.sdk.close();
};

// In-process the SDK resets its block list at every call and hands out a fresh buffer: the
// call is the SDK's call, with nothing added (each layer of promises costs a microtask turn).
async function inProcessInstance(plugin: Plugin): Promise<GuestInstance> {
  const status = await statusGlobal(plugin);
  const instance: GuestInstance = {
    call: status
      ? (exportName, input) => plugin.call(exportName, sdkInput(input)).then((output) => checkedStatus(status, output))
      : (exportName, input) => plugin.call(exportName, sdkInput(input)),
    close: () => {
      closedOnCollection.unregister(instance);
      return plugin.close();
    },
  };
  closedOnCollection.register(instance, closerOf(plugin), instance);
  return instance;
}

/**
 * The status of a worker call that returned (a rewritten module): the check export traps on a
 * non-zero status. Run after the call's deadline race: it is the loader's work, not the guest's.
 * One round trip: the check ships no block either way, so it needs no reset first.
 */
async function checkWorkerStatus(sdk: Plugin): Promise<void> {
  try {
    await sdk.call(STATUS_CHECK_EXPORT);
  } catch {
    throw exportStatusError(null);
  }
}

function workerInstance(first: WorkerPlugin, options: GuestInstanceOptions): GuestInstance {
  // The worker is swapped on a restart; what closes a dropped instance reads the current one.
  const running = { worker: first };
  let restarting: Promise<void> | null = null;
  const checkStatus = hasStatusCheck(options.module);
  const instance: GuestInstance = {
    async call(exportName, input, timeoutMs) {
      if (restarting) await restarting;
      const current = running.worker;
      // null: no deadline for this call; undefined: the instance's.
      const deadline = timeoutMs === undefined ? options.timeoutMs : timeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const call = current.sdk.call(exportName, sdkInput(input));
        let timedOut = false;
        let output: GuestOutput | null = null;
        try {
          const settled =
            deadline === null
              ? await call
              : await Promise.race([call, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), deadline)))]);
          if (settled === TIMED_OUT) timedOut = true;
          else {
            output = settled;
            if (checkStatus) await checkWorkerStatus(current.sdk);
          }
        } finally {
          // A call that failed shipped its blocks too. The output stays readable after a
          // reset: rc13 copied it out of the worker. After a timeout the worker is replaced.
          if (!timedOut) await releaseShippedBlocks(current);
        }
        if (timedOut) {
          // The timeout is reported at once and the next call waits for a fresh worker. The old
          // one is terminated on the side: a thread blocked in the host (a WASI sleep) ends only
          // when that returns, and nothing here may wait for it.
          void current.sdk
            .close()
            .catch(() => undefined)
            .then(() => releaseAbandonedAnswers(sdkSharedData(current.sdk), current.hostCalls));
          restarting = (async () => {
            running.worker = await startWorker(options);
          })().finally(() => (restarting = null));
          restarting.catch(() => undefined);
          throw new Error('EXTISM: call canceled due to timeout');
        }
        return output;
      } catch (error) {
        throw toError(error);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closedOnCollection.unregister(instance);
      if (restarting) await restarting.catch(() => undefined);
      await running.worker.sdk.close();
    },
  };
  closedOnCollection.register(instance, closerOfRunning(running), instance);
  return instance;
}
