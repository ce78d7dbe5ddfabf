// replayTrace: run a recorded trace's export calls again against a plugin, answering every host
// call from the trace (through the fake host's registry), and report the first place the plugin
// does something the trace does not say.

import { readFile } from 'node:fs/promises';
import { encodeBase64, type HostCallRecord } from '@diaryx/host-fns';
import { type LoadedPlugin, loadPlugin, parseTrace, PluginCallError, type PluginTrace, type TraceCall } from '@diaryx/loader';
import { createFakeHost, type FakeHost } from '../fake-host.js';
import { DEFAULT_TEST_TIMEOUT_MS, type TestPluginMode, testModeOptions } from '../load-test-plugin.js';
import { divergence, firstDifference, jsonOf, type TraceDivergence, valueText } from './divergence.js';
import { STOP_KINDS, TraceAnswers, traceValueData, TraceWasi } from './trace-answers.js';

/** The longest deadline a replayed call gets from the time its trace says it took: 60 s. */
const MAX_REPLAY_TIMEOUT_MS = 60_000;

/** Options of {@link replayTrace}. */
export interface ReplayOptions {
  /**
   * Strict (default true): every host call, logs included, must come in the trace's order with
   * the trace's input, outputs must be the same bytes and errors the same kind and message; the
   * replay stops at the first divergence. Lenient (false): `host_log` calls are not compared,
   * outputs that are JSON are compared as values (key order and spacing aside), errors by kind,
   * a host call with another input is answered as recorded, and every divergence is collected.
   */
  strict?: boolean;
  /**
   * What some calls should answer instead of what the trace recorded, by index in
   * `trace.calls`: the way to turn a user's bug into a failing test (the recorded output is the
   * bug). A string is compared with the output's text, a `Uint8Array` with its bytes, anything
   * else with the output read as JSON (`null` also matches a call that set no output).
   */
  expect?: Readonly<Record<number, unknown>>;
  /** How the plugin runs (default `'auto'`, as `loadTestPlugin`: metered, so its WASI is answered from the trace). */
  mode?: TestPluginMode;
  /**
   * Each call's deadline in ms (default: 3 s, or four times what the call took when recorded
   * if that is longer, at most 60 s; a call the trace shows stopped by its deadline gets 3 s).
   */
  timeoutMs?: number;
}

/** One trace call as the plugin answered it in the replay. */
export interface ReplayedCall {
  /** Its index in `trace.calls`. */
  index: number;
  seq: number;
  export: string;
  /** What it output (null when it set none or failed). */
  output: Uint8Array | null;
  /** How it failed, or null. */
  error: PluginCallError | null;
  /** The output read as JSON, or as text when it is not JSON; undefined when it failed or set none. */
  value: unknown;
  /** The host calls it made, as the fake host saw them (answered from the trace). */
  hostCalls: HostCallRecord[];
}

/** What {@link replayTrace} found. */
export interface ReplayResult {
  /** The trace replayed (checked). */
  trace: PluginTrace;
  strict: boolean;
  /** True when the plugin did exactly what the trace (and `expect`) says: no divergence. */
  identical: boolean;
  /** The first divergence, or null. */
  divergence: TraceDivergence | null;
  /** Every divergence found (strict: at most one, the replay stops there). */
  divergences: TraceDivergence[];
  /** The calls replayed, in order. */
  calls: ReplayedCall[];
  /** What may explain a divergence: another plugin version than recorded, WASI not recorded, calls before the trace. */
  notes: string[];
  /** The fake host the plugin ran against (its `logs` hold the replay's logs). */
  host: FakeHost;
}

function outputValue(output: Uint8Array | null): unknown {
  if (output === null) return undefined;
  const text = new TextDecoder().decode(output);
  const json = jsonOf(text);
  return json === undefined ? text : json;
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Compares a replayed call's end with the trace (or the test's expectation); null when they agree. */
function compareResult(index: number, call: TraceCall, replayed: ReplayedCall, strict: boolean, expectation: { value: unknown } | null): TraceDivergence | null {
  const { output, error } = replayed;
  const outputText = output === null ? '(no output)' : new TextDecoder().decode(output);
  const errorText = (e: { kind: string; message: string }) => `failed (${e.kind}): ${e.message}`;
  if (expectation !== null) {
    const wanted = expectation.value;
    const wantedText = wanted instanceof Uint8Array ? valueText({ base64: encodeBase64(wanted) }) : typeof wanted === 'string' ? wanted : JSON.stringify(wanted);
    if (error !== null) return divergence('error', index, call, { recorded: `expected ${wantedText}`, replayed: errorText(error) });
    const matches =
      wanted instanceof Uint8Array
        ? output !== null && bytesEqual(output, wanted)
        : typeof wanted === 'string'
          ? output !== null && outputText === wanted
          : wanted === null && output === null
            ? true
            : output !== null && firstDifference(wanted, jsonOf(outputText)) === null;
    if (matches) return null;
    const json = output === null ? undefined : jsonOf(outputText);
    const path = typeof wanted !== 'string' && !(wanted instanceof Uint8Array) && json !== undefined ? firstDifference(wanted, json) : null;
    return divergence('output', index, call, { recorded: `expected ${wantedText}`, replayed: outputText, ...(path === null ? {} : { path }) });
  }
  const recorded = call.result;
  if ('error' in recorded) {
    if (error === null) return divergence('error', index, call, { recorded: errorText(recorded.error), replayed: `answered ${outputText}` });
    if (STOP_KINDS.has(recorded.error.kind) && STOP_KINDS.has(error.kind)) return null;
    if (error.kind === recorded.error.kind && (!strict || error.message === recorded.error.message)) return null;
    return divergence('error', index, call, { recorded: errorText(recorded.error), replayed: errorText(error) });
  }
  if (error !== null) return divergence('error', index, call, { recorded: `answered ${valueText(recorded.output)}`, replayed: errorText(error) });
  const data = recorded.output === null ? null : traceValueData(recorded.output);
  // An output the trace left out (over its size limit) cannot be compared.
  if (recorded.output !== null && data === null) return null;
  const recordedBytes = data === null ? null : typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (recordedBytes === null || output === null) {
    return recordedBytes === output ? null : divergence('output', index, call, { recorded: valueText(recorded.output), replayed: outputText });
  }
  if (bytesEqual(recordedBytes, output)) return null;
  const a = jsonOf(new TextDecoder().decode(recordedBytes));
  const b = jsonOf(outputText);
  const path = a !== undefined && b !== undefined ? firstDifference(a, b) : null;
  if (!strict && a !== undefined && b !== undefined && path === null) return null;
  return divergence('output', index, call, { recorded: valueText(recorded.output), replayed: outputText, ...(path === null ? {} : { path }) });
}

