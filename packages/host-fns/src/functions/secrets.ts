import { defineHostFunction, scopedKey } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';

/** `host_secret_get {key}` → `{"value": …}` or "" when absent. A denial traps. */
export const hostSecretGet = defineHostFunction('host_secret_get', function* (call) {
  const { key } = call.input({ key: str() });
  yield* call.requirePermission('plugin_storage', key);
  const value = yield* wait(call.context.secrets.get(scopedKey(call.pluginId, key)));
  return value == null ? '' : JSON.stringify({ value });
});

/** `host_secret_set {key, value}` → "". A denial traps. */
export const hostSecretSet = defineHostFunction('host_secret_set', function* (call) {
  const { key, value } = call.input({ key: str(), value: str() });
  yield* call.requirePermission('plugin_storage', key);
  yield* wait(call.context.secrets.set(scopedKey(call.pluginId, key), value));
  return '';
});

/** `host_secret_delete {key}` → "". A denial traps. */
export const hostSecretDelete = defineHostFunction('host_secret_delete', function* (call) {
  const { key } = call.input({ key: str() });
  yield* call.requirePermission('plugin_storage', key);
  yield* wait(call.context.secrets.delete(scopedKey(call.pluginId, key)));
  return '';
});
