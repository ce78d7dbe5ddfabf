// A replay's divergence: the first place the plugin did something its trace does not say, with
// both sides, and the text a person reads (the CLI and the matcher print it).

import type { TraceCall, TraceValue } from '@diaryx/loader';

/**
 * What differed:
 * - `host_call_input`: the plugin called the same host function with another input;
 * - `other_host_call`: it called another host function than the trace's next one;
 * - `extra_host_call`: it called a host function after the trace's last one for this call;
 * - `missing_host_call`: the call ended before making host calls the trace has;
 * - `output`: the call gave another output (or another than the test expects);
 * - `error`: it failed where the trace has an output, or the reverse, or failed otherwise;
 * - `unreplayable`: the trace left out what replay needs here (a value over its size limit).
 */
export type TraceDivergenceKind =
  | 'host_call_input'
  | 'other_host_call'
  | 'extra_host_call'
  | 'missing_host_call'
  | 'output'
  | 'error'
  | 'unreplayable';

/** One place where the replayed plugin differed from its trace. */
export interface TraceDivergence {
  kind: TraceDivergenceKind;
  /** The index of the call in `trace.calls`. */
  call: number;
  /** Its `seq` (the plugin's call number when it was recorded). */
  seq: number;
  /** The export it called. */
  export: string;
  /** The index of the host call in the call's `hostCalls`, for the host-call kinds. */
  hostCall?: number;
  /** The recorded side, as text ("" when there is none). */
  recorded: string;
  /** The replayed side, as text ("" when there is none). */
  replayed: string;
  /** Where two JSON values first differ (`data.counts.words`, `[2].path`), when both sides are JSON. */
  path?: string;
  /** The whole explanation: where, what, both sides (its {@link lines} joined). */
  message: string;
  /** The explanation line by line, for a terminal to print each one escaped (a side may hold newlines). */
  lines: string[];
}

/** Longest side shown in a message; the rest is counted. */
const SHOWN = 2_000;

export function shorten(text: string): string {
  return text.length <= SHOWN ? text : `${text.slice(0, SHOWN)}… (${text.length - SHOWN} more characters)`;
}

/** A trace value as a person reads it. */
export function valueText(value: TraceValue | null): string {
  if (value === null) return '(no output)';
  if (typeof value === 'string') return value;
  if ('base64' in value) return `(bytes, base64) ${value.base64}`;
  return `(${value.omitted} bytes left out of the trace)`;
}

/** The JSON value of a text, or undefined when it is not JSON. */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The path where two JSON values first differ, or null when they are equal (key order aside). */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (Object.is(a, b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return `${path}[${i}]`;
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const at = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}${path ? '.' : ''}${key}` : `${path}[${JSON.stringify(key)}]`;
      if (!(key in a) || !(key in b)) return at;
      const found = firstDifference(a[key], b[key], at);
      if (found !== null) return found;
    }
    return null;
  }
  return path || '(the whole value)';
}

const WHAT: Record<TraceDivergenceKind, (fn: string) => string> = {
  host_call_input: (fn) => `the plugin called ${fn} with another input`,
  other_host_call: (fn) => `the plugin called another host function than the trace's ${fn}`,
  extra_host_call: () => 'the plugin made a host call the trace does not have (the recorded call had made no more)',
  missing_host_call: (fn) => `the call ended before the host call the trace has next (${fn})`,
  output: () => 'the output differs',
  error: () => 'the call ended otherwise',
  unreplayable: () => 'the trace left out what replay needs here (it was over the size limit when recorded)',
};

/** Builds a divergence with its message. */
export function divergence(
  kind: TraceDivergenceKind,
  index: number,
  call: TraceCall,
  sides: { recorded: string; replayed: string; hostCall?: number; fn?: string; path?: string },
): TraceDivergence {
  const where = `call ${index} (seq ${call.seq}, ${call.export} ${shorten(valueText(call.input)).slice(0, 200)})`;
  const host = sides.hostCall === undefined ? '' : `, host call ${sides.hostCall}`;
  const path = sides.path === undefined ? '' : ` at ${sides.path}`;
  const lines = [
    `Replay diverged at ${where}${host}: ${WHAT[kind](sides.fn ?? '')}${path}`,
    `  recorded: ${shorten(sides.recorded) || '(nothing)'}`,
    `  replayed: ${shorten(sides.replayed) || '(nothing)'}`,
  ];
  return {
    kind,
    call: index,
    seq: call.seq,
    export: call.export,
    ...(sides.hostCall === undefined ? {} : { hostCall: sides.hostCall }),
    recorded: sides.recorded,
    replayed: sides.replayed,
    ...(sides.path === undefined ? {} : { path: sides.path }),
    message: lines.join('\n'),
    lines,
  };
}
