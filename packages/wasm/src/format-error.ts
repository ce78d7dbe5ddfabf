/**
 * Why bytes could not be read as a module: not wasm at all (bad magic number or version), cut
 * short, malformed (an over-long number, a name that is not UTF-8), or using a form this reader
 * does not decode (a non-function type, an unknown import kind, a multi-byte value type).
 */
export type WasmFormatErrorKind = 'not_wasm' | 'truncated' | 'malformed' | 'unsupported';

/** Bytes the reader of this package refuses; `kind` says why. */
export class WasmFormatError extends Error {
  override readonly name = 'WasmFormatError';
  constructor(
    readonly kind: WasmFormatErrorKind,
    message: string,
  ) {
    super(message);
  }
}
