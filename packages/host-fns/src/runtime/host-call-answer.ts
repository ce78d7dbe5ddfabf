import type { HostOutput } from './define.js';
import type { HostCall } from './host-call.js';

/**
 * What a host call answers when an {@link HostCallAnswerSource} gives the answer instead of the
 * host function's body: an output (handed to the guest as the function's would be), or a trap
 * (the guest's export call fails). `denied` marks a call a permission check refused when it was
 * recorded, with the checker's message: the observer sees the outcome `denied`.
 */
export type HostCallAnswer = { output: HostOutput; denied?: string } | { trap: string; denied?: string };

/**
 * Answers host calls in place of the host functions' bodies: replay answers each call from a
 * recorded trace. Everything around the body stays the registry's (input reading, the guest
 * memory, traps, the observer), so a replayed plugin meets the same host as a live one. Return
 * `undefined` to let the host function run. Must not throw.
 */
export type HostCallAnswerSource = (call: HostCall) => HostCallAnswer | undefined;
