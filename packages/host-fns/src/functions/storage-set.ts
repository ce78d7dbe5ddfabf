import { defineHostFunction, scopedKey } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { decodeBase64Strict } from '../util/base64.js';

/**
 * `host_storage_set {key, data: b64}` → "". Bad base64 traps; a denial or a value over the
 * per-value quota is returned as text and nothing is stored.
 */
export const hostStorageSet = defineHostFunction('host_storage_set', function* (call) {
  const { key, data } = call.input({ key: str(), data: str() });
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64Strict(data);
  } catch (error) {
    return call.trap(`host_storage_set: base64 decode: ${(error as Error).message}`);
  }
  const decision = yield* call.permission('plugin_storage', key);
  if (!decision.allowed) return `host_storage_set: ${decision.message}`;
  const quota = call.context.storageQuotaBytes;
  if (quota > 0 && bytes.byteLength > quota) {
    return `host_storage_set: data size (${bytes.byteLength} bytes) exceeds plugin storage quota (${quota} bytes)`;
  }
  yield* wait(call.context.storage.set(scopedKey(call.pluginId, key), bytes));
  return '';
});
