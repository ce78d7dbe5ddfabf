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

/** The UTF-8 size of a string in bytes, counted without encoding it (lone surrogates count 3, as U+FFFD). */
export function utf8ByteLength(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) size += 1;
    else if (unit < 0x800) size += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 4;
      i++;
    } else size += 3;
  }
  return size;
}
