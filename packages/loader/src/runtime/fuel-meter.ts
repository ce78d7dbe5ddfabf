/** The message every deadline failure carries (the worker's and the SDK's own wording). */
export const TIMEOUT_MESSAGE = 'EXTISM: call canceled due to timeout';

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

/**
 * The host side of a metered guest (see `meterModule` in @diaryx/wasm): hands out fuel and stops
 * the guest once the current call's deadline has passed. One meter per guest instance.
 */
export interface FuelMeter {
  /** Starts a call (or instantiation) that must end within `timeoutMs` (null: no deadline). */
  arm(timeoutMs: number | null): void;
  /** The `diaryx:meter` `out_of_fuel` import: the next refill, or a trap past the deadline. */
  outOfFuel(): number;
  /** Throws (a trap) when the deadline has passed; host functions call it before they run. */
  checkDeadline(): void;
  /** Settles as `pending` does, or rejects (a trap) when the deadline passes first. */
  race<T>(pending: Promise<T>): Promise<T>;
  /** Whether the last armed call was stopped by its deadline. */
  readonly timedOut: boolean;
}

export function createFuelMeter(now: () => number = () => performance.now()): FuelMeter {
  let deadline = Number.POSITIVE_INFINITY;
  let refill = FIRST_REFILL;
  let lastRefillAt = 0;
  let timedOut = false;
  const stop = (): never => {
    timedOut = true;
    throw new Error(TIMEOUT_MESSAGE);
  };
  return {
    arm(timeoutMs) {
      const at = now();
      deadline = timeoutMs === null ? Number.POSITIVE_INFINITY : at + timeoutMs;
      lastRefillAt = at;
      // Each call starts small: what the last one's code bought says nothing about this one's.
      refill = FIRST_REFILL;
      timedOut = false;
    },
    outOfFuel() {
      const at = now();
      if (at >= deadline) stop();
      const lasted = at - lastRefillAt;
      lastRefillAt = at;
      if (lasted < REFILL_TARGET_MS / 2) refill = Math.min(MAX_REFILL, refill * 2);
      else if (lasted > REFILL_TARGET_MS * 2) refill = Math.max(MIN_REFILL, Math.floor(refill / 2));
      return refill;
    },
    checkDeadline() {
      if (now() >= deadline) stop();
    },
    race(pending) {
      if (deadline === Number.POSITIVE_INFINITY) return pending;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          try {
            stop();
          } catch (error) {
            reject(error);
          }
        }, Math.max(0, deadline - now()));
      });
      return Promise.race([pending, expired]).finally(() => clearTimeout(timer));
    },
    get timedOut() {
      return timedOut;
    },
  };
}
