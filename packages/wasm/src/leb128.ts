import { WasmFormatError } from './format-error.js';

/** A cursor over wasm bytes. */
export interface Reader {
  bytes: Uint8Array;
  pos: number;
}

function truncatedNumber(): WasmFormatError {
  return new WasmFormatError('truncated', 'the module is truncated (inside a LEB128 number)');
}

/**
 * Reads an unsigned LEB128 number (up to 2^53).
 * @throws WasmFormatError (`truncated`) when the bytes end inside the number
 */
export function readUnsigned(r: Reader): number {
  let result = 0;
  let scale = 1;
  for (;;) {
    if (r.pos >= r.bytes.length) throw truncatedNumber();
    const byte = r.bytes[r.pos++]!;
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return result;
    scale *= 128;
  }
}

/**
 * Reads an unsigned LEB128 u32 as the binary format bounds it: at most 5 bytes.
 * @throws WasmFormatError (`truncated`, or `malformed` for a longer encoding)
 */
export function readU32(r: Reader): number {
  let result = 0;
  let scale = 1;
  for (let length = 1; ; length++) {
    if (r.pos >= r.bytes.length) throw truncatedNumber();
    const byte = r.bytes[r.pos++]!;
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return result;
    if (length === 5) throw new WasmFormatError('malformed', 'the module has a malformed LEB128 number (a u32 longer than 5 bytes)');
    scale *= 128;
  }
}

/** Reads a signed LEB128 number that fits an i32. */
export function readSigned32(r: Reader): number {
  let result = 0;
  let shift = 0;
  let byte: number;
  do {
    if (r.pos >= r.bytes.length) throw truncatedNumber();
    byte = r.bytes[r.pos++]!;
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return shift < 32 && byte & 0x40 ? result | (~0 << shift) : result;
}

/** Appends an unsigned LEB128 number. */
export function writeUnsigned(value: number, out: number[]): void {
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

/** Writes `value` as an unsigned LEB128 number into `bytes` at `at`; returns the position after it. */
export function writeUnsignedAt(bytes: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    bytes[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  bytes[at++] = value;
  return at;
}

/** The number of bytes of `value` as an unsigned LEB128 number. */
export function leb128Length(value: number): number {
  let length = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

/** Appends a signed LEB128 i32. */
export function writeSigned32(value: number, out: number[]): void {
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

const encoder = new TextEncoder();

/** Appends a wasm name (length-prefixed UTF-8). */
export function writeName(name: string, out: number[]): void {
  const bytes = encoder.encode(name);
  writeUnsigned(bytes.length, out);
  for (const b of bytes) out.push(b);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a wasm name.
 * @throws WasmFormatError (`truncated`, or `malformed` when the name is not UTF-8)
 */
export function readName(r: Reader): string {
  const length = readUnsigned(r);
  if (r.pos + length > r.bytes.length) throw new WasmFormatError('truncated', 'the module is truncated (inside a name)');
  let text: string;
  try {
    text = utf8.decode(r.bytes.subarray(r.pos, r.pos + length));
  } catch {
    throw new WasmFormatError('malformed', 'the module has a name that is not valid UTF-8');
  }
  r.pos += length;
  return text;
}
