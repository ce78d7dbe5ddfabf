import type { Plugin } from '@extism/extism';
import { type ExtismHostFunction, HOST_NAMESPACE } from '@diaryx/host-fns';
import { METER_IMPORT } from '@diaryx/wasm';
import { CallAbortedError, TIMEOUT_MESSAGE } from './call-stop.js';
import { createFuelMeter, type FuelMeter } from './fuel-meter.js';
import { ENTRY_EXPORTS, KIT_WASI_MODULE } from './guest-entry-rewrite.js';
import { stackOfStoppedGuest, withGuestStack } from './guest-location.js';
import { callSignal, callTimeout, type GuestInstance, type GuestInstanceOptions } from './guest-instance.js';
import {
  checkedStatus,
  closerOf,
  closeWhenCollected,
  forgetCollected,
  type SdkFunction,
  sdkInput,
  startSdkPlugin,
  statusGlobal,
  suspendsOnPromise,
} from './sdk-plugin.js';
import { CHUNKED_WASI_FUNCTIONS, type KitWasi, meteredWasi } from './wasi-shim.js';

// Metered mode: the guest runs on the caller's thread, its wasm rewritten with fuel checks
// (@diaryx/wasm meterModule) that call the meter's import about once per millisecond. There the
// meter stops a call past its deadline or after an abort, and, where the runtime has JSPI, gives
// the thread back: the guest is suspended for a macrotask once its slice is over (wasmtime's
// epoch/fuel async yielding, on JSPI), so a runaway plugin holds the thread one slice at a time.

/** How long a stopped js-runtime guest may take to say where it was. */
const WHERE_DEADLINE_MS = 50;

/** One metered SDK plugin, with the meter and WASI its imports share. */
interface MeteredRun {
  sdk: Plugin;
  meter: FuelMeter;
  wasi: KitWasi;
  /** The export status global (see export-status.ts), when the module has one. */
  status: WebAssembly.Global | null;
  memory: WebAssembly.Memory | null;
}

/**
 * Host functions that first check the call's stop (a host-call storm is stopped too); with
 * JSPI, an async service's Promise suspends the guest and loses the race against the stop.
 */
function stopChecked(functions: Record<string, ExtismHostFunction>, meter: FuelMeter, suspends: boolean): Record<string, SdkFunction> {
  const checked: Record<string, SdkFunction> = {};
  for (const [name, fn] of Object.entries(functions)) {
    const wrapped: ExtismHostFunction = suspends
      ? (memory, input) => {
          meter.checkDeadline();
          const result = fn(memory, input);
          return typeof result === 'bigint' ? result : meter.race(result);
        }
      : (memory, input) => {
          meter.checkDeadline();
          return fn(memory, input);
        };
    checked[name] = (suspends ? suspendsOnPromise(wrapped as SdkFunction) : wrapped) as SdkFunction;
  }
  return checked;
}

function wasiFunctions(wasi: KitWasi, yielding: boolean): Record<string, SdkFunction> {
  const out: Record<string, SdkFunction> = {};
  for (const [name, fn] of Object.entries(wasi.functions)) {
    out[name] = (yielding && CHUNKED_WASI_FUNCTIONS.has(name) ? suspendsOnPromise(fn as SdkFunction) : fn) as SdkFunction;
  }
  return out;
}

/**
 * Instantiates (no guest code runs: the rewrite deferred it) and then runs the module's start
 * function and `_initialize` as calls under the start-up deadline, yielding like any call.
 */
