import type { HostOutput } from './define.js';

/** How one host-function call ended. */
export type HostCallOutcome = 'ok' | 'denied' | 'trap';

/** One host-function call as the observer sees it (the fake host's `host.calls`). */
export interface HostCallRecord {
  /** The host function, e.g. `host_read_file`. */
  name: string;
  /** The calling plugin's id at the time of the call. */
  pluginId: string;
  /** The input as text (lossy UTF-8; binary inputs are rare). */
  input: string;
  /** The output handed to the guest as text ("" for none); for a trap, "". */
  output: string;
  /** `denied` when a permission check refused (whatever the function then returned). */
  outcome: HostCallOutcome;
  /** The trap or denial message, when there is one. */
  message?: string;
}

/** Receives a record after every host-function call. Must not throw. */
export type HostCallObserver = (record: HostCallRecord) => void;

/**
 * A host call as a plugin's recorder sees it (the loader's `record` option): the record, plus
 * the output exactly as handed to the guest (bytes stay bytes) and how long the call took.
 */
export interface HostCallDetail extends HostCallRecord {
  /** The output as the host function returned it: text, or bytes where the output is binary. */
  value: HostOutput;
  /** Time from the call's start to its answer, in ms (async services included). */
  durationMs: number;
  /** True when the call failed the export call: a trap, denied or not (`outcome` alone cannot tell a denied trap). */
  trapped: boolean;
}

/**
 * Receives the detail of every host call one plugin makes (set on its {@link PluginHostState}
 * by the loader while it records). Costs nothing while unset. Must not throw.
 */
export type HostCallRecorder = (detail: HostCallDetail) => void;
