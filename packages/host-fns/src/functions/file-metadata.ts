import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { pathPermission, resolveGuestPath, usablePath } from '../runtime/guest-path.js';

const NOT_FOUND = '{"exists":false,"modified_at_ms":null,"size_bytes":null}';

/**
 * `host_file_metadata {path}` → `{"exists":true,"modified_at_ms":…,"size_bytes":…}`; a missing
 * path, a denial or a file-system error → the not-found JSON.
 */
export const hostFileMetadata = defineHostFunction('host_file_metadata', function* (call) {
  const { path } = call.input({ path: str() });
  const target = yield* resolveGuestPath(call, path);
  const decision = yield* pathPermission(call, 'read_files', target);
  if (!decision.allowed) return NOT_FOUND;
  try {
    const meta = yield* wait(call.context.fs.metadata(usablePath(target)));
    if (meta === null) return NOT_FOUND;
    const ms = meta.modifiedAtMs === null ? null : Math.trunc(meta.modifiedAtMs);
    return JSON.stringify({ exists: true, modified_at_ms: ms, size_bytes: meta.sizeBytes });
  } catch {
    return NOT_FOUND;
  }
});
