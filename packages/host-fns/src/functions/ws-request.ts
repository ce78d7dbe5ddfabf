import { defineHostFunction } from '../runtime/define.js';
import { wait } from '../runtime/maybe-async.js';
import { errorMessage } from '../util/error-message.js';

/** `host_ws_request`: the text goes unchanged to the WebSocket bridge; a bridge error traps. */
export const hostWsRequest = defineHostFunction('host_ws_request', function* (call) {
  const text = call.inputText();
  try {
    return yield* wait(call.context.ws.request(text, call.pluginId));
  } catch (error) {
    return call.trap(errorMessage(error));
  }
});
