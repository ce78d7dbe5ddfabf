import type { MaybePromise } from '../runtime/maybe-async.js';

/**
 * Per-plugin key/value bytes (`host_storage_get`/`host_storage_set`). Keys arrive already
 * scoped as `<plugin id>:<key>`, so one store serves every plugin.
 */
export interface PluginStorage {
  /** The stored bytes, or null/undefined when the key is absent. */
  get(key: string): MaybePromise<Uint8Array | null | undefined>;
  set(key: string, value: Uint8Array): MaybePromise<void>;
  delete(key: string): MaybePromise<void>;
}

/** The default, as in Rust: remembers nothing. */
export const noopPluginStorage: PluginStorage = {
  get: () => null,
  set: () => undefined,
  delete: () => undefined,
};

/** A simple in-memory storage (scoped keys), for apps and tests that need nothing durable. */
export class MemoryPluginStorage implements PluginStorage {
  /** The stored values by scoped key. */
  readonly values = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | null {
    return this.values.get(key) ?? null;
  }
  set(key: string, value: Uint8Array): void {
    this.values.set(key, value.slice());
  }
  delete(key: string): void {
    this.values.delete(key);
  }
}
