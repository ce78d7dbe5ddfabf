import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { pathPermission, resolveGuestPath, usablePath } from '../runtime/guest-path.js';
import { decodeUtf8Strict } from '../util/utf8.js';
import { errorMessage } from '../util/error-message.js';

/**
 * `host_read_file {path}` → the file's text (raw). A denial returns `{"error": <message>}`;
 * a read error (missing, directory, invalid UTF-8) returns `{"error":"host_read_file: …"}`.
 */
export const hostReadFile = defineHostFunction('host_read_file', function* (call) {
  const { path } = call.input({ path: str() });
  const target = yield* resolveGuestPath(call, path);
  const decision = yield* pathPermission(call, 'read_files', target);
  if (!decision.allowed) return JSON.stringify({ error: decision.message });
  try {
    const bytes = yield* wait(call.context.fs.readBinary(usablePath(target)));
    return decodeUtf8Strict(bytes);
  } catch (error) {
    return JSON.stringify({ error: `host_read_file: ${errorMessage(error)}` });
  }
});
