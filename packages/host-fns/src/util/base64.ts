const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict RFC 4648 base64 (standard alphabet, padding required, canonical trailing bits), as the
 * Rust host decodes it. Plain TypeScript, so it runs the same in Node and browsers.
 * @throws Error with a message describing why the text is not base64.
 */
export function decodeBase64Strict(text: string): Uint8Array {
  if (!STRICT_BASE64.test(text)) {
    throw new Error(`invalid base64 (length ${text.length}; standard alphabet with padding required)`);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const a = VALUES[text.charCodeAt(i)]!;
    const b = VALUES[text.charCodeAt(i + 1)]!;
    const c = VALUES[text.charCodeAt(i + 2)] ?? -1;
    const d = VALUES[text.charCodeAt(i + 3)] ?? -1;
    out[o++] = (a << 2) | (b >> 4);
    if (c < 0) {
      if ((b & 0x0f) !== 0) throw new Error('invalid base64: non-zero trailing bits');
      break;
    }
    out[o++] = ((b & 0x0f) << 4) | (c >> 2);
    if (d < 0) {
      if ((c & 0x03) !== 0) throw new Error('invalid base64: non-zero trailing bits');
      break;
    }
    out[o++] = ((c & 0x03) << 6) | d;
  }
  return out;
}

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - whole;
  if (rest === 1) {
    const n = bytes[whole]! << 16;
    chunk += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[whole]! << 16) | (bytes[whole + 1]! << 8);
    chunk += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  parts.push(chunk);
  return parts.join('');
}
