import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { requirePathPermission, resolveGuestPath, usablePath } from '../runtime/guest-path.js';
import { refuseProtectedChange } from '../runtime/protected-files.js';
import { errorMessage } from '../util/error-message.js';

/**
 * `host_delete_file {path}` → "". A denial traps, and so does a protected file (D21); a delete
 * error is returned as text.
 */
export const hostDeleteFile = defineHostFunction('host_delete_file', function* (call) {
  const { path } = call.input({ path: str() });
  const target = yield* resolveGuestPath(call, path);
  yield* requirePathPermission(call, 'delete_files', target);
  yield* refuseProtectedChange(call, target.real, null);
  try {
    yield* wait(call.context.fs.deleteFile(usablePath(target)));
  } catch (error) {
    return `host_delete_file: ${errorMessage(error)}`;
  }
  call.context.recentWrites.record(call.pluginId, target.real, null);
  return '';
});
