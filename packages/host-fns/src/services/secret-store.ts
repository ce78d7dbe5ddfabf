import type { MaybePromise } from '../runtime/maybe-async.js';

/**
 * Per-plugin secrets (`host_secret_*`), separate from plugin storage. Keys arrive scoped as
 * `<plugin id>:<key>`.
 */
export interface SecretStore {
  get(key: string): MaybePromise<string | null | undefined>;
  set(key: string, value: string): MaybePromise<void>;
  delete(key: string): MaybePromise<void>;
}

/** The default, as in Rust: no secrets are kept. */
export const noopSecretStore: SecretStore = {
  get: () => null,
  set: () => undefined,
  delete: () => undefined,
};
