import type { MaybePromise } from '../runtime/maybe-async.js';

/** Receives the exact text a guest passes to `host_emit_event` (not parsed, not validated). */
export interface EventEmitter {
  /** @param pluginId the emitting plugin (an addition over Rust, which passes only the text). */
  emit(text: string, pluginId: string): MaybePromise<void>;
}

/** The default: events go nowhere. */
export const noopEventEmitter: EventEmitter = { emit: () => undefined };
