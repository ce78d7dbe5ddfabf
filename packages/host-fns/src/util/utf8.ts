const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

/** Decodes UTF-8, failing on invalid sequences (Rust `String::from_utf8`). */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  return strict.decode(bytes);
}

/** Decodes UTF-8, replacing invalid sequences with U+FFFD (Rust `from_utf8_lossy`). */
export function decodeUtf8Lossy(bytes: Uint8Array): string {
  return lossy.decode(bytes);
}

/** Encodes text as UTF-8. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}
