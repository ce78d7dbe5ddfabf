import type { HostCall } from '../runtime/host-call.js';
import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { type HostTask, wait } from '../runtime/maybe-async.js';
import { guardPath } from '../runtime/path-guard.js';
import { decodeBase64Strict } from '../util/base64.js';
import { errorMessage } from '../util/error-message.js';
import { encodeUtf8 } from '../util/utf8.js';

/**
 * The shared write path of `host_write_file` and `host_write_binary`: edit_files when the path
 * exists (directories count), else create_files; a denial traps before anything is written;
 * a write error is returned as `"<fn>: <message>"`.
 */
function* writeChecked(call: HostCall, path: string, bytes: Uint8Array): HostTask<string> {
  const relative = guardPath(call, path);
  const exists = yield* wait(call.context.fs.exists(relative));
  yield* call.requirePermission(exists ? 'edit_files' : 'create_files', relative);
  try {
    yield* wait(call.context.fs.writeBinary(relative, bytes));
  } catch (error) {
    return `${call.fn}: ${errorMessage(error)}`;
  }
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
