// Plugin storage beyond text: delete and JSON values. The protocol has no storage-delete host
// function (PROTOCOL §4): the SDK deletes by writing empty data, as the Rust SDK does, and
// `storageGet` reads empty data as absent.
import { storageGet, storageSet } from './host.js';

/** Deletes a stored value (writes empty data); returns "" or the host's error. */
export function storageDelete(key: string): string {
  return storageSet(key, '');
}

/** A stored JSON value, or `fallback` when absent, denied or not JSON. */
export function storageGetJson<T>(key: string, fallback: T): T {
  const text = storageGet(key);
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Stores a value as JSON; returns "" or the host's error (denied, over the 1 MiB quota). */
export function storageSetJson(key: string, value: unknown): string {
  return storageSet(key, JSON.stringify(value) ?? 'null');
}
