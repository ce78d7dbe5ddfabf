import type { ExtismHostFunction, HostLogger, LogFields } from '@diaryx/host-fns';
import type { ResolvedPluginMode } from '../options.js';
import type { CallDeadline } from './deadline.js';
import type { WasiSource } from './wasi-shim.js';

/** What an export call returns: the guest's output (read it with `ownedBytes`). */
export interface GuestOutput {
  bytes(): Uint8Array;
}

/** How to run one guest instance (what every mode needs). */
export interface GuestInstanceOptions {
  /** The compiled module; a `metered` one comes from `meterModule` and `deferGuestEntry`. */
  module: WebAssembly.Module;
  hostFunctions: Record<string, ExtismHostFunction>;
  mode: ResolvedPluginMode;
  /** Host functions may suspend the guest on a Promise (metered mode with JSPI; workers always may). */
  asyncHostServices: boolean;
  /** Metered mode: the longest stretch of guest time before it yields the thread (JSPI); null never yields. */
  sliceMs: number | null;
  /** A call's deadline when the call names none (worker and metered modes); null = none. */
  timeoutMs: number | null;
  /** Deadline of instantiation and of the module's start code (worker and metered modes). */
  startTimeoutMs: number | null;
  /** Cap on Extism kernel memory (host-side blocks), in 64 KiB pages. */
  maxKernelPages: number;
  /** Cap on the bytes of all Extism vars together. */
  maxVarBytes: number;
  logger: HostLogger;
  /** What guest log lines are about (the plugin's id, the export running). */
  logFields: () => LogFields;
  /** Told each line the guest logs at error (its abort handler's message, say). */
  onGuestError?: (message: string) => void;
  /**
   * Where the instance puts the deadline of the call in progress (null between calls), for host
   * functions to pause it while a person is asked. A slot rather than a method of the instance:
   * host functions are reachable from the SDK plugin, which must not keep the instance alive.
   */
  activeDeadline: { current: CallDeadline | null };
  /** Told when a fresh instance (or worker) has started after a stop, with the restarts so far. */
  onRestart?: (restarts: number) => void;
  /** Metered mode: where WASI clocks and randomness come from (null: the real ones). */
  wasiSource: WasiSource | null;
}

/** Options of one call. */
export interface GuestCallOptions {
  /** This call's deadline in ms; null for none; undefined for the instance's. */
  timeoutMs?: number | null;
  /** Stops the call: at once while it waits, at its next fuel check or yield while it runs. */
  signal?: AbortSignal | null;
}

/** Counters of one instance (and the replacements it started). */
export interface GuestStats {
  calls: number;
  /** Guest time of all calls, in ms (for metered mode: including the slices other work ran in between). */
  busyMs: number;
  timeouts: number;
  /** Instances started after the first (after a timeout, an abort or a crash). */
  restarts: number;
  /** Bytes of the guest's linear memory now; null where the runtime cannot tell (a worker). */
  memoryBytes: number | null;
}

/** A running guest: call exports, close. */
export interface GuestInstance {
  /**
   * Calls an export. Failures are the SDK's errors as thrown (normalise them with `toError`), or
   * a call stop (call-stop.ts: a timeout, a `CallAbortedError`, a `GuestExitError`).
   */
  call(exportName: string, input: string | Uint8Array, options?: GuestCallOptions): Promise<GuestOutput | null>;
  stats(): GuestStats;
  /** Ends the instance: a call in progress is stopped (within a slice in metered mode). */
  close(): Promise<void>;
}

/** Combines a call's signal with the instance's closing signal. */
export function callSignal(signal: AbortSignal | null | undefined, closing: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([signal, closing]) : closing;
}

/** The deadline a call runs under (its own, or the instance's). */
export function callTimeout(options: GuestCallOptions | undefined, instanceTimeoutMs: number | null): number | null {
  return options?.timeoutMs === undefined ? instanceTimeoutMs : options.timeoutMs;
}
