import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { guardPath } from '../runtime/path-guard.js';
import { errorMessage } from '../util/error-message.js';

/** `host_delete_file {path}` → "". A denial traps; a delete error is returned as text. */
export const hostDeleteFile = defineHostFunction('host_delete_file', function* (call) {
  const { path } = call.input({ path: str() });
  const relative = guardPath(call, path);
  yield* call.requirePermission('delete_files', relative);
  try {
    yield* wait(call.context.fs.deleteFile(relative));
  } catch (error) {
    return `host_delete_file: ${errorMessage(error)}`;
  }
  return '';
});
