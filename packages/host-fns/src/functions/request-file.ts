import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';

/** `host_request_file {key}` → the file's raw bytes, or "" when there is none. No permission check. */
export const hostRequestFile = defineHostFunction('host_request_file', function* (call) {
  const { key } = call.input({ key: str() });
  const bytes = yield* wait(call.context.files.getFile(call.pluginId, key));
  return bytes ?? '';
});
