// The trace format: what a recorded plugin saw and did, as versioned JSON (the end of
// docs/bug-report-to-test.md describes it field by field). A trace holds the plugin's export
// calls with their inputs, every host call with its input, output and outcome, the WASI clocks
// and randomness a metered plugin read, and each call's output or error: host-call outputs and
// nothing else of the workspace.

import type { HostCallOutcome } from '@diaryx/host-fns';
import type { PluginCallErrorDetails, PluginCallErrorKind } from '../errors.js';
import type { ResolvedPluginMode } from '../options.js';

/** The `format` field of every trace. */
export const TRACE_FORMAT = 'diaryx-plugin-trace';
/** The trace version this loader writes and reads. */
export const TRACE_VERSION = 1;

/**
 * A recorded value: UTF-8 text as a string, other bytes as `{ base64 }`, and a value left out to
 * keep the trace under its size limit as `{ omitted: <its size in bytes> }`.
 */
export type TraceValue = string | { base64: string } | { omitted: number };

/** One host-function call of a recorded export call. */
export interface TraceHostCall {
  /** The host function, e.g. `host_read_file`. */
  fn: string;
  /** Its input as text (host-function inputs are JSON text; invalid UTF-8 is kept lossy). */
  input: TraceValue;
  /** `ok`, `denied` (a permission check refused), or `trap` (the call failed the export call). */
  outcome: HostCallOutcome;
  /** The output handed to the guest (`""` for none and for a trap). */
  output: TraceValue;
  /** The trap or denial message. */
  message?: string;
  /** True when the call failed the export call (a trap; with outcome `denied`, a denial that traps). */
  trapped?: true;
  /** How long the host answered in, in ms. */
  durationMs: number;
}

/** A WASI clock reading (metered mode). */
export interface TraceClockReading {
  /** The WASI clock id: 0 realtime, 1 monotonic, 2 process CPU time, 3 thread CPU time. */
  id: number;
  /** The time it gave, in nanoseconds, as decimal text. */
  ns: string;
}

/** What a metered plugin read of WASI's clocks and randomness during one call. */
export interface TraceWasi {
  /** Clock readings in the order the plugin made them. */
  clocks: TraceClockReading[];
  /** The random bytes `random_get` gave, all calls of the export call concatenated. */
  random: TraceValue;
  /** Readings and random bytes past the per-call cap (not recorded: replay makes them up). */
  omitted?: { clocks: number; randomBytes: number };
}

/** How a recorded export call ended. */
export type TraceResult =
  | { output: TraceValue | null }
  | { error: { kind: PluginCallErrorKind; message: string; details?: PluginCallErrorDetails } };

/** One export call of a recorded plugin. */
export interface TraceCall {
  /** The plugin's call number since it was loaded (0 first): gaps show calls left out. */
  seq: number;
  /** The export, e.g. `handle_command`, `on_event`, `init`. */
  export: string;
  /** The input it was given. */
  input: TraceValue;
  /** True when the call ran on a fresh instance (the first after a timeout, an abort or a crash). */
  fresh?: true;
  /**
   * Kept although it is older than the ring: the last `set_config` or `init` of the instance the
   * later calls ran on, so replay starts the plugin's memory where they found it.
   */
  setup?: true;
  /** When it started (ISO 8601). */
  startedAt: string;
  /** How long it took, in ms. */
  durationMs: number;
  /** Every host call it made, in order. */
  hostCalls: TraceHostCall[];
  /** Host calls past the per-call cap, not recorded: replay stops there. */
  hostCallsOmitted?: number;
  /** WASI clocks and randomness it read (metered mode; absent when it read none). */
  wasi?: TraceWasi;
  /** Its output, or the error it failed with. */
  result: TraceResult;
}

/** A recorded plugin's last calls: what `LoadedPlugin.takeRecording()` returns. */
export interface PluginTrace {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  /** The plugin, as its manifest names it. */
  plugin: { id: string; name: string; version: string };
  /** Where it ran and whether its WASI clocks and randomness are in the trace (metered mode only). */
  runtime: { mode: ResolvedPluginMode; wasiRecorded: boolean };
  /** When the trace was taken (ISO 8601). */
  recordedAt: string;
  /** Calls made since recording started (or the last take) that are not in the trace (the ring's and the size limit's). */
  dropped: number;
  /** Strings replaced by placeholders: secrets read through `host_secret_get`/written with `host_secret_set`, and the `redact` option's. */
  redactions: number;
  /** The calls, oldest first. */
  calls: TraceCall[];
}
