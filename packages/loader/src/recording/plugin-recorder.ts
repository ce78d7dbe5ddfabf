// The recorder behind the loader's `record` option: a bounded ring of one plugin's last export
// calls, each with the host calls and WASI clock and random readings made during it. Host calls
// arrive through the plugin's PluginHostState.recorder (set only while recording, so other
// plugins pay nothing); the loaded plugin opens and closes each call. `take` turns the ring into
// a trace: redacted, and cut to its size limit.

import { MAX_RECORDED_HOST_CALLS } from './record-options.js';
import { type HostCallDetail, type HostLogger, utf8ByteLength } from '@diaryx/host-fns';
import type { PluginCallError } from '../errors.js';
import type { PluginRuntimeInfo } from '../options.js';
import type { WasiSource } from '../runtime/wasi-shim.js';
import type { ResolvedRecordOptions } from './record-options.js';
import { Redactor } from './redaction.js';
import { type Raw, type RecordedCall, toTraceCall } from './trace-call.js';
import { shrunk } from './trace-size.js';
import { type PluginTrace, TRACE_FORMAT, TRACE_VERSION, type TraceCall } from './trace.js';

/** WASI clock readings kept per export call. */
const MAX_CLOCK_READINGS = 10_000;
/** Random bytes kept per export call. */
const MAX_RANDOM_BYTES = 64 * 1024;
/** Exports whose effect on the plugin's memory later calls depend on (kept as setup, see trace.ts). */
const SETUP_EXPORTS = new Set(['set_config', 'init']);

const sizeOf = (value: Raw): number =>
  typeof value === 'string' ? value.length + 2 : value instanceof Uint8Array ? Math.ceil(value.length / 3) * 4 + 14 : 24;

/** The plugin a trace names, and where it runs. */
export interface RecordedPlugin {
  id: string;
  name: string;
  version: string;
  runtime: PluginRuntimeInfo;
}

/** Records one plugin's calls (see the file comment). */
export class PluginRecorder {
  readonly #options: ResolvedRecordOptions;
  readonly #logger: HostLogger;
  readonly #redactor: Redactor;
  #ring: RecordedCall[] = [];
  #ringBytes = 0;
  /** The last `set_config` and `init` older than the ring, on the instance the ring's calls ran on. */
  #setup = new Map<string, RecordedCall>();
  #current: RecordedCall | null = null;
  #seq = 0;
  /** The first call number since recording started or the last take (for `dropped`). */
  #firstSeq = 0;
  /** Set when the recorder could not remember a secret: nothing is kept any more (see take). */
  #unsafe = false;

  /** The WASI source of a metered plugin: the given one (or the real one), read through the recorder. */
  readonly wasiSource: WasiSource;
  /** Set as the plugin's PluginHostState.recorder. */
  readonly onHostCall: (detail: HostCallDetail) => void;

  constructor(options: ResolvedRecordOptions, wasi: WasiSource, logger: HostLogger) {
    this.#options = options;
    this.#logger = logger;
    this.#redactor = new Redactor(options.redact);
    this.wasiSource = {
      clockNs: (id) => {
        const ns = wasi.clockNs(id);
        const call = this.#current;
        if (call !== null) {
          if (call.clocks.length < MAX_CLOCK_READINGS) call.clocks.push({ id, ns });
          else call.omittedClocks++;
        }
        return ns;
      },
      fillRandom: (bytes) => {
        wasi.fillRandom(bytes);
        const call = this.#current;
        if (call === null) return;
        const room = Math.max(0, MAX_RANDOM_BYTES - call.randomBytes);
        if (room > 0) call.random.push(bytes.slice(0, room));
        call.randomBytes += Math.min(room, bytes.length);
        call.omittedRandom += bytes.length - Math.min(room, bytes.length);
      },
    };
    this.onHostCall = (detail) => this.#hostCall(detail);
  }

  /** Whether the trace has WASI readings: only the kit's WASI (metered mode) can be read. */
  static wasiRecorded(runtime: PluginRuntimeInfo): boolean {
    return runtime.mode === 'metered';
  }

