import { defineHostFunction, scopedKey } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { encodeBase64 } from '../util/base64.js';

/** `host_storage_get {key}` → `{"data": b64}` or "" (absent, or denied: the guest cannot tell). */
export const hostStorageGet = defineHostFunction('host_storage_get', function* (call) {
  const { key } = call.input({ key: str() });
  const decision = yield* call.permission('plugin_storage', key);
  if (!decision.allowed) return '';
  const value = yield* wait(call.context.storage.get(scopedKey(call.pluginId, key)));
  return value == null ? '' : JSON.stringify({ data: encodeBase64(value) });
});
