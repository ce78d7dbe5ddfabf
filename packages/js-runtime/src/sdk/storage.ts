// Plugin storage beyond text: delete and JSON values. The protocol has no storage-delete host
// function (PROTOCOL §4): the SDK deletes by writing empty data, as the Rust SDK does, and
// `storageGet` reads empty data as absent.
import { storageGet, storageSet } from './host.js';

/** Deletes a stored value (writes empty data); returns "" or the host's error. */
export function storageDelete(key: string): string {
  return storageSet(key, '');
}

/** A stored value that {@link storageGetJson} cannot read as JSON: it is left as it is. */
export class StorageJsonError extends Error {
  override readonly name = 'StorageJsonError';
  constructor(
    /** The key whose value is not JSON. */
    readonly key: string,
    reason: string,
  ) {
    super(
      `storageGetJson('${key}'): the stored value is not JSON (${reason}); it was left as it is: read it with storageGet('${key}') ` +
        `to repair it, or delete it with storageDelete('${key}') to start again`,
    );
  }
}

/**
 * A stored JSON value, or `fallback` when absent (or denied: the host answers as for absent).
 * @throws StorageJsonError when the stored value is not JSON: returning the fallback would let
 * the plugin overwrite the corrupt value (and the data in it) on its next `storageSetJson`
 */
export function storageGetJson<T>(key: string, fallback: T): T {
  const text = storageGet(key);
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StorageJsonError(key, (error as Error).message);
  }
}

/** Stores a value as JSON; returns "" or the host's error (denied, over the 1 MiB quota). */
export function storageSetJson(key: string, value: unknown): string {
  return storageSet(key, JSON.stringify(value) ?? 'null');
}
