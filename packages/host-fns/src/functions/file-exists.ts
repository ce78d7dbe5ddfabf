import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { requirePathPermission, resolveGuestPath } from '../runtime/guest-path.js';

/**
 * `host_file_exists {path}` → `true`/`false` (directories too; a link leading out of the
 * workspace is `false`). A denial traps.
 */
export const hostFileExists = defineHostFunction('host_file_exists', function* (call) {
  const { path } = call.input({ path: str() });
  const target = yield* resolveGuestPath(call, path);
  yield* requirePathPermission(call, 'read_files', target);
  // A link that leads out of the workspace: nothing of the workspace is there.
  if (target.error !== undefined) return 'false';
  return (yield* wait(call.context.fs.exists(target.real))) ? 'true' : 'false';
});
