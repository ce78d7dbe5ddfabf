const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict RFC 4648 base64 (standard alphabet, padding required, canonical trailing bits), as the
 * Rust host decodes it. Node's own decoder is lenient, so the text is validated first.
 * @throws Error with a message describing why the text is not base64.
 */
export function decodeBase64Strict(text: string): Uint8Array {
  if (!STRICT_BASE64.test(text)) {
    throw new Error(`invalid base64 (length ${text.length}; standard alphabet with padding required)`);
  }
  const bytes = Buffer.from(text, 'base64');
  if (Buffer.from(bytes).toString('base64') !== text) {
    throw new Error('invalid base64: non-zero trailing bits');
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
