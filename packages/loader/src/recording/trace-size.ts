// Fitting a traced call into what is left of a trace's size limit.

import { utf8ByteLength } from '@diaryx/host-fns';
import type { TraceCall, TraceValue } from './trace.js';

const jsonSize = (value: unknown): number => utf8ByteLength(JSON.stringify(value));

const valueSize = (value: TraceValue): number => (typeof value === 'string' ? value.length : 'base64' in value ? value.base64.length : 0);

/**
 * The call as it fits in `budget` bytes of JSON: whole, or with its largest values replaced by
 * `{"omitted": <bytes>}` one at a time; null when even its skeleton does not fit.
 */
export function shrunk(call: TraceCall, budget: number): { call: TraceCall; size: number } | null {
  let size = jsonSize(call);
  if (size <= budget) return { call, size };
  // Every value slot of the call, largest first.
  const slots: { size: number; get: () => TraceValue; set: (v: TraceValue) => void }[] = [
    { size: valueSize(call.input), get: () => call.input, set: (v) => (call.input = v) },
    ...call.hostCalls.flatMap((h) => [
      { size: valueSize(h.input), get: () => h.input, set: (v: TraceValue) => (h.input = v) },
      { size: valueSize(h.output), get: () => h.output, set: (v: TraceValue) => (h.output = v) },
    ]),
  ];
  const result = call.result;
  if ('output' in result && result.output !== null) {
    slots.push({ size: valueSize(result.output), get: () => (result as { output: TraceValue }).output, set: (v) => (result.output = v) });
  }
  const wasi = call.wasi;
  if (wasi) slots.push({ size: valueSize(wasi.random), get: () => wasi.random, set: (v) => (wasi.random = v) });
  slots.sort((a, b) => b.size - a.size);
  for (const slot of slots) {
    if (slot.size === 0) break;
    const value = slot.get();
    const bytes = typeof value === 'string' ? utf8ByteLength(value) : 'base64' in value ? Math.floor((value.base64.length * 3) / 4) : value.omitted;
    slot.set({ omitted: bytes });
    size = jsonSize(call);
    if (size <= budget) return { call, size };
  }
  return null;
}
