import type { HostCall } from './host-call.js';
import type { HostTask } from './maybe-async.js';

/** What a host function hands back: text or bytes. The empty output becomes a block of length 0 (not handle 0). */
export type HostOutput = string | Uint8Array;

/** One host function: its import name and its body. */
export interface HostFunctionDefinition {
  readonly name: string;
  readonly run: (call: HostCall) => HostTask<HostOutput>;
}

/** Declares a host function. The body is a generator so sync services stay synchronous. */
export function defineHostFunction(
  name: string,
  run: (call: HostCall) => HostTask<HostOutput>,
): HostFunctionDefinition {
  return { name, run };
}

/** Rust's key scoping: `<plugin_id>:<key>`, or the bare key for the empty plugin id. */
export function scopedKey(pluginId: string, key: string): string {
  return pluginId === '' ? key : `${pluginId}:${key}`;
}
