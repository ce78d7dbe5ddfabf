/** Why a module's memory could not be capped. */
export type MemoryCapErrorKind = 'not_wasm' | 'truncated' | 'min_exceeds_cap' | 'imported_memory' | 'unsupported_memory';

/** A module the memory cap refuses. */
export class MemoryCapError extends Error {
  override readonly name = 'MemoryCapError';
  constructor(
    readonly kind: MemoryCapErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const PAGE_MIB = 1 / 16;

interface Reader {
  bytes: Uint8Array;
  pos: number;
}

function readU32(r: Reader): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (r.pos >= r.bytes.length) throw new MemoryCapError('truncated', 'the module is truncated (inside a LEB128 number)');
    const byte = r.bytes[r.pos++]!;
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7;
    if (shift > 35) throw new MemoryCapError('not_wasm', 'the module has a malformed LEB128 number');
  }
}

function writeU32(value: number, out: number[]): void {
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

function readName(r: Reader): void {
  const length = readU32(r);
  r.pos += length;
}

function checkImports(r: Reader, end: number): void {
  const count = readU32(r);
  for (let i = 0; i < count && r.pos < end; i++) {
    readName(r);
    readName(r);
    const kind = r.bytes[r.pos++];
    if (kind === 0x02) throw new MemoryCapError('imported_memory', 'the module imports its memory; plugins must define their own');
    if (kind === 0x00) readU32(r);
    else if (kind === 0x01) {
      r.pos++; // reftype
      const flags = r.bytes[r.pos++]!;
      readU32(r);
      if (flags & 1) readU32(r);
    } else if (kind === 0x03) r.pos += 2; // valtype + mutability
    else if (kind === 0x04) {
      r.pos++; // tag attribute
      readU32(r);
    } else throw new MemoryCapError('not_wasm', `the module has an unknown import kind ${String(kind)}`);
  }
}

function cappedMemorySection(r: Reader, end: number, maxPages: number): number[] {
  const out: number[] = [];
  const count = readU32(r);
  writeU32(count, out);
  for (let i = 0; i < count; i++) {
    const flags = r.bytes[r.pos++];
    if (flags !== 0x00 && flags !== 0x01) {
      throw new MemoryCapError('unsupported_memory', `memory flags 0x${(flags ?? 0).toString(16)} (shared or 64-bit memory) are not supported`);
    }
    const min = readU32(r);
    const max = flags === 0x01 ? readU32(r) : Number.POSITIVE_INFINITY;
    if (min > maxPages) {
      throw new MemoryCapError(
        'min_exceeds_cap',
        `the module needs at least ${min} pages (${min * PAGE_MIB} MiB) of memory, more than the cap of ${maxPages} pages ` +
          `(${maxPages * PAGE_MIB} MiB); raise the loader option maxMemoryPages to load it`,
      );
    }
    out.push(0x01);
    writeU32(min, out);
    writeU32(Math.min(max, maxPages), out);
  }
  if (r.pos !== end) throw new MemoryCapError('not_wasm', 'the memory section has trailing bytes');
  return out;
}

/**
 * Rewrites a module so that its linear memory can never grow past `maxPages` (64 KiB each):
 * Extism's own memory option caps only host-side blocks, not the guest's `memory.grow`. Every
 * byte outside the memory section is copied unchanged; a module without memory is returned as is.
 * @throws MemoryCapError for input that is not wasm, is truncated, imports its memory, or needs
 * more than the cap to start
 */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || header.some((b, i) => bytes[i] !== b)) {
    throw new MemoryCapError('not_wasm', 'the file is not a WebAssembly module (bad magic number or version)');
  }
  const r: Reader = { bytes, pos: 8 };
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let changed = false;
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = bytes[r.pos++]!;
    const size = readU32(r);
    const bodyStart = r.pos;
    const end = bodyStart + size;
    if (end > bytes.length) throw new MemoryCapError('truncated', `the module is truncated (section ${id} runs past the end)`);
    if (id === 2) checkImports({ bytes, pos: bodyStart }, end);
    if (id === 5) {
      const body = cappedMemorySection(r, end, maxPages);
      const head: number[] = [5];
      writeU32(body.length, head);
      parts.push(Uint8Array.from([...head, ...body]));
      changed = true;
    } else {
      parts.push(bytes.subarray(start, end));
    }
    r.pos = end;
  }
  if (!changed) return bytes;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
