import { sha256Hex } from '../util/sha256.js';
import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { pathPermission, resolveGuestPath, usablePath } from '../runtime/guest-path.js';

/** `host_hash_file {path}` → `{"hash": <64 hex>}` (SHA-256); denied or unreadable → "". */
export const hostHashFile = defineHostFunction('host_hash_file', function* (call) {
  const { path } = call.input({ path: str() });
  const target = yield* resolveGuestPath(call, path);
  const decision = yield* pathPermission(call, 'read_files', target);
  if (!decision.allowed) return '';
  try {
    const bytes = yield* wait(call.context.fs.readBinary(usablePath(target)));
    return JSON.stringify({ hash: sha256Hex(bytes) });
  } catch {
    return '';
  }
});
