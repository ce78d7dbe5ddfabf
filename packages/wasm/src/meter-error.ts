/** Why a module could not be metered. */
export type MeterErrorKind = 'unsupported_opcode' | 'unsupported_feature' | 'malformed';

/** A module the metering rewriter refuses: it never rewrites what it does not understand. */
export class MeterError extends Error {
  override readonly name = 'MeterError';
  constructor(
    readonly kind: MeterErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** A byte as `0x..`, for messages. */
export function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}