  /** A value as kept: too large for the trace → only its size. */
  #keep(value: string | Uint8Array): Raw {
    const size = typeof value === 'string' ? value.length : value.length;
    return size > this.#options.maxBytes ? { omitted: typeof value === 'string' ? utf8ByteLength(value) : size } : value;
  }

  #hostCall(detail: HostCallDetail): void {
    // The plugin learns a secret: it is redacted wherever it shows up, whatever the outcome.
    if (detail.name === 'host_secret_get' || detail.name === 'host_secret_set') this.#learnSecret(detail);
    const call = this.#current;
    if (call === null) return;
    const input = this.#keep(detail.input);
    const output = this.#keep(detail.value);
    const size = sizeOf(input) + sizeOf(output) + (detail.message?.length ?? 0) + 96;
    if (call.hostCalls.length >= MAX_RECORDED_HOST_CALLS || call.size + size > this.#options.maxBytes) {
      call.hostCallsOmitted++;
      return;
    }
    call.size += size;
    call.hostCalls.push({ fn: detail.name, input, outcome: detail.outcome, output, message: detail.message, durationMs: detail.durationMs, trapped: detail.trapped });
  }

  #learnSecret(detail: HostCallDetail): void {
    const json = detail.name === 'host_secret_get' ? detail.output : detail.input;
    let value: unknown;
    try {
      value = (JSON.parse(json) as { value?: unknown } | null)?.value;
    } catch {
      return;
    }
    if (typeof value !== 'string' || this.#redactor.addSecret(value)) return;
    // Past what the redactor can remember, no trace could be shown safely: keep nothing.
    this.#unsafe = true;
    this.#ring = [];
    this.#setup.clear();
    this.#logger.warn(`plugin recording: the plugin read more secrets than a recording can redact; its calls are no longer recorded`);
  }

  /** Opens an export call (the loader calls this just before the guest runs). */
  begin(exportName: string, input: string | Uint8Array, restartsBefore: number): void {
    const kept = this.#keep(typeof input === 'string' ? input : input.slice());
    this.#current = {
      seq: this.#seq++,
      exportName,
      input: kept,
      fresh: false,
      restartsBefore,
      startedAt: Date.now(),
      began: performance.now(),
      durationMs: 0,
      hostCalls: [],
      hostCallsOmitted: 0,
      clocks: [],
      random: [],
      randomBytes: 0,
      omittedClocks: 0,
      omittedRandom: 0,
      result: null,
      size: sizeOf(kept) + exportName.length + 160,
    };
  }

  /** Closes the call opened by {@link begin} with its output or error, and keeps it in the ring. */
  end(output: Uint8Array | null, error: PluginCallError | null, restartsAfter: number): void {
    const call = this.#current;
    this.#current = null;
    if (call === null) return;
    call.durationMs = performance.now() - call.began;
    call.fresh = restartsAfter > call.restartsBefore;
    if (error !== null) {
      call.result = { error: { kind: error.kind, message: error.message, exitCode: error.details.exitCode } };
      call.size += error.message.length + 64;
    } else {
      const kept = output === null ? null : this.#keep(output);
      call.result = { output: kept };
      call.size += kept === null ? 4 : sizeOf(kept);
    }
    call.size += call.clocks.length * 40 + Math.ceil(call.randomBytes / 3) * 4;
    if (this.#unsafe) return;
    this.#ring.push(call);
    this.#ringBytes += call.size;
    while (this.#ring.length > this.#options.calls || (this.#ring.length > 1 && this.#ringBytes > this.#options.maxBytes)) {
      this.#evict(this.#ring.shift()!);
    }
  }

  /** A call leaves the ring: it may be the setup the later calls depend on. */
  #evict(call: RecordedCall): void {
    this.#ringBytes -= call.size;
    if (call.fresh) this.#setup.clear();
    if (SETUP_EXPORTS.has(call.exportName)) this.#setup.set(call.exportName, call);
  }

  /**
   * The trace of the calls kept: setup calls first, then the ring, every text and byte redacted,
   * older calls left out (counted in `dropped`) until its compact JSON fits `maxBytes`. Empties
   * the ring unless `keep`.
   */
  take(plugin: RecordedPlugin, keep: boolean): PluginTrace {
    const setup = [...this.#setup.values()].sort((a, b) => a.seq - b.seq);
    const recorded = [...setup.map((call) => ({ call, setup: true })), ...this.#ring.map((call) => ({ call, setup: false }))];
    const header: PluginTrace = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      plugin: { id: this.#redactor.text(plugin.id), name: this.#redactor.text(plugin.name), version: plugin.version },
      runtime: { mode: plugin.runtime.mode, wasiRecorded: PluginRecorder.wasiRecorded(plugin.runtime) },
      recordedAt: new Date().toISOString(),
      dropped: 0,
      redactions: 0,
      calls: [],
    };
    // Room for the header with large counts; the calls then fill the rest, newest first.
    let budget = this.#options.maxBytes - utf8ByteLength(JSON.stringify(header)) - 64;
    const chosen: TraceCall[] = [];
    // Setup calls are kept before any other (replay needs them first), then the newest calls.
    const order = [...recorded.filter((r) => r.setup), ...recorded.filter((r) => !r.setup).reverse()];
    for (const { call, setup: isSetup } of order) {
      const traced = shrunk(toTraceCall(call, isSetup, this.#redactor), budget);
      if (traced === null) continue;
      budget -= traced.size + 1;
      chosen.push(traced.call);
    }
    header.calls = chosen.sort((a, b) => a.seq - b.seq);
    // Calls finished since the last take that the trace does not hold (the ring's, the size limit's).
    const finished = this.#seq - this.#firstSeq - (this.#current === null ? 0 : 1);
    header.dropped = finished - chosen.filter((call) => call.seq >= this.#firstSeq).length;
    header.redactions = this.#redactor.takeUsed();
    if (!keep) {
      for (const call of this.#ring) this.#evict(call);
      this.#ring = [];
      this.#ringBytes = 0;
      this.#firstSeq = this.#current === null ? this.#seq : this.#current.seq;
    }
    return header;
  }
}
