import type { Plugin } from '@extism/extism';
import { HOST_NAMESPACE } from '@diaryx/host-fns';
import { toError } from '../errors.js';
import { CallAbortedError, GuestExitError, isTimeoutError } from './call-stop.js';
import { CallDeadline } from './deadline.js';
import { KIT_WASI_MODULE } from './guest-entry-rewrite.js';
import { callSignal, callTimeout, type GuestInstance, type GuestInstanceOptions, type GuestOutput } from './guest-instance.js';
import {
  closerOf,
  closeWhenCollected,
  exportStatusError,
  forgetCollected,
  hasStatusCheck,
  sdkInput,
  startSdkPlugin,
} from './sdk-plugin.js';
import { STATUS_CHECK_EXPORT } from './export-status.js';
import { procExit } from './wasi-shim.js';
import { releaseAbandonedAnswers, type WorkerHostFunctions, workerHostFunctions } from './worker-host-calls.js';
import { startWorkerPlugin, watchesWorkerStarts } from './worker-start.js';

// Worker mode: each plugin in its own worker thread; a call past its deadline (or aborted)
// terminates the worker and the next call starts a fresh one (guest memory is reset, as with the
// SDK's own timeout). Host services may be async; every host call is a round trip to this thread.

/** A worker-mode SDK plugin, its host functions (which know their calls in flight), and what it shipped. */
interface WorkerRun {
  sdk: Plugin;
  hostCalls: WorkerHostFunctions;
  /** Since the last reset: calls, and bytes of blocks the worker shipped back (null: not countable). */
  shipped: { calls: number; bytes: number | null };
  /** The code of a WASI `proc_exit` in the current call (a host function in a worker cannot throw). */
  exit: { code: number | null };
}

// In worker mode rc13 never clears the host-side block list between calls: every block a call
// makes is shipped back from the worker and kept there (each call gets slower and memory grows;
// measured: 190 µs → 925 µs per call over 12,000 calls; an alloc bomb left 32 MiB per call). A
// reset clears it (Extism vars survive a reset): after 64 calls, or at once after a call that
// shipped 4 MiB or more, so the list stays small without a reset (a round trip) per call.
const WORKER_RESET_EVERY = 64;
const WORKER_RESET_BYTES = 4 * 2 ** 20;

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
function countShipped(sdk: Plugin): WorkerRun['shipped'] {
  const shipped: WorkerRun['shipped'] = { calls: 0, bytes: null };
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
async function releaseShippedBlocks(run: WorkerRun): Promise<void> {
  const shipped = run.shipped;
  shipped.calls++;
  if (shipped.bytes !== null && shipped.bytes < WORKER_RESET_BYTES && shipped.calls < WORKER_RESET_EVERY) return;
  shipped.calls = 0;
  if (shipped.bytes !== null) shipped.bytes = 0;
  await run.sdk.reset().catch(() => undefined);
}

// rc13 keeps the memory it shares with a worker in this public but undocumented field.
function sdkSharedData(plugin: Plugin): SharedArrayBuffer | undefined {
  return (plugin as unknown as { sharedData?: SharedArrayBuffer }).sharedData;
}

async function startWorker(options: GuestInstanceOptions, signal: AbortSignal | null): Promise<WorkerRun> {
  const hostCalls = workerHostFunctions(options.hostFunctions);
  const exit: WorkerRun['exit'] = { code: null };
  const functions = {
    [HOST_NAMESPACE]: hostCalls.functions,
    [KIT_WASI_MODULE]: { proc_exit: procExit((code) => (exit.code ??= code)) },
  };
  const sdk = await startWorkerPlugin(
    () =>
      startSdkPlugin({
        ...options,
        functions,
        runInWorker: true,
        // Where the start is watched here (Node), the SDK gets no start-up timer of its own.
        sdkStartTimeoutMs: watchesWorkerStarts ? null : options.startTimeoutMs,
      }),
    { deadlineMs: options.startTimeoutMs, signal, logger: options.logger },
  );
  return { sdk, hostCalls, shipped: countShipped(sdk), exit };
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

/** Terminates a worker on the side: a thread blocked in the host (a WASI sleep) ends only when that returns. */
function abandon(run: WorkerRun): void {
  void run.sdk
    .close()
    .catch(() => undefined)
    .then(() => releaseAbandonedAnswers(sdkSharedData(run.sdk), run.hostCalls));
}

/** A worker-mode instance; after a stop, the next call starts a fresh worker (a lazy restart). */
export async function workerInstance(options: GuestInstanceOptions): Promise<GuestInstance> {
  const holder: { current: WorkerRun | null } = { current: await startWorker(options, null) };
  const checkStatus = hasStatusCheck(options.module);
  const closing = new AbortController();
  let inFlight: Promise<unknown> | null = null;
  const counters = { calls: 0, busyMs: 0, timeouts: 0, restarts: 0 };

  const run = async (exportName: string, input: string | Uint8Array, deadline: CallDeadline): Promise<GuestOutput | null> => {
    let current = holder.current;
    if (current === null) {
      counters.restarts++;
      const starting = startWorker(options, deadline.signal);
      try {
        current = holder.current = await deadline.race(starting);
      } catch (error) {
        // The call's deadline passed while the worker started: end that worker when it arrives.
        starting.then((late) => late.sdk.close(), () => undefined).catch(() => undefined);
        throw error;
      }
    }
    counters.calls++;
    const started = performance.now();
    current.exit.code = null;
    const call = current.sdk.call(exportName, sdkInput(input));
    let output: GuestOutput | null = null;
    let failure: Error | null = null;
    try {
      output = await deadline.race(call);
      if (checkStatus) await checkWorkerStatus(current.sdk);
    } catch (error) {
      failure = toError(error);
    }
    counters.busyMs += performance.now() - started;
    if (failure instanceof CallAbortedError || (failure !== null && isTimeoutError(failure))) {
      // The stop is reported at once and the next call starts a fresh worker.
      call.catch(() => undefined);
      if (holder.current === current) holder.current = null;
      abandon(current);
      if (!(failure instanceof CallAbortedError)) counters.timeouts++;
      throw failure;
    }
    // A call that failed shipped its blocks too. The output stays readable after a reset: rc13
    // copied it out of the worker.
    await releaseShippedBlocks(current);
    // An exit replaces whatever the call ended with (the trap compilers put after proc_exit).
    const exitCode = current.exit.code;
    current.exit.code = null;
    if (exitCode !== null) throw new GuestExitError(exitCode);
    if (failure !== null) throw failure;
    return output;
  };

  const guest: GuestInstance = {
    call(exportName, input, callOptions) {
      const signal = callSignal(callOptions?.signal, closing.signal);
      if (signal.aborted) return Promise.reject(new CallAbortedError(signal.reason));
      const deadline = new CallDeadline(callTimeout(callOptions, options.timeoutMs), signal);
      options.activeDeadline.current = deadline;
      const call = run(exportName, input, deadline);
      inFlight = call;
      const clear = () => {
        if (inFlight !== call) return;
        inFlight = null;
        options.activeDeadline.current = null;
      };
      call.then(clear, clear);
      return call;
    },
    stats: () => ({ ...counters, memoryBytes: null }),
    async close() {
      forgetCollected(guest);
      closing.abort(new Error('the plugin was closed'));
      await inFlight?.catch(() => undefined);
      const current = holder.current;
      holder.current = null;
      await current?.sdk.close();
    },
  };
  closeWhenCollected(guest, closerOf(holder));
  return guest;
}
