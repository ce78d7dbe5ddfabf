// Base64 of large payloads (a 32 MiB attachment read with host_read_binary, an HTTP body) runs on
// the host's main thread, so it must be native-fast: the platform's own encoder where there is
// one (`Uint8Array.prototype.toBase64` / `Uint8Array.fromBase64`, Node's Buffer), else a
// typed-array loop that never builds strings piece by piece. Strictness (§4.1, D14) is checked
// once, with linear scans, before any decoder runs: the native decoders are lenient.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/** Any character outside the standard alphabet (a character class: linear, no backtracking). */
const NOT_ALPHABET = /[^A-Za-z0-9+/]/;

interface NativeBase64 {
  toBase64?: (this: Uint8Array) => string;
}
interface NativeBase64Constructor {
  fromBase64?: (text: string) => Uint8Array;
}
interface NodeBuffer {
  from(buffer: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string };
  from(text: string, encoding: 'base64'): Uint8Array;
  allocUnsafe?(size: number): NodeBufferInstance;
}
type NodeBufferInstance = Uint8Array & { write(text: string, offset: number, encoding: 'latin1'): number };

const nativeToBase64 = (Uint8Array.prototype as NativeBase64).toBase64;
const nativeFromBase64 = (Uint8Array as NativeBase64Constructor).fromBase64;
const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/**
 * Strict RFC 4648 base64 (standard alphabet, padding required, canonical trailing bits), as the
 * Rust host decodes it. Uses the platform's native decoder where there is one (Node, recent
 * browsers), after a strictness check those lenient decoders do not make.
 * @throws Error with a message describing why the text is not base64.
 */
export function decodeBase64Strict(text: string): Uint8Array {
  const padding = checkStrictBase64(text);
  if (text.length === 0) return new Uint8Array(0);
  if (nativeFromBase64) return nativeFromBase64(text);
  if (nodeBuffer) {
    const decoded = nodeBuffer.from(text, 'base64');
    return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  }
  return decodeValidBase64(text, padding);
}

/** Standard base64 with padding. Native where the platform has an encoder. */
export function encodeBase64(bytes: Uint8Array): string {
  if (nativeToBase64) return nativeToBase64.call(bytes);
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return encodeBase64Portable(bytes);
}

/** Throws unless `text` is strict base64; returns its number of padding characters (0–2). */
function checkStrictBase64(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = padding === 0 ? text : text.slice(0, -padding);
  if (text.length % 4 !== 0 || NOT_ALPHABET.test(body)) {
    throw new Error(`invalid base64 (length ${text.length}; standard alphabet with padding required)`);
  }
  // The last character before the padding must not carry bits past the end of the data.
  const last = padding === 0 ? 0 : VALUES[body.charCodeAt(body.length - 1)]!;
  if ((padding === 2 && (last & 0x0f) !== 0) || (padding === 1 && (last & 0x03) !== 0)) {
    throw new Error('invalid base64: non-zero trailing bits');
  }
  return padding;
}

/** The portable decoder of text already checked by {@link checkStrictBase64}. */
function decodeValidBase64(text: string, padding: number): Uint8Array {
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  const whole = padding === 0 ? text.length : text.length - 4;
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const n =
      (VALUES[text.charCodeAt(i)]! << 18) |
      (VALUES[text.charCodeAt(i + 1)]! << 12) |
      (VALUES[text.charCodeAt(i + 2)]! << 6) |
      VALUES[text.charCodeAt(i + 3)]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (padding > 0) {
    const n =
      (VALUES[text.charCodeAt(whole)]! << 18) |
      (VALUES[text.charCodeAt(whole + 1)]! << 12) |
      (padding === 1 ? VALUES[text.charCodeAt(whole + 2)]! << 6 : 0);
    out[o++] = n >> 16;
    if (padding === 1) out[o++] = (n >> 8) & 0xff;
  }
  return out;
}

const asciiDecoder = new TextDecoder();
const asciiEncoder = new TextEncoder();

/** The portable encoder: ASCII codes into one typed array, turned into text once. */
export function encodeBase64Portable(bytes: Uint8Array): string {
  return asciiDecoder.decode(encodeBase64AsciiPortable(bytes));
}

/**
 * The `before` parts + the base64 of `bytes` as ASCII + `after`, in one new array: for outputs
 * built as bytes (a large `{"data":"…"}`), so no JavaScript string is encoded to UTF-8 again.
 */
export function encodeBase64Framed(before: readonly Uint8Array[], bytes: Uint8Array, after: Uint8Array): Uint8Array {
  let start = 0;
  for (const part of before) start += part.byteLength;
  const size = Math.ceil(bytes.length / 3) * 4;
  // Node without the native method: Buffer's encoder, copied into place as Latin-1 (a memcpy).
  const viaBuffer = nodeBuffer?.allocUnsafe !== undefined && !nativeToBase64;
  const out = viaBuffer ? nodeBuffer.allocUnsafe!(start + size + after.length) : new Uint8Array(start + size + after.length);
  let offset = 0;
  for (const part of before) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  if (viaBuffer) (out as NodeBufferInstance).write(encodeBase64(bytes), start, 'latin1');
  else if (nativeToBase64) asciiEncoder.encodeInto(nativeToBase64.call(bytes), out.subarray(start));
  else encodeBase64AsciiInto(bytes, out, start);
  out.set(after, start + size);
  return out;
}

function encodeBase64AsciiPortable(bytes: Uint8Array): Uint8Array {
  return encodeBase64AsciiInto(bytes, new Uint8Array(Math.ceil(bytes.length / 3) * 4), 0);
}

function encodeBase64AsciiInto(bytes: Uint8Array, out: Uint8Array, offset: number): Uint8Array {
  const whole = bytes.length - (bytes.length % 3);
  let o = offset;
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ALPHABET_CODES[n >> 18]!;
    out[o++] = ALPHABET_CODES[(n >> 12) & 63]!;
    out[o++] = ALPHABET_CODES[(n >> 6) & 63]!;
    out[o++] = ALPHABET_CODES[n & 63]!;
  }
  const rest = bytes.length - whole;
  if (rest > 0) {
    const n = (bytes[whole]! << 16) | (rest === 2 ? bytes[whole + 1]! << 8 : 0);
    out[o++] = ALPHABET_CODES[n >> 18]!;
    out[o++] = ALPHABET_CODES[(n >> 12) & 63]!;
    out[o++] = rest === 2 ? ALPHABET_CODES[(n >> 6) & 63]! : 61;
    out[o++] = 61;
  }
  return out;
}

/** The portable strict decoder (what browsers without `Uint8Array.fromBase64` use). */
export function decodeBase64StrictPortable(text: string): Uint8Array {
  return decodeValidBase64(text, checkStrictBase64(text));
}
