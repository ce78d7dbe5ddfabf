import { CallAbortedError, isTimeoutError } from './call-stop.js';
import { type Clock, CallDeadline } from './deadline.js';
import { nextTask } from './after-pending-tasks.js';

export { TIMEOUT_MESSAGE } from './call-stop.js';

// The first refill of a call, and the bounds of later ones. A refill is meant to last about
// REFILL_TARGET_MS of guest time, so the clock is read about once per millisecond whatever the
// guest's loops cost: a refill that ran out sooner than half the target doubles, one that lasted
// longer than twice the target halves. The cap bounds what a guest can buy by first running code
// that costs fuel but no time (a body of nops) and then code that costs time per unit of fuel
// (host calls weigh 256, bulk memory operations one unit per 16 bytes): at ~1 ns a unit, 2^20
// units is ~1 ms, and a refill that fast costs the host ~1 µs per ms of guest time.
const FIRST_REFILL = 20_000;
const MIN_REFILL = 1_000;
const MAX_REFILL = 1 << 20;
const REFILL_TARGET_MS = 1;

/** How a meter shares the thread (see {@link createFuelMeter}). */
export interface FuelMeterOptions {
  /**
   * Longest stretch of guest time, in ms, before the guest is suspended and the event loop runs
   * (a macrotask); null never yields. Yielding needs JSPI: the meter's import is then a
   * `WebAssembly.Suspending` function, which returns a Promise only when it yields.
   */
  sliceMs: number | null;
  /** The clock (tests move one by hand). */
  now?: Clock;
}

/**
 * The host side of a metered guest (see `meterModule` in @diaryx/wasm): hands out fuel, stops
 * the guest once the current call's deadline has passed or its signal fired, and (with a slice)
 * gives the thread back to the event loop between slices. One meter per guest instance.
 */
export interface FuelMeter {
  /** Starts a call (or instantiation) that must end within `timeoutMs` (null: no deadline). */
  arm(timeoutMs: number | null, signal?: AbortSignal | null): CallDeadline;
  /**
   * The `diaryx:meter` `out_of_fuel` import: the next refill, or a trap past the deadline or
   * after an abort; a Promise of the refill when the slice is over and the meter yields.
   */
  outOfFuel(): number | Promise<number>;
  /** Throws (a trap) when the call must stop; host functions call it before they run. */
  checkDeadline(): void;
  /** Settles as `pending` does, or rejects (a trap) when the call must stop first. */
  race<T>(pending: Promise<T>): Promise<T>;
  /** Whether the last armed call was stopped by its deadline. */
  readonly timedOut: boolean;
  /** Whether the last armed call was stopped by its signal. */
  readonly aborted: boolean;
  /** Times the guest gave the thread back since the meter was made. */
  readonly yields: number;
}

export function createFuelMeter(options: FuelMeterOptions = { sliceMs: null }): FuelMeter {
  const now = options.now ?? (() => performance.now());
  const sliceMs = options.sliceMs;
  let deadline = new CallDeadline(null, null, now);
  let refill = FIRST_REFILL;
  let lastRefillAt = 0;
  let sliceStart = 0;
  let timedOut = false;
  let aborted = false;
  let yields = 0;
  const check = (at: number): void => {
    try {
      deadline.check(at);
    } catch (error) {
      if (error instanceof CallAbortedError) aborted = true;
      else timedOut = true;
      throw error;
    }
  };
  const nextRefill = (at: number): number => {
    const lasted = at - lastRefillAt;
    lastRefillAt = at;
    if (lasted < REFILL_TARGET_MS / 2) refill = Math.min(MAX_REFILL, refill * 2);
    else if (lasted > REFILL_TARGET_MS * 2) refill = Math.max(MIN_REFILL, Math.floor(refill / 2));
    return refill;
  };
  // The guest is suspended here; other plugins, timers, I/O and the UI run; then the stop is
  // checked (a deadline that passed meanwhile, an abort) before the guest resumes.
  const resumeAfterYield = (): number => {
    yields++;
    const at = now();
    check(at);
    sliceStart = at;
    lastRefillAt = at;
    return refill;
  };
  return {
    arm(timeoutMs, signal = null) {
      const at = now();
      deadline = new CallDeadline(timeoutMs, signal, now);
      lastRefillAt = at;
      sliceStart = at;
      // Each call starts small: what the last one's code bought says nothing about this one's.
      refill = FIRST_REFILL;
      timedOut = false;
      aborted = false;
      return deadline;
    },
    outOfFuel() {
      const at = now();
      check(at);
      if (sliceMs !== null && at - sliceStart >= sliceMs) return nextTask().then(resumeAfterYield);
      return nextRefill(at);
    },
    checkDeadline() {
      check(now());
    },
    race(pending) {
      return deadline.race(pending).catch((error: unknown) => {
        if (error instanceof CallAbortedError) aborted = true;
        else if (error instanceof Error && isTimeoutError(error)) timedOut = true;
        throw error;
      });
    },
    get timedOut() {
      return timedOut;
    },
    get aborted() {
      return aborted;
    },
    get yields() {
      return yields;
    },
  };
}
