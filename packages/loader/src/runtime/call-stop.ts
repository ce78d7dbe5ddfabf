// Why a guest call stopped before the guest returned, as every mode reports it: its deadline
// passed, its caller aborted it (or the plugin was closed), or the guest asked WASI to exit.

/** The message every deadline failure carries (the worker's and the SDK's own wording). */
export const TIMEOUT_MESSAGE = 'EXTISM: call canceled due to timeout';

/** True for a deadline failure, whichever mode reported it. */
export function isTimeoutError(error: Error): boolean {
  return error.message.includes(TIMEOUT_MESSAGE);
}

/** A call stopped because its `AbortSignal` fired (or the plugin was closed while it ran). */
export class CallAbortedError extends Error {
  override readonly name = 'CallAbortedError';
  constructor(readonly reason: unknown) {
    super(`the call was aborted${reasonText(reason)}`);
  }
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error && reason.name !== 'AbortError') return ` (${reason.message})`;
  if (typeof reason === 'string' && reason !== '') return ` (${reason})`;
  return '';
}

/** The guest called WASI `proc_exit(code)`: its export call ends there. */
export class GuestExitError extends Error {
  override readonly name = 'GuestExitError';
  constructor(readonly exitCode: number) {
    super(`the plugin exited with code ${exitCode} (WASI proc_exit)`);
  }
}

/** Throws the abort of `signal` as a {@link CallAbortedError}, if it fired. */
export function throwIfAborted(signal: AbortSignal | null | undefined): void {
  if (signal?.aborted) throw new CallAbortedError(signal.reason);
}
