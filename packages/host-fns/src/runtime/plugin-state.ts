import type { HostCallRecorder } from './host-call-record.js';

/**
 * What the host functions know about the plugin they serve. The loader creates one per plugin
 * (Rust: the per-plugin copy of the HostContext) and updates it.
 */
export interface PluginHostState {
  /** The folder name or file stem until the manifest is read, then the manifest `id`. */
  pluginId: string;
  /** Set once the manifest id was written in; the id never changes afterwards. */
  idLocked: boolean;
  /**
   * True when the plugin runs on the host's thread: host functions must then be synchronous,
   * and a trap can abort the guest at once by throwing.
   */
  inProcess: boolean;
  /**
   * The message of a host-function trap in the current export call. In a worker a host function
   * must not throw (it would kill the plugin), so it records the trap here, returns nothing and
   * every later host call of the same export call is refused; the loader then fails the call.
   */
  pendingTrap: string | null;
  /**
   * The plugins whose calls are in progress in this call chain, outermost first, this plugin
   * last (kit decision D5): set by the loader for calls that come through a
   * PluginCommandBridge; `[]` for calls from the app.
   */
  callChain: readonly string[];
  /**
   * Aborted when the current export call is over (returned, failed, timed out, or the plugin
   * closed), so host work still running for it (an HTTP request) stops. Created on first use by
   * {@link exportCallSignal}; the loader ends it with {@link endExportCall}.
   */
  callAbort: AbortController | null;
  /**
   * Pauses the current export call's deadline until the returned function is called; set by the
   * loader. Host functions pause it while an async permission checker waits for a person: the
   * time a user takes to answer a prompt is not the plugin's.
   */
  pauseDeadline: (() => () => void) | null;
  /**
   * Receives every host call of this plugin in detail (output bytes, timing): set by the loader
   * while it records the plugin's calls (its `record` option), null otherwise (then free).
   */
  recorder: HostCallRecorder | null;
  /**
   * The handles of the empty answers ("") given in the current export call. A worker-mode plugin
   * gets an empty block back from @extism/extism 2.0.0-rc13 as a freed one, so when the guest
   * passes such a handle on as a host function's input it is read as "" (not an unknown handle).
   * Cleared by {@link endExportCall}.
   */
  emptyAnswers: Set<bigint> | null;
  /** The guest export in progress (set by the loader; absent or null between calls), for log fields. */
  exportName?: string | null;
}

/** Creates the state for a plugin that is about to be instantiated. */
export function createPluginHostState(initialId: string, options: { inProcess: boolean }): PluginHostState {
  return {
    pluginId: initialId,
    idLocked: false,
    inProcess: options.inProcess,
    pendingTrap: null,
    callChain: [],
    callAbort: null,
    pauseDeadline: null,
    recorder: null,
    emptyAnswers: null,
  };
}

/** Rust's id lock: the first manifest id wins; later calls change nothing. */
export function lockPluginId(state: PluginHostState, manifestId: string): void {
  if (state.idLocked) return;
  state.pluginId = manifestId;
  state.idLocked = true;
}

/** The signal of the plugin's current export call (see {@link PluginHostState.callAbort}). */
export function exportCallSignal(state: PluginHostState): AbortSignal {
  state.callAbort ??= new AbortController();
  return state.callAbort.signal;
}

/**
 * Ends the plugin's current export call for the host work still running for it: its signal is
 * aborted (with `reason`) and the next call gets a fresh one. Cheap when nothing asked for it.
 */
export function endExportCall(state: PluginHostState, reason?: unknown): void {
  state.emptyAnswers = null;
  const controller = state.callAbort;
  if (controller === null) return;
  state.callAbort = null;
  controller.abort(reason);
}
