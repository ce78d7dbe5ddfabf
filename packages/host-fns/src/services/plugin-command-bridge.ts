import type { MaybePromise } from '../runtime/maybe-async.js';

/** The outcome of a cross-plugin command: `{ok: true, data}` or `{ok: false, error}`. */
export type PluginCommandResult = { ok: true; data: unknown } | { ok: false; error: string };

/** Routes `host_plugin_command` from one plugin to another (the loader offers one over its plugins). */
export interface PluginCommandBridge {
  /**
   * @param chain the ids of the plugins whose calls are in progress, outermost first, the
   * caller last; pass it on to the callee so nested calls are counted and re-entry is refused.
   * @param options.signal aborted when the caller's export call is over (its deadline passed, it
   * was aborted, its plugin closed): the callee's call should stop then too.
   */
  call(
    callerId: string,
    pluginId: string,
    command: string,
    params: unknown,
    chain: readonly string[],
    options?: { signal?: AbortSignal },
  ): MaybePromise<PluginCommandResult>;
}

/** The default, as in Rust. */
export const noopPluginCommandBridge: PluginCommandBridge = {
  call: () => ({ ok: false, error: 'Plugin command bridge is not available' }),
};
