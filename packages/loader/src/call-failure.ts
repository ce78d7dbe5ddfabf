// What kind of failure ended a guest call, from what the runtime threw: the loader's own stops
// (call-stop.ts), the status check's error, the SDK's error for an `error_set`, or a trap.
import type { PluginCallErrorDetails, PluginCallErrorKind } from './errors.js';
import { CallAbortedError, GuestExitError, isTimeoutError } from './runtime/call-stop.js';
import { ExportStatusError } from './runtime/sdk-plugin.js';

/** @extism/extism's prefix for the text a guest gave `error_set` (both modes). */
const GUEST_ERROR_PREFIX = 'Plugin-originated error: ';

/** A failed call, classified: its kind, the developer text, and its details. */
export interface CallFailure {
  kind: Extract<PluginCallErrorKind, 'guest_error' | 'trap' | 'timeout' | 'aborted' | 'exit'>;
  /** The text after "Extism call `<export>` failed: ". */
  reason: string;
  details: PluginCallErrorDetails;
}

/** The text of an abort reason, or null when it gave none. */
export function abortReasonText(reason: unknown): string | null {
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  if (typeof reason === 'string' && reason !== '') return reason;
  return null;
}

/**
 * Classifies what a guest call threw. `loggedError` is the guest's last error log line (an
 * AssemblyScript abort's message, file and line), added to a trap's text, which says only
 * "unreachable".
 */
export function classifyCallFailure(cause: Error, timeoutMs: number | null, loggedError: string | null): CallFailure {
  if (isTimeoutError(cause)) return { kind: 'timeout', reason: cause.message, details: { timeoutMs: timeoutMs ?? 0 } };
  if (cause instanceof CallAbortedError) return { kind: 'aborted', reason: cause.message, details: { reason: abortReasonText(cause.reason) } };
  if (cause instanceof GuestExitError) return { kind: 'exit', reason: cause.message, details: { exitCode: cause.exitCode } };
  const text = loggedError !== null && !cause.message.includes(loggedError) ? `${cause.message} (the plugin logged before failing: ${loggedError})` : cause.message;
  if (cause instanceof ExportStatusError) return { kind: 'guest_error', reason: text, details: { guestMessage: loggedError } };
  if (cause.message.startsWith(GUEST_ERROR_PREFIX)) {
    return { kind: 'guest_error', reason: text, details: { guestMessage: cause.message.slice(GUEST_ERROR_PREFIX.length) } };
  }
  return { kind: 'trap', reason: text, details: { trap: cause.message } };
}
