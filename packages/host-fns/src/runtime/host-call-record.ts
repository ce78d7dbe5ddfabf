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
