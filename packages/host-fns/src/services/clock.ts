/** The host's clock (`host_get_timestamp`, `host_get_now`); injectable for tests. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  /**
   * The local zone's offset from UTC in minutes at the given instant (east positive, so
   * UTC-7 is -420). This is the negation of `Date#getTimezoneOffset`.
   */
  utcOffsetMinutes(atMs: number): number;
}

/** The machine's clock and time zone. */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  utcOffsetMinutes: (atMs) => -new Date(atMs).getTimezoneOffset(),
};

/** A clock fixed at one instant and offset (tests). */
export function fixedClock(at: Date | number | string, utcOffsetMinutes = 0): Clock {
  const ms = typeof at === 'number' ? at : new Date(at).getTime();
  if (!Number.isFinite(ms)) throw new Error(`fixedClock: not a valid date: ${String(at)}`);
  return { nowMs: () => ms, utcOffsetMinutes: () => utcOffsetMinutes };
}