async function startMetered(options: GuestInstanceOptions, signal: AbortSignal | null): Promise<MeteredRun> {
  const yielding = options.sliceMs !== null;
  const meter = createFuelMeter({ sliceMs: options.sliceMs });
  const wasi = meteredWasi(meter, { yielding, sliceMs: options.sliceMs, source: options.wasiSource });
  const outOfFuel = () => meter.outOfFuel();
  const functions = {
    [HOST_NAMESPACE]: stopChecked(options.hostFunctions, meter, options.asyncHostServices),
    [METER_IMPORT.module]: { [METER_IMPORT.name]: (yielding ? suspendsOnPromise(outOfFuel) : outOfFuel) as SdkFunction },
    [KIT_WASI_MODULE]: wasiFunctions(wasi, yielding),
  };
  meter.arm(options.startTimeoutMs, signal);
  const sdk = await startSdkPlugin({ ...options, functions, runInWorker: false, sdkStartTimeoutMs: null });
  try {
    const instance = await sdk.getInstance();
    const memory = instance.exports[ENTRY_EXPORTS.memory];
    wasi.bind(memory instanceof WebAssembly.Memory ? memory : null);
    for (const entry of [ENTRY_EXPORTS.start, ENTRY_EXPORTS.initialize]) {
      if (typeof instance.exports[entry] === 'function') await sdk.call(entry);
    }
    return { sdk, meter, wasi, status: statusGlobal(instance), memory: memory instanceof WebAssembly.Memory ? memory : null };
  } catch (error) {
    await sdk.close().catch(() => undefined);
    if (meter.timedOut) throw new Error(`${TIMEOUT_MESSAGE} (while the plugin was being instantiated)`, { cause: error });
    throw error;
  }
}

/**
 * A metered instance. After a call stopped mid-way (its deadline, an abort) the instance is
 * dropped, its memory possibly inconsistent; the next call starts a fresh one (a lazy restart,
 * whose start code is metered under its own start-up deadline and yields).
 */
export async function meteredInstance(options: GuestInstanceOptions): Promise<GuestInstance> {
  const holder: { current: MeteredRun | null } = { current: await startMetered(options, null) };
  const closing = new AbortController();
  // A call in progress, and who waits for it to end (close): counted rather than tracked as a
  // promise, so the call path makes no promise of its own for it.
  let active = 0;
  let onIdle: (() => void) | null = null;
  const counters = { calls: 0, busyMs: 0, timeouts: 0, restarts: 0 };

  const run = async (exportName: string, input: string | Uint8Array, signal: AbortSignal, timeoutMs: number | null) => {
    active++;
    try {
      return await runCall(exportName, input, signal, timeoutMs);
    } finally {
      if (--active === 0 && onIdle) {
        onIdle();
        onIdle = null;
      }
    }
  };

  const runCall = async (exportName: string, input: string | Uint8Array, signal: AbortSignal, timeoutMs: number | null) => {
    let current = holder.current;
    if (current === null) {
      counters.restarts++;
      current = holder.current = await startMetered(options, signal);
      options.onRestart?.(counters.restarts);
    }
    options.activeDeadline.current = current.meter.arm(timeoutMs, signal);
    counters.calls++;
    const started = performance.now();
    try {
      const output = await current.sdk.call(exportName, sdkInput(input));
      return current.status ? checkedStatus(current.status, output) : output;
    } catch (error) {
      const { meter } = current;
      if (!meter.timedOut && !meter.aborted) throw error;
      // Stopped mid-way: the instance is dropped (its memory may be inconsistent) and the stop
      // is reported at once; a js-runtime plugin first says where it was (its JavaScript stack).
      if (holder.current === current) holder.current = null;
      let stop: Error;
      if (meter.aborted) stop = error instanceof CallAbortedError ? error : new CallAbortedError(signal.reason);
      else {
        counters.timeouts++;
        const stack = await stackOfStoppedGuest(current.sdk, () => meter.arm(WHERE_DEADLINE_MS));
        stop = withGuestStack(new Error(TIMEOUT_MESSAGE, { cause: error }), stack);
      }
      void current.sdk.close().catch(() => undefined);
      throw stop;
    } finally {
      counters.busyMs += performance.now() - started;
      options.activeDeadline.current = null;
    }
  };

  const guest: GuestInstance = {
    call(exportName, input, callOptions) {
      const signal = callSignal(callOptions?.signal, closing.signal);
      if (signal.aborted) return Promise.reject(new CallAbortedError(signal.reason));
      return run(exportName, input, signal, callTimeout(callOptions, options.timeoutMs));
    },
    stats: () => ({ ...counters, memoryBytes: holder.current?.memory?.buffer.byteLength ?? null }),
    async close() {
      forgetCollected(guest);
      closing.abort(new Error('the plugin was closed'));
      if (active > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      await holder.current?.sdk.close();
      holder.current = null;
    },
  };
  closeWhenCollected(guest, closerOf(holder));
  return guest;
}
