import { defineHostFunction } from '../runtime/define.js';
import { wait } from '../runtime/maybe-async.js';

/** `host_emit_event`: the input text goes unchanged to the event emitter. Returns "". */
export const hostEmitEvent = defineHostFunction('host_emit_event', function* (call) {
  yield* wait(call.context.events.emit(call.inputText(), call.pluginId));
  return '';
});
