import type { MaybePromise } from '../runtime/maybe-async.js';

/** One object of a namespace, as `host_namespace_list_objects` returns it. */
export interface NamespaceObjectMeta {
  key: string;
  mime_type: string | null;
  audience: string | null;
}

/**
 * Server-side namespaces (`host_namespace_*`). Throw to fail an operation: the guest receives
 * `{"error": <message>}`.
 */
export interface NamespaceProvider {
  putObject(nsId: string, key: string, body: Uint8Array, mimeType: string, audience: string): MaybePromise<void>;
  deleteObject(nsId: string, key: string): MaybePromise<void>;
  listObjects(nsId: string): MaybePromise<NamespaceObjectMeta[]>;
  syncAudience(nsId: string, audience: string, access: string): MaybePromise<void>;
  sendAudienceEmail(nsId: string, audience: string, subject: string, replyTo: string | null): MaybePromise<unknown>;
}

const NOT_AVAILABLE = 'Namespace operations are not available';
function notAvailable(): never {
  throw new Error(NOT_AVAILABLE);
}

/** The default, as in Rust: every operation fails with "Namespace operations are not available". */
export const noopNamespaceProvider: NamespaceProvider = {
  putObject: notAvailable,
  deleteObject: notAvailable,
  listObjects: notAvailable,
  syncAudience: notAvailable,
  sendAudienceEmail: notAvailable,
};
