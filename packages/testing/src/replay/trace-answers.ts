// How a replayed plugin is answered: each host call from the trace call being replayed (through
// the fake host's registry: an answer source, see @diaryx/host-fns HostCallAnswerSource), and a
// metered plugin's WASI clocks and randomness from the same call's readings.

import { decodeBase64Strict, type HostCall, type HostCallAnswer, type HostCallAnswerSource } from '@diaryx/host-fns';
import type { TraceCall, TraceHostCall, TraceValue, WasiSource } from '@diaryx/loader';
import { divergence, type TraceDivergence, valueText } from './divergence.js';

/** A trace value as the bytes or text it was, or null when the trace left it out. */
export function traceValueData(value: TraceValue): string | Uint8Array | null {
  if (typeof value === 'string') return value;
  if ('base64' in value) return decodeBase64Strict(value.base64);
  return null;
}

/** Export errors that stop a call from outside (its deadline, its signal, a close): replay stops it the same way. */
export const STOP_KINDS: ReadonlySet<string> = new Set(['timeout', 'aborted', 'closed']);

/** The replay of one trace call: which host call comes next, and what went wrong. */
interface CallReplay {
  index: number;
  call: TraceCall;
  expected: TraceHostCall[];
  next: number;
  /** Set once the call diverged in a way replay cannot answer past: later host calls trap. */
  stopped: string | null;
  /** Aborts the replayed call: a recorded call that was stopped from outside is stopped here too. */
  abort: AbortController;
}

/**
 * Answers the replayed plugin's host calls from the trace call being replayed, in order, and
 * notes where it diverges. Strict: every host call (logs included) must come with the input the
 * trace has; the first divergence stops the call (its host call traps). Lenient: `host_log`
 * calls are not compared, and a host call with another input is answered as recorded.
 */
export class TraceAnswers {
  readonly #strict: boolean;
  #current: CallReplay | null = null;
  readonly divergences: TraceDivergence[] = [];
  /** For the fake host's `answers` option. */
  readonly source: HostCallAnswerSource = (call) => this.#answer(call);

  constructor(strict: boolean) {
    this.#strict = strict;
  }

  /** Starts answering for a trace call; returns the signal to call the export with. */
  begin(index: number, call: TraceCall): AbortSignal {
    const expected = this.#strict ? call.hostCalls : call.hostCalls.filter((h) => h.fn !== 'host_log');
    this.#current = { index, call, expected, next: 0, stopped: null, abort: new AbortController() };
    return this.#current.abort.signal;
  }

  /** Ends the call; returns whether it diverged (host calls left over count when it was not stopped). */
  end(): boolean {
    const replay = this.#current;
    this.#current = null;
    if (replay === null) return false;
    if (replay.stopped !== null) return true;
    const left = replay.expected[replay.next];
    if (left === undefined || replay.abort.signal.aborted) return false;
    this.divergences.push(
      divergence('missing_host_call', replay.index, replay.call, {
        hostCall: replay.call.hostCalls.indexOf(left),
        fn: left.fn,
        recorded: `${left.fn} ${valueText(left.input)}${replay.expected.length - replay.next > 1 ? ` (and ${replay.expected.length - replay.next - 1} more)` : ''}`,
        replayed: '',
      }),
    );
    return true;
  }

