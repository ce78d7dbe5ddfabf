import type { HostCall } from '../runtime/host-call.js';
import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { type HostTask, wait } from '../runtime/maybe-async.js';
import { requirePathPermission, resolveGuestPath, usablePath } from '../runtime/guest-path.js';
import { refuseProtectedChange } from '../runtime/protected-files.js';
import { decodeBase64Strict } from '../util/base64.js';
import { errorMessage } from '../util/error-message.js';
import { encodeUtf8 } from '../util/utf8.js';

/**
 * The shared write path of `host_write_file` and `host_write_binary`: edit_files when the path
 * exists (directories count), else create_files, asked for the guest's path and for where it
 * really is; a denial, or a protected file (D21), traps before anything is written; a write
 * error (a link leading out of the workspace included) is returned as `"<fn>: <message>"`.
 * The file system gets the real path (no link in it), so a link in the guest's path that is
 * swapped afterwards plays no part in the write.
 */
function* writeChecked(call: HostCall, path: string, bytes: Uint8Array): HostTask<string> {
  const target = yield* resolveGuestPath(call, path);
  if (target.error !== undefined) return `${call.fn}: ${errorMessage(target.error)}`;
  const exists = yield* wait(call.context.fs.exists(target.real));
  yield* requirePathPermission(call, exists ? 'edit_files' : 'create_files', target);
  yield* refuseProtectedChange(call, target.real, bytes);
  try {
    yield* wait(call.context.fs.writeBinary(usablePath(target), bytes));
  } catch (error) {
    return `${call.fn}: ${errorMessage(error)}`;
  }
  call.context.recentWrites.record(call.pluginId, target.real, bytes);
  return '';
}

/** `host_write_file {path, content}` → "" (see {@link writeChecked}). */
export const hostWriteFile = defineHostFunction('host_write_file', function* (call) {
  const { path, content } = call.input({ path: str(), content: str() });
  return yield* writeChecked(call, path, encodeUtf8(content));
});

/** `host_write_binary {path, content: b64}` → "". Base64 is decoded first (bad base64 traps). */
export const hostWriteBinary = defineHostFunction('host_write_binary', function* (call) {
  const { path, content } = call.input({ path: str(), content: str() });
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64Strict(content);
  } catch (error) {
    return call.trap(`host_write_binary: base64 decode: ${errorMessage(error)}`);
  }
  return yield* writeChecked(call, path, bytes);
});
