import { CallAbortedError, TIMEOUT_MESSAGE } from './call-stop.js';

/** Reads the time in ms (`performance.now()`; tests pass a clock they move by hand). */
export type Clock = () => number;

const systemClock: Clock = () => performance.now();

/**
 * The deadline of one guest call, shared by every mode: when it expires, and whether the caller
 * aborted the call. It can be paused while the host waits for a person (an async permission
 * checker asking the user): that time is not the plugin's, so it is added back to the deadline.
 */
export class CallDeadline {
  #at: number;
  #paused = 0;
  #pausedSince = 0;

  constructor(
    timeoutMs: number | null,
    /** The caller's signal (and the plugin's close); checked wherever the deadline is. */
    readonly signal: AbortSignal | null = null,
    readonly now: Clock = systemClock,
  ) {
    this.#at = timeoutMs === null ? Number.POSITIVE_INFINITY : now() + timeoutMs;
  }

  /** True once the deadline has passed (never while paused). */
  expired(at: number = this.now()): boolean {
    return this.#paused === 0 && at >= this.#at;
  }

  /** Throws the call's stop (aborted, or timed out) if there is one. */
  check(at: number = this.now()): void {
    if (this.signal?.aborted) throw new CallAbortedError(this.signal.reason);
    if (this.expired(at)) throw new Error(TIMEOUT_MESSAGE);
  }

  /** Pauses the deadline until the returned function is called (pauses may nest). */
  pause(): () => void {
    if (this.#paused++ === 0) this.#pausedSince = this.now();
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      if (--this.#paused === 0) this.#at += this.now() - this.#pausedSince;
    };
  }

  /**
   * Settles as `pending` does, or rejects with the call's stop when the deadline passes or the
   * signal fires first. The timer re-arms itself when a pause moved the deadline.
   */
  race<T>(pending: Promise<T>): Promise<T> {
    if (this.#at === Number.POSITIVE_INFINITY && this.signal === null) return pending;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_resolve, reject) => {
      const fail = () => {
        try {
          this.check(Number.POSITIVE_INFINITY);
        } catch (error) {
          reject(error);
        }
      };
      if (this.signal) {
        if (this.signal.aborted) return fail();
        onAbort = fail;
        this.signal.addEventListener('abort', onAbort, { once: true });
      }
      if (this.#at === Number.POSITIVE_INFINITY) return;
      const arm = () => {
        timer = setTimeout(() => (this.expired() ? fail() : arm()), Math.max(0, this.#at - this.now()));
      };
      arm();
    });
    return Promise.race([pending, stopped]).finally(() => {
      clearTimeout(timer);
      if (onAbort) this.signal?.removeEventListener('abort', onAbort);
    });
  }
}
