import type { PluginStorage } from '@diaryx/host-fns';

/** One storage operation, as Rust's `StorageOp`; keys are scoped (`<plugin id>:<key>`). */
export type StorageOp =
  | { op: 'get'; key: string }
  | { op: 'set'; key: string; value: Uint8Array }
  | { op: 'delete'; key: string };

/** In-memory plugin storage that records every operation (Rust `RecordingStorage`). */
export class RecordingStorage implements PluginStorage {
  /** Current values by scoped key. */
  readonly values = new Map<string, Uint8Array>();
  /** Every operation, in order. */
  readonly ops: StorageOp[] = [];

  get(key: string): Uint8Array | null {
    this.ops.push({ op: 'get', key });
    return this.values.get(key) ?? null;
  }

  set(key: string, value: Uint8Array): void {
    this.ops.push({ op: 'set', key, value: value.slice() });
    this.values.set(key, value.slice());
  }

  delete(key: string): void {
    this.ops.push({ op: 'delete', key });
    this.values.delete(key);
  }

  /** The value of a scoped key as text (UTF-8), or undefined. */
  text(key: string): string | undefined {
    const value = this.values.get(key);
    return value === undefined ? undefined : new TextDecoder().decode(value);
  }
}