  #stop(replay: CallReplay, found: TraceDivergence): HostCallAnswer {
    this.divergences.push(found);
    replay.stopped = found.message;
    return { trap: `replay: ${found.message}` };
  }

  #answer(call: HostCall): HostCallAnswer | undefined {
    const replay = this.#current;
    // Outside a replayed call (the manifest call at load): the fake host answers.
    if (replay === null) return undefined;
    if (replay.stopped !== null) return { trap: `replay: stopped after the divergence: ${replay.stopped}` };
    if (!this.#strict && call.fn === 'host_log') return undefined;
    const input = call.inputPreview();
    const position = replay.next;
    const expected = replay.expected[position];
    const hostCall = expected === undefined ? replay.call.hostCalls.length : replay.call.hostCalls.indexOf(expected);
    const sides = { hostCall, fn: expected?.fn ?? call.fn };
    if (expected === undefined) {
      const result = replay.call.result;
      // A call stopped from outside (a deadline, an abort) is stopped where its trace ends.
      if ('error' in result && STOP_KINDS.has(result.error.kind)) {
        replay.abort.abort(new Error(`replay: the recorded call was stopped here (${result.error.kind})`));
        return { output: '' };
      }
      if ((replay.call.hostCallsOmitted ?? 0) > 0) {
        return this.#stop(replay, divergence('unreplayable', replay.index, replay.call, { ...sides, recorded: `${replay.call.hostCallsOmitted} host calls left out of the trace`, replayed: `${call.fn} ${input}` }));
      }
      return this.#stop(replay, divergence('extra_host_call', replay.index, replay.call, { ...sides, recorded: '', replayed: `${call.fn} ${input}` }));
    }
    if (expected.fn !== call.fn) {
      return this.#stop(replay, divergence('other_host_call', replay.index, replay.call, { ...sides, recorded: `${expected.fn} ${valueText(expected.input)}`, replayed: `${call.fn} ${input}` }));
    }
    replay.next++;
    const recordedInput = traceValueData(expected.input);
    if (recordedInput === null) {
      return this.#stop(replay, divergence('unreplayable', replay.index, replay.call, { ...sides, recorded: valueText(expected.input), replayed: input }));
    }
    if (recordedInput !== input) {
      const found = divergence('host_call_input', replay.index, replay.call, { ...sides, recorded: typeof recordedInput === 'string' ? recordedInput : valueText(expected.input), replayed: input });
      if (this.#strict) return this.#stop(replay, found);
      this.divergences.push(found);
    }
    const denied = expected.outcome === 'denied' ? { denied: expected.message ?? 'denied (recorded)' } : {};
    if (expected.trapped === true || expected.outcome === 'trap') return { trap: expected.message ?? `${call.fn}: trapped (recorded)`, ...denied };
    // Logs are written by the real host_log (it answers "" as recorded), so the replay's logs show.
    if (call.fn === 'host_log') return undefined;
    const output = traceValueData(expected.output);
    if (output === null) {
      return this.#stop(replay, divergence('unreplayable', replay.index, replay.call, { ...sides, recorded: valueText(expected.output), replayed: `${call.fn} ${input}` }));
    }
    return { output, ...denied };
  }
}

/** Deterministic filler: xorshift32 from a seed (randomness the trace does not have). */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state & 0xff;
  };
}

/**
 * The WASI clocks and randomness of the trace call being replayed, in the order they were read;
 * past what the trace has, a clock moves on by 1 µs a reading (realtime from the call's start
 * time) and randomness comes from a fixed-seed generator: the same replay gives the same values.
 */
export class TraceWasi implements WasiSource {
  #clocks = new Map<number, bigint[]>();
  #last = new Map<number, bigint>();
  #random: Uint8Array = new Uint8Array(0);
  #randomAt = 0;
  #filler = xorshift(1);

  /** Starts serving the readings of a trace call. */
  begin(call: TraceCall): void {
    this.#clocks = new Map();
    for (const { id, ns } of call.wasi?.clocks ?? []) {
      const queue = this.#clocks.get(id) ?? [];
      queue.push(BigInt(ns));
      this.#clocks.set(id, queue);
    }
    const random = call.wasi ? traceValueData(call.wasi.random) : null;
    this.#random = typeof random === 'string' ? new TextEncoder().encode(random) : (random ?? new Uint8Array(0));
    this.#randomAt = 0;
    this.#filler = xorshift(call.seq + 1);
    if (!this.#last.has(0)) this.#last.set(0, BigInt(Date.parse(call.startedAt)) * 1_000_000n);
  }

  clockNs(id: number): bigint {
    const recorded = this.#clocks.get(id)?.shift();
    const value = recorded ?? (this.#last.get(id) ?? 0n) + 1_000n;
    this.#last.set(id, value);
    return value;
  }

  fillRandom(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = this.#randomAt < this.#random.length ? this.#random[this.#randomAt++]! : this.#filler();
    }
  }
}
