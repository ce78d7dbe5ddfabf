import type { EventEmitter } from '@diaryx/host-fns';

/** An emitter that keeps every `host_emit_event` text, in order. */
export function createRecordingEmitter(): { emitter: EventEmitter; events: string[] } {
  const events: string[] = [];
  return { events, emitter: { emit: (text) => void events.push(text) } };
}
