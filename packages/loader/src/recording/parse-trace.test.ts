import { describe, expect, it } from 'vitest';
import { parseTrace, TraceFormatError } from './parse-trace.js';
import type { PluginTrace } from './trace.js';

function sample(): PluginTrace {
  return {
    format: 'diaryx-plugin-trace',
    version: 1,
    plugin: { id: 'acme.notes', name: 'Notes', version: '1.2.0' },
    runtime: { mode: 'metered', wasiRecorded: true },
    recordedAt: '2025-01-15T10:00:00.000Z',
    dropped: 3,
    redactions: 1,
    calls: [
      {
        seq: 4,
        export: 'handle_command',
        input: '{"command":"count","params":null}',
        setup: true,
        startedAt: '2025-01-15T09:59:59.000Z',
        durationMs: 1.5,
        hostCalls: [{ fn: 'host_read_file', input: '{"path":"a.md"}', outcome: 'ok', output: 'one two', durationMs: 0.1 }],
        wasi: { clocks: [{ id: 0, ns: '1736935199000000000' }], random: { base64: 'AAEC' }, omitted: { clocks: 0, randomBytes: 5 } },
        result: { output: { base64: '//8=' } },
      },
      {
        seq: 5,
        export: 'on_event',
        input: { omitted: 40_000_000 },
        fresh: true,
        startedAt: '2025-01-15T10:00:00.000Z',
        durationMs: 0,
        hostCalls: [{ fn: 'host_secret_get', input: '{"key":"t"}', outcome: 'trap', output: '', message: 'denied', trapped: true, durationMs: 0 }],
        hostCallsOmitted: 2,
        result: { error: { kind: 'exit', message: 'exit 3', details: { exitCode: 3 } } },
      },
    ],
  };
}

function refused(mutate: (trace: Record<string, unknown>) => void): TraceFormatError {
  const trace = structuredClone(sample()) as unknown as Record<string, unknown>;
  mutate(trace);
  try {
    parseTrace(JSON.stringify(trace));
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError);
    return error as TraceFormatError;
  }
  throw new Error('the trace was accepted');
}

const calls = (t: Record<string, unknown>) => t['calls'] as Record<string, unknown>[];
const hostCalls = (t: Record<string, unknown>) => calls(t)[0]!['hostCalls'] as Record<string, unknown>[];

describe('parseTrace: a trace file is untrusted input', () => {
  it('reads back every field of a valid trace, as a fresh copy', () => {
    const text = JSON.stringify(sample());
    const trace = parseTrace(text);
    expect(trace).toEqual(sample());
    expect(parseTrace(JSON.parse(text))).toEqual(sample());
  });

  it.each<[string, (t: Record<string, unknown>) => void, string]>([
    ['not a trace', (t) => (t['format'] = 'something'), 'format'],
    ['another version', (t) => (t['version'] = 2), 'version'],
    ['a missing plugin id', (t) => delete (t['plugin'] as Record<string, unknown>)['id'], 'plugin.id'],
    ['an unknown mode', (t) => ((t['runtime'] as Record<string, unknown>)['mode'] = 'gpu'), 'runtime.mode'],
    ['a negative dropped count', (t) => (t['dropped'] = -1), 'dropped'],
    ['calls out of order', (t) => (calls(t)[1]!['seq'] = 4), 'calls[1].seq'],
    ['a host function that does not exist', (t) => (hostCalls(t)[0]!['fn'] = 'host_format_disk'), 'calls[0].hostCalls[0].fn'],
    ['a prototype key as host function', (t) => (hostCalls(t)[0]!['fn'] = '__proto__'), 'calls[0].hostCalls[0].fn'],
    ['an unknown outcome', (t) => (hostCalls(t)[0]!['outcome'] = 'maybe'), 'calls[0].hostCalls[0].outcome'],
    ['invalid base64', (t) => (calls(t)[0]!['result'] = { output: { base64: 'a$==' } }), 'calls[0].result.output.base64'],
    ['a value of another shape', (t) => (calls(t)[0]!['input'] = { text: 'x' }), 'calls[0].input'],
    ['a number as value', (t) => (hostCalls(t)[0]!['output'] = 42), 'calls[0].hostCalls[0].output'],
    ['an unknown error kind', (t) => (calls(t)[1]!['result'] = { error: { kind: 'oops', message: '' } }), 'calls[1].result.error.kind'],
    ['a NaN duration', (t) => (calls(t)[0]!['durationMs'] = 'NaN'), 'calls[0].durationMs'],
    ['a clock id past 3', (t) => ((calls(t)[0]!['wasi'] as { clocks: { id: number }[] }).clocks[0]!.id = 9), 'calls[0].wasi.clocks[0].id'],
    ['nanoseconds past 2^64', (t) => ((calls(t)[0]!['wasi'] as { clocks: { ns: string }[] }).clocks[0]!.ns = '18446744073709551616'), 'calls[0].wasi.clocks[0].ns'],
    ['a bad start time', (t) => (calls(t)[0]!['startedAt'] = 'yesterday'), 'calls[0].startedAt'],
    ['fresh: false', (t) => (calls(t)[0]!['fresh'] = false), 'calls[0].fresh'],
  ])('refuses %s, naming the field', (_what, mutate, path) => {
    const error = refused(mutate);
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
  });

  it('refuses text that is not JSON or larger than the limit, before parsing it', () => {
    expect(() => parseTrace('{"format":')).toThrow(/the text is not JSON/);
    expect(() => parseTrace(JSON.stringify(sample()), { maxBytes: 100 })).toThrow(/more than the limit of 100/);
  });

  it('says how to get a trace this kit reads when the version differs', () => {
    expect(refused((t) => (t['version'] = 7)).message).toMatch(/this kit reads version 1 \(record the trace again/);
  });
});