function notesOf(trace: PluginTrace, plugin: LoadedPlugin): string[] {
  const notes: string[] = [];
  const { id, version } = plugin.manifest;
  if (id !== trace.plugin.id || version !== trace.plugin.version) {
    notes.push(`the trace was recorded from ${trace.plugin.id} ${trace.plugin.version}; the plugin replayed is ${id} ${version}`);
  }
  if (!trace.runtime.wasiRecorded) {
    notes.push(`the trace was recorded in ${trace.runtime.mode} mode, which does not record WASI clocks and randomness: the replay gives made-up values`);
  }
  if (trace.dropped > 0) {
    notes.push(`${trace.dropped} calls of the recording are not in the trace: a plugin that keeps state in its memory between calls may answer otherwise`);
  }
  return notes;
}

/**
 * Replays a recorded trace (see the loader's `record` option) against a plugin: loads it with a
 * fake host that answers every host call from the trace (through the same host-function
 * registry, so denials and traps are the real ones), runs the trace's export calls in order
 * (restarting the plugin where the recording did), answers a metered plugin's WASI clocks and
 * randomness from the trace too, and compares each call's host calls, output and error with
 * the trace. Never throws for a divergence: read `identical` and `divergence`, or use the
 * `toMatchTrace()` matcher of `@diaryx/testing/vitest`.
 *
 * @example
 * const result = await replayTrace('build/plugin.wasm', await readFile('bug-123.trace.json', 'utf8'));
 * expect(result).toMatchTrace();
 * @throws TraceFormatError when the trace cannot be read; PluginLoadError when the plugin cannot be loaded
 */
export async function replayTrace(wasm: string | URL | Uint8Array, trace: PluginTrace | string, options: ReplayOptions = {}): Promise<ReplayResult> {
  const checked = parseTrace(trace);
  const strict = options.strict ?? true;
  const bytes = wasm instanceof Uint8Array ? wasm : new Uint8Array(await readFile(wasm));
  const answers = new TraceAnswers(strict);
  const wasi = new TraceWasi();
  const host = createFakeHost({ permissions: 'allow-all', answers: answers.source });
  const mode = options.mode ?? 'auto';
  // The loader itself, not loadTestPlugin: a replay is one step of a test, whose calls it makes
  // with their own signal and deadline, and whose timeouts are the trace's, not the test file's.
  const load = () =>
    loadPlugin(bytes, host.context, {
      name: 'replay',
      ...testModeOptions(mode),
      ...(mode === 'in-process' ? {} : { timeoutMs: DEFAULT_TEST_TIMEOUT_MS }),
      logger: host.logger,
      wasiSource: wasi,
    });
  let plugin = await load();
  const result: ReplayResult = { trace: checked, strict, identical: true, divergence: null, divergences: answers.divergences, calls: [], notes: notesOf(checked, plugin), host };
  try {
    for (const [index, call] of checked.calls.entries()) {
      if (call.fresh === true && index > 0) {
        await plugin.close();
        plugin = await load();
      }
      const input = traceValueData(call.input);
      if (input === null) {
        answers.divergences.push(divergence('unreplayable', index, call, { recorded: valueText(call.input), replayed: '' }));
        if (strict) break;
        continue;
      }
      const stopped = 'error' in call.result && STOP_KINDS.has(call.result.error.kind);
      // A trace is someone else's file: the time it claims a call took gives at most a minute.
      const timeoutMs = options.timeoutMs ?? (stopped ? DEFAULT_TEST_TIMEOUT_MS : Math.min(MAX_REPLAY_TIMEOUT_MS, Math.max(DEFAULT_TEST_TIMEOUT_MS, Math.ceil(call.durationMs * 4))));
      const signal = answers.begin(index, call);
      wasi.begin(call);
      const seen = host.calls.length;
      const replayed: ReplayedCall = { index, seq: call.seq, export: call.export, output: null, error: null, value: undefined, hostCalls: [] };
      try {
        replayed.output = await plugin.call(call.export, input, { signal, timeoutMs });
        replayed.value = outputValue(replayed.output);
      } catch (error) {
        if (!(error instanceof PluginCallError)) throw error;
        replayed.error = error;
      }
      replayed.hostCalls = host.calls.slice(seen);
      result.calls.push(replayed);
      const diverged = answers.end();
      if (!diverged) {
        const expectation = options.expect !== undefined && Object.hasOwn(options.expect, index) ? { value: options.expect[index] } : null;
        const found = compareResult(index, call, replayed, strict, expectation);
        if (found !== null) answers.divergences.push(found);
      }
      if (strict && answers.divergences.length > 0) break;
    }
  } finally {
    await plugin.close();
  }
  result.divergence = answers.divergences[0] ?? null;
  result.identical = result.divergence === null;
  return result;
}
