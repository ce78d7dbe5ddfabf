// A recorded call turned into what a trace holds: values redacted, text where they are UTF-8,
// base64 otherwise; WASI readings as decimal nanoseconds and base64 random bytes.

import { decodeUtf8Strict, encodeBase64 } from '@diaryx/host-fns';
import type { PluginCallError } from '../errors.js';
import type { Redactor } from './redaction.js';
import type { TraceCall, TraceHostCall, TraceValue } from './trace.js';

/** A value as the recorder keeps it: text, bytes, or only its size (too large to keep). */
export type Raw = string | Uint8Array | { omitted: number };

/** A host call as the recorder keeps it. */
export interface RecordedHostCall {
  fn: string;
  input: Raw;
  outcome: TraceHostCall['outcome'];
  output: Raw;
  message: string | undefined;
  durationMs: number;
  trapped: boolean;
}

/** An export call as the recorder keeps it until the trace is taken. */
export interface RecordedCall {
  seq: number;
  exportName: string;
  input: Raw;
  fresh: boolean;
  /** The instance's restart count when the call began (more at its end: it ran on a fresh one). */
  restartsBefore: number;
  startedAt: number;
  began: number;
  durationMs: number;
  hostCalls: RecordedHostCall[];
  hostCallsOmitted: number;
  clocks: { id: number; ns: bigint }[];
  random: Uint8Array[];
  randomBytes: number;
  omittedClocks: number;
  omittedRandom: number;
  result: { output: Raw | null } | { error: { kind: PluginCallError['kind']; message: string; exitCode: number | undefined } } | null;
  /** Estimated bytes of its trace JSON. */
  size: number;
}

function traceValue(raw: Raw, redactor: Redactor): TraceValue {
  if (typeof raw === 'string') return redactor.text(raw);
  if (!(raw instanceof Uint8Array)) return { omitted: raw.omitted };
  const bytes = redactor.bytes(raw);
  try {
    return decodeUtf8Strict(bytes);
  } catch {
    return { base64: encodeBase64(bytes) };
  }
}

/** A recorded call as the trace holds it: its values redacted, text where they are UTF-8. */
export function toTraceCall(call: RecordedCall, setup: boolean, redactor: Redactor): TraceCall {
  const result = call.result!;
  const traced: TraceCall = {
    seq: call.seq,
    export: call.exportName,
    input: traceValue(call.input, redactor),
    ...(call.fresh ? { fresh: true as const } : {}),
    ...(setup ? { setup: true as const } : {}),
    startedAt: new Date(call.startedAt).toISOString(),
    durationMs: round(call.durationMs),
    hostCalls: call.hostCalls.map((h) => ({
      fn: h.fn,
      input: traceValue(h.input, redactor),
      outcome: h.outcome,
      output: traceValue(h.output, redactor),
      ...(h.message === undefined ? {} : { message: redactor.text(h.message) }),
      ...(h.trapped ? { trapped: true as const } : {}),
      durationMs: round(h.durationMs),
    })),
    ...(call.hostCallsOmitted > 0 ? { hostCallsOmitted: call.hostCallsOmitted } : {}),
    result:
      'output' in result
        ? { output: result.output === null ? null : traceValue(result.output, redactor) }
        : {
            error: {
              kind: result.error.kind,
              message: redactor.text(result.error.message),
              ...(result.error.exitCode === undefined ? {} : { details: { exitCode: result.error.exitCode } }),
            },
          },
  };
  if (call.clocks.length > 0 || call.randomBytes > 0 || call.omittedClocks > 0 || call.omittedRandom > 0) {
    traced.wasi = {
      clocks: call.clocks.map(({ id, ns }) => ({ id, ns: ns.toString() })),
      // Random bytes are not redacted: they are the host's, not the workspace's.
      random: call.randomBytes === 0 ? '' : { base64: encodeBase64(concat(call.random, call.randomBytes)) },
      ...(call.omittedClocks > 0 || call.omittedRandom > 0 ? { omitted: { clocks: call.omittedClocks, randomBytes: call.omittedRandom } } : {}),
    };
  }
  return traced;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
