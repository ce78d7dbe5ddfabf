import type { NamespaceObjectMeta, NamespaceProvider } from '@diaryx/host-fns';

/** One stored namespace object. */
export interface FakeNamespaceObject {
  body: Uint8Array;
  mime_type: string;
  audience: string;
}

/** An in-memory namespace provider: objects by namespace and key, audiences, sent emails. */
export class FakeNamespaces implements NamespaceProvider {
  /** `ns_id` → key → object. */
  readonly objects = new Map<string, Map<string, FakeNamespaceObject>>();
  /** `ns_id/audience` → access. */
  readonly audiences = new Map<string, string>();
  /** Emails sent, in order. */
  readonly emails: Array<{ nsId: string; audience: string; subject: string; replyTo: string | null }> = [];

  #ns(nsId: string): Map<string, FakeNamespaceObject> {
    let ns = this.objects.get(nsId);
    if (!ns) this.objects.set(nsId, (ns = new Map()));
    return ns;
  }

  putObject(nsId: string, key: string, body: Uint8Array, mimeType: string, audience: string): void {
    this.#ns(nsId).set(key, { body: body.slice(), mime_type: mimeType, audience });
  }

  deleteObject(nsId: string, key: string): void {
    if (!this.#ns(nsId).delete(key)) throw new Error(`object not found: ${nsId}/${key}`);
  }

  listObjects(nsId: string): NamespaceObjectMeta[] {
    return [...this.#ns(nsId)].map(([key, o]) => ({ key, mime_type: o.mime_type, audience: o.audience }));
  }

  syncAudience(nsId: string, audience: string, access: string): void {
    this.audiences.set(`${nsId}/${audience}`, access);
  }

  sendAudienceEmail(nsId: string, audience: string, subject: string, replyTo: string | null): unknown {
    this.emails.push({ nsId, audience, subject, replyTo });
    return { recipients: 0, send_receipt_key: `${nsId}/${audience}/${this.emails.length}` };
  }
}
