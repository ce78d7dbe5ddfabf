import type { HostCall } from '../runtime/host-call.js';
import { defineHostFunction, type HostOutput } from '../runtime/define.js';
import { optStr, str } from '../runtime/input-schema.js';
import { type HostTask, type MaybePromise, wait } from '../runtime/maybe-async.js';
import { decodeBase64Strict } from '../util/base64.js';
import { errorMessage } from '../util/error-message.js';
import { sortedJson } from '../util/json.js';

// Namespace functions have no permission check; provider errors are returned as {"error": …}.
function* provider<T>(run: () => MaybePromise<T>, answer: (value: T) => string): HostTask<HostOutput> {
  try {
    return answer(yield* wait(run()));
  } catch (error) {
    return JSON.stringify({ error: errorMessage(error) });
  }
}

const OK = () => '{"ok":true}';

function decodeBody(call: HostCall, body: string): Uint8Array {
  try {
    return decodeBase64Strict(body);
  } catch (error) {
    return call.trap(`${call.fn}: base64 decode: ${errorMessage(error)}`);
  }
}

/** `host_namespace_put_object {ns_id, key, body_base64, mime_type, audience}` → `{"ok":true}`. */
export const hostNamespacePutObject = defineHostFunction('host_namespace_put_object', function* (call) {
  const input = call.input({ ns_id: str(), key: str(), body_base64: str(), mime_type: str(), audience: str() });
  const body = decodeBody(call, input.body_base64);
  const ns = call.context.namespaces;
  return yield* provider(() => ns.putObject(input.ns_id, input.key, body, input.mime_type, input.audience), OK);
});

/** `host_namespace_delete_object {ns_id, key}` → `{"ok":true}`. */
export const hostNamespaceDeleteObject = defineHostFunction('host_namespace_delete_object', function* (call) {
  const { ns_id, key } = call.input({ ns_id: str(), key: str() });
  const ns = call.context.namespaces;
  return yield* provider(() => ns.deleteObject(ns_id, key), OK);
});

/** `host_namespace_list_objects {ns_id}` → `[{"audience","key","mime_type"}]`. */
export const hostNamespaceListObjects = defineHostFunction('host_namespace_list_objects', function* (call) {
  const { ns_id } = call.input({ ns_id: str() });
  const ns = call.context.namespaces;
  return yield* provider(
    () => ns.listObjects(ns_id),
    (objects) => sortedJson(objects.map((o) => ({ audience: o.audience ?? null, key: o.key, mime_type: o.mime_type ?? null }))),
  );
});

/** `host_namespace_sync_audience {ns_id, audience, access}` → `{"ok":true}`. */
export const hostNamespaceSyncAudience = defineHostFunction('host_namespace_sync_audience', function* (call) {
  const { ns_id, audience, access } = call.input({ ns_id: str(), audience: str(), access: str() });
  const ns = call.context.namespaces;
  return yield* provider(() => ns.syncAudience(ns_id, audience, access), OK);
});

/** `host_namespace_send_email {ns_id, audience, subject, reply_to?}` → the provider's JSON. */
export const hostNamespaceSendEmail = defineHostFunction('host_namespace_send_email', function* (call) {
  const input = call.input({ ns_id: str(), audience: str(), subject: str(), reply_to: optStr() });
  const ns = call.context.namespaces;
  return yield* provider(
    () => ns.sendAudienceEmail(input.ns_id, input.audience, input.subject, input.reply_to),
    (value) => sortedJson(value ?? null),
  );
});
