import { defineHostFunction } from '../runtime/define.js';
import { wait } from '../runtime/maybe-async.js';
import { sortedJson } from '../util/json.js';

/** `host_get_runtime_context` (input ignored) → the provider's JSON object, keys sorted. */
export const hostGetRuntimeContext = defineHostFunction('host_get_runtime_context', function* (call) {
  return sortedJson(yield* wait(call.context.runtimeContext.getContext(call.pluginId)));
});
