import { defineHostFunction } from '../runtime/define.js';

const two = (n: number) => String(n).padStart(2, '0');

/** RFC 3339 local time with whole seconds and a numeric offset (`+00:00`, never `Z`). */
export function formatRfc3339(ms: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${String(local.getUTCFullYear()).padStart(4, '0')}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` +
    `T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}` +
    `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
  );
}

/** `host_get_now` (input ignored) → local time, e.g. `2024-01-15T10:30:00-07:00`. */
export const hostGetNow = defineHostFunction('host_get_now', function* (call) {
  const ms = call.context.clock.nowMs();
  return formatRfc3339(ms, call.context.clock.utcOffsetMinutes(ms));
});
