import { defineHostFunction } from '../runtime/define.js';

/** `host_get_timestamp` (input ignored) → milliseconds since the epoch, as decimal text. */
export const hostGetTimestamp = defineHostFunction('host_get_timestamp', function* (call) {
  return String(Math.trunc(call.context.clock.nowMs()));
});
