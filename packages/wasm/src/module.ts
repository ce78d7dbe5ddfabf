import { type Reader, readName, readSigned32, readUnsigned, writeName, writeSigned32, writeUnsigned } from './leb128.js';

/** One section of a module, its body as bytes. */
export interface Section {
  id: number;
  body: Uint8Array;
}

/** An export entry. Kinds: 0 function, 1 table, 2 memory, 3 global. */
export interface ExportEntry {
  name: string;
  kind: number;
  index: number;
}

/** A global the module defines (its index counts imported globals first). */
export interface DefinedGlobal {
  index: number;
  valueType: number;
  mutable: boolean;
  /** The init expression, `end` included. */
  init: Uint8Array;
}

const HEADER = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
export const SECTION = { import: 2, memory: 5, global: 6, export: 7, start: 8, data: 11, dataCount: 12 } as const;

/** Splits a module into its sections. */
export function readSections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || HEADER.some((b, i) => bytes[i] !== b)) throw new Error('not a WebAssembly module');
  const r: Reader = { bytes, pos: 8 };
  const sections: Section[] = [];
  while (r.pos < bytes.length) {
    const id = bytes[r.pos++]!;
    const size = readUnsigned(r);
    sections.push({ id, body: bytes.subarray(r.pos, r.pos + size) });
    r.pos += size;
  }
  return sections;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Joins sections into a module. */
export function writeModule(sections: readonly Section[]): Uint8Array {
  const parts: Uint8Array[] = [HEADER];
  for (const section of sections) {
    const head: number[] = [section.id];
    writeUnsigned(section.body.length, head);
    parts.push(Uint8Array.from(head), section.body);
  }
  return concat(parts);
}

export function readExports(body: Uint8Array): ExportEntry[] {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readUnsigned(r);
  const entries: ExportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const name = readName(r);
    const kind = body[r.pos++]!;
    entries.push({ name, kind, index: readUnsigned(r) });
  }
  return entries;
}

export function writeExports(entries: readonly ExportEntry[]): Uint8Array {
  const out: number[] = [];
  writeUnsigned(entries.length, out);
  for (const entry of entries) {
    writeName(entry.name, out);
    out.push(entry.kind);
    writeUnsigned(entry.index, out);
  }
  return Uint8Array.from(out);
}

/** The number of globals the module imports (they come first in the index space). */
export function importedGlobalCount(sections: readonly Section[]): number {
  const imports = sections.find((s) => s.id === SECTION.import);
  if (!imports) return 0;
  const r: Reader = { bytes: imports.body, pos: 0 };
  const count = readUnsigned(r);
  let globals = 0;
  for (let i = 0; i < count; i++) {
    readName(r);
    readName(r);
    const kind = imports.body[r.pos++];
    if (kind === 0x00) readUnsigned(r);
    else if (kind === 0x01) {
      r.pos++;
      const flags = imports.body[r.pos++]!;
      readUnsigned(r);
      if (flags & 1) readUnsigned(r);
    } else if (kind === 0x02) {
      const flags = imports.body[r.pos++]!;
      readUnsigned(r);
      if (flags & 1) readUnsigned(r);
    } else if (kind === 0x03) {
      r.pos += 2;
      globals++;
    } else throw new Error(`unsupported import kind ${String(kind)}`);
  }
  return globals;
}

export function readGlobals(body: Uint8Array, firstIndex: number): DefinedGlobal[] {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readUnsigned(r);
  const globals: DefinedGlobal[] = [];
  for (let i = 0; i < count; i++) {
    const valueType = body[r.pos++]!;
    const mutable = body[r.pos++] === 1;
    const start = r.pos;
    // Constant expressions of this runtime: one const instruction or global.get, then end.
    const op = body[r.pos++];
    if (op === 0x41) readSigned32(r);
    else if (op === 0x42) while (body[r.pos++]! & 0x80);
    else if (op === 0x43) r.pos += 4;
    else if (op === 0x44) r.pos += 8;
    else if (op === 0x23) readUnsigned(r);
    else throw new Error(`unsupported global initializer opcode 0x${(op ?? 0).toString(16)}`);
    if (body[r.pos++] !== 0x0b) throw new Error('unsupported global initializer (more than one instruction)');
    globals.push({ index: firstIndex + i, valueType, mutable, init: body.slice(start, r.pos) });
  }
  return globals;
}

export function writeGlobals(globals: readonly DefinedGlobal[]): Uint8Array {
  const out: number[] = [];
  writeUnsigned(globals.length, out);
  for (const global of globals) {
    out.push(global.valueType, global.mutable ? 1 : 0, ...global.init);
  }
  return Uint8Array.from(out);
}

/** `i32.const value; end`. */
export function i32ConstExpr(value: number): Uint8Array {
  const out = [0x41];
  writeSigned32(value, out);
  out.push(0x0b);
  return Uint8Array.from(out);
}

/** A memory section with one memory of `minPages` and no maximum. */
export function memorySection(minPages: number): Uint8Array {
  const out = [1, 0x00];
  writeUnsigned(minPages, out);
  return Uint8Array.from(out);
}

/** A data section of active segments for memory 0. */
export function dataSection(segments: ReadonlyArray<{ offset: number; bytes: Uint8Array }>): Uint8Array {
  const head: number[] = [];
  writeUnsigned(segments.length, head);
  const parts: Uint8Array[] = [Uint8Array.from(head)];
  for (const segment of segments) {
    const prefix = [0x00, ...i32ConstExpr(segment.offset)];
    writeUnsigned(segment.bytes.length, prefix);
    parts.push(Uint8Array.from(prefix), segment.bytes);
  }
  return concat(parts);
}

/** The body of a data count section. */
export function dataCountSection(count: number): Uint8Array {
  const out: number[] = [];
  writeUnsigned(count, out);
  return Uint8Array.from(out);
}
