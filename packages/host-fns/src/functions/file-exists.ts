import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { guardPath } from '../runtime/path-guard.js';

/** `host_file_exists {path}` → `true`/`false` (directories too). A denial traps. */
export const hostFileExists = defineHostFunction('host_file_exists', function* (call) {
  const { path } = call.input({ path: str() });
  const relative = guardPath(call, path);
  yield* call.requirePermission('read_files', relative);
  return (yield* wait(call.context.fs.exists(relative))) ? 'true' : 'false';
});
