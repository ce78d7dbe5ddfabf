import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { requirePathPermission, resolveGuestPath, usablePath } from '../runtime/guest-path.js';
import { encodeBase64 } from '../util/base64.js';
import { errorMessage } from '../util/error-message.js';

/** `host_read_binary {path}` → `{"data": b64}`. A denial or a read error traps. */
export const hostReadBinary = defineHostFunction('host_read_binary', function* (call) {
  const { path } = call.input({ path: str() });
  const target = yield* resolveGuestPath(call, path);
  yield* requirePathPermission(call, 'read_files', target);
  let bytes: Uint8Array;
  try {
    bytes = yield* wait(call.context.fs.readBinary(usablePath(target)));
  } catch (error) {
    return call.trap(`host_read_binary: ${errorMessage(error)}`);
  }
  return JSON.stringify({ data: encodeBase64(bytes) });
});
