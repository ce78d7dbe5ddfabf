import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { requirePathPermission, resolveGuestPath, usablePath } from '../runtime/guest-path.js';
import { encodeBase64Framed } from '../util/base64.js';
import { errorMessage } from '../util/error-message.js';

const DATA_OPEN = new TextEncoder().encode('{"data":"');
const DATA_CLOSE = new TextEncoder().encode('"}');

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
  // Built as bytes: base64 needs no JSON escaping, and a file may be tens of MiB.
  return encodeBase64Framed([DATA_OPEN], bytes, DATA_CLOSE);
});
