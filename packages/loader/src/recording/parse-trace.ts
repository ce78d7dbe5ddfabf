// Reading a trace file: a trace comes from another machine (a user's bug report), so it is
// checked field by field like any untrusted input, and rebuilt from scratch: nothing of the
// parsed JSON is handed on except checked strings and numbers.

import { decodeBase64Strict, HOST_FUNCTION_NAMES, type HostCallOutcome } from '@diaryx/host-fns';
import type { PluginCallErrorKind } from '../errors.js';
import type { ResolvedPluginMode } from '../options.js';
import {
  type PluginTrace,
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceCall,
  type TraceClockReading,
  type TraceHostCall,
  type TraceResult,
  type TraceValue,
  type TraceWasi,
} from './trace.js';

/** The largest trace text {@link parseTrace} reads by default: 64 MiB. */
export const MAX_TRACE_TEXT_BYTES = 64 * 1024 * 1024;
/** The most calls a trace may hold (the `record.calls` option's upper bound). */
export const MAX_TRACE_CALLS = 10_000;
/** The most host calls (and WASI clock readings) one traced call may hold. */
export const MAX_TRACE_HOST_CALLS = 100_000;

/** A trace that cannot be read: `path` names the field (e.g. `calls[2].hostCalls[0].outcome`). */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
  /** Always `invalid_trace`. */
  readonly kind = 'invalid_trace' as const;
  constructor(
    /** The field that is wrong, or `""` for the whole text. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const HOST_FUNCTIONS = new Set(HOST_FUNCTION_NAMES);
// Written as records so that a new kind, outcome or mode fails the type check here until it is added.
const OUTCOMES: ReadonlySet<string> = new Set(Object.keys({ ok: true, denied: true, trap: true } satisfies Record<HostCallOutcome, true>));
const MODES: ReadonlySet<string> = new Set(Object.keys({ worker: true, metered: true, 'in-process': true } satisfies Record<ResolvedPluginMode, true>));
const ERROR_KINDS: ReadonlySet<string> = new Set(
  Object.keys({
    guest_error: true,
    trap: true,
    missing_export: true,
    host_trap: true,
    timeout: true,
    invalid_response: true,
    input_too_large: true,
    invalid_input: true,
    config_write: true,
    aborted: true,
    exit: true,
    closed: true,
    not_declared: true,
    not_loaded: true,
  } satisfies Record<PluginCallErrorKind, true>),
);
const MAX_NAME = 256;

function fail(path: string, problem: string): never {
  throw new TraceFormatError(path, `Invalid plugin trace: ${path || 'the trace'} ${problem}`);
}

type Json = Record<string, unknown>;

function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, 'must be an object');
  return value as Json;
}

function array(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  if (value.length > max) fail(path, `has ${value.length} entries, more than ${max}`);
  return value;
}

function string(value: unknown, path: string, max = Number.POSITIVE_INFINITY): string {
  if (typeof value !== 'string') fail(path, 'must be a string');
  if (value.length > max) fail(path, `is longer than ${max} characters`);
  return value;
}

function count(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(path, 'must be a whole number ≥ 0');
  return value;
}

function duration(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(path, 'must be a number of ms ≥ 0');
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: ReadonlySet<string>, path: string): T {
  if (typeof value !== 'string' || !allowed.has(value)) fail(path, `must be one of ${[...allowed].join(', ')}`);
  return value as T;
}

function isoTime(value: unknown, path: string): string {
  const text = string(value, path, 64);
  if (Number.isNaN(Date.parse(text))) fail(path, 'must be an ISO 8601 time');
  return text;
}

function traceValue(value: unknown, path: string): TraceValue {
  if (typeof value === 'string') return value;
  const json = object(value, path);
  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0] === 'base64') {
    const base64 = string(json['base64'], `${path}.base64`);
    try {
      decodeBase64Strict(base64);
    } catch {
      fail(`${path}.base64`, 'is not valid base64');
    }
    return { base64 };
  }
  if (keys.length === 1 && keys[0] === 'omitted') return { omitted: count(json['omitted'], `${path}.omitted`) };
  return fail(path, 'must be a string, {"base64": …} or {"omitted": <bytes>}');
}

function hostCall(value: unknown, path: string): TraceHostCall {
  const json = object(value, path);
  const fn = string(json['fn'], `${path}.fn`, MAX_NAME);
  if (!HOST_FUNCTIONS.has(fn)) fail(`${path}.fn`, `names no Diaryx host function (${JSON.stringify(fn)})`);
  const call: TraceHostCall = {
    fn,
    input: traceValue(json['input'], `${path}.input`),
    outcome: oneOf<HostCallOutcome>(json['outcome'], OUTCOMES, `${path}.outcome`),
    output: traceValue(json['output'], `${path}.output`),
    durationMs: duration(json['durationMs'], `${path}.durationMs`),
  };
  if (json['message'] !== undefined) call.message = string(json['message'], `${path}.message`);
  if (json['trapped'] === true || call.outcome === 'trap') call.trapped = true;
  else if (json['trapped'] !== undefined) fail(`${path}.trapped`, 'must be true when present');
  return call;
}

function wasi(value: unknown, path: string): TraceWasi {
  const json = object(value, path);
  const clocks = array(json['clocks'], `${path}.clocks`, MAX_TRACE_HOST_CALLS).map((reading, i): TraceClockReading => {
    const at = `${path}.clocks[${i}]`;
    const r = object(reading, at);
    const id = count(r['id'], `${at}.id`);
    if (id > 3) fail(`${at}.id`, 'must be a WASI clock id (0 to 3)');
    const ns = string(r['ns'], `${at}.ns`, 20);
    if (!/^\d+$/.test(ns) || BigInt(ns) >= 1n << 64n) fail(`${at}.ns`, 'must be decimal nanoseconds below 2^64');
    return { id, ns };
  });
  const out: TraceWasi = { clocks, random: traceValue(json['random'], `${path}.random`) };
  if (json['omitted'] !== undefined) {
    const omitted = object(json['omitted'], `${path}.omitted`);
    out.omitted = { clocks: count(omitted['clocks'], `${path}.omitted.clocks`), randomBytes: count(omitted['randomBytes'], `${path}.omitted.randomBytes`) };
  }
  return out;
}

function result(value: unknown, path: string): TraceResult {
  const json = object(value, path);
  if ('output' in json) return { output: json['output'] === null ? null : traceValue(json['output'], `${path}.output`) };
  const error = object(json['error'], `${path}.error`);
  const out: TraceResult = {
    error: {
      kind: oneOf<PluginCallErrorKind>(error['kind'], ERROR_KINDS, `${path}.error.kind`),
      message: string(error['message'], `${path}.error.message`),
    },
  };
  if (error['details'] !== undefined) {
    const details = object(error['details'], `${path}.error.details`);
    const exitCode = details['exitCode'];
    if (exitCode !== undefined) {
      if (typeof exitCode !== 'number' || !Number.isInteger(exitCode)) fail(`${path}.error.details.exitCode`, 'must be a whole number');
      out.error.details = { exitCode };
    }
  }
  return out;
}

function traceCall(value: unknown, path: string): TraceCall {
  const json = object(value, path);
  const call: TraceCall = {
    seq: count(json['seq'], `${path}.seq`),
    export: string(json['export'], `${path}.export`, MAX_NAME),
    input: traceValue(json['input'], `${path}.input`),
    startedAt: isoTime(json['startedAt'], `${path}.startedAt`),
    durationMs: duration(json['durationMs'], `${path}.durationMs`),
    hostCalls: array(json['hostCalls'], `${path}.hostCalls`, MAX_TRACE_HOST_CALLS).map((c, i) => hostCall(c, `${path}.hostCalls[${i}]`)),
    result: result(json['result'], `${path}.result`),
  };
  if (json['fresh'] === true) call.fresh = true;
  else if (json['fresh'] !== undefined) fail(`${path}.fresh`, 'must be true when present');
  if (json['setup'] === true) call.setup = true;
  else if (json['setup'] !== undefined) fail(`${path}.setup`, 'must be true when present');
  if (json['hostCallsOmitted'] !== undefined) call.hostCallsOmitted = count(json['hostCallsOmitted'], `${path}.hostCallsOmitted`);
  if (json['wasi'] !== undefined) call.wasi = wasi(json['wasi'], `${path}.wasi`);
  return call;
}

/**
 * Reads a trace (its JSON text, or the parsed value) and checks every field: the format and
 * version, the types and ranges, host functions that exist, valid base64, calls in order.
 * Returns a fresh, checked copy.
 * @throws TraceFormatError naming the first wrong field
 */
export function parseTrace(input: string | unknown, options: { maxBytes?: number } = {}): PluginTrace {
  let value = input;
  if (typeof input === 'string') {
    const limit = options.maxBytes ?? MAX_TRACE_TEXT_BYTES;
    if (input.length > limit) fail('', `is ${input.length} characters long, more than the limit of ${limit} (pass maxBytes to read a larger one)`);
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new TraceFormatError('', `Invalid plugin trace: the text is not JSON (${(error as Error).message})`, { cause: error });
    }
  }
  const json = object(value, '');
  if (json['format'] !== TRACE_FORMAT) fail('format', `must be "${TRACE_FORMAT}" (this is not a Diaryx plugin trace)`);
  if (json['version'] !== TRACE_VERSION) {
    fail('version', `is ${JSON.stringify(json['version'])}; this kit reads version ${TRACE_VERSION} (record the trace again with this kit's version, or update the kit)`);
  }
  const plugin = object(json['plugin'], 'plugin');
  const runtime = object(json['runtime'], 'runtime');
  if (typeof runtime['wasiRecorded'] !== 'boolean') fail('runtime.wasiRecorded', 'must be true or false');
  const calls = array(json['calls'], 'calls', MAX_TRACE_CALLS).map((c, i) => traceCall(c, `calls[${i}]`));
  for (let i = 1; i < calls.length; i++) {
    if (calls[i]!.seq <= calls[i - 1]!.seq) fail(`calls[${i}].seq`, 'must be greater than the call before it (calls are oldest first)');
  }
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    plugin: {
      id: string(plugin['id'], 'plugin.id', MAX_NAME),
      name: string(plugin['name'], 'plugin.name', 1024),
      version: string(plugin['version'], 'plugin.version', MAX_NAME),
    },
    runtime: { mode: oneOf<ResolvedPluginMode>(runtime['mode'], MODES, 'runtime.mode'), wasiRecorded: runtime['wasiRecorded'] },
    recordedAt: isoTime(json['recordedAt'], 'recordedAt'),
    dropped: count(json['dropped'], 'dropped'),
    redactions: count(json['redactions'], 'redactions'),
    calls,
  };
}
