import type { MaybePromise } from '../runtime/maybe-async.js';

/** The outcome of a cross-plugin command: `{ok: true, data}` or `{ok: false, error}`. */
export type PluginCommandResult = { ok: true; data: unknown } | { ok: false; error: string };

/** Routes `host_plugin_command` from one plugin to another (the loader's registry implements it). */
export interface PluginCommandBridge {
  call(callerId: string, pluginId: string, command: string, params: unknown): MaybePromise<PluginCommandResult>;
}

/** The default, as in Rust. */
export const noopPluginCommandBridge: PluginCommandBridge = {
  call: () => ({ ok: false, error: 'Plugin command bridge is not available' }),
};
