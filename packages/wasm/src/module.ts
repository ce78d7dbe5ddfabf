import { ByteWriter } from './byte-writer.js';
import { WasmFormatError } from './format-error.js';
import { type Reader, readName, readSigned32, readU32, readUnsigned, writeSigned32, writeUnsigned } from './leb128.js';

const encoder = new TextEncoder();

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

/** An import entry. Kinds: 0 function, 1 table, 2 memory, 3 global, 4 tag. */
export interface ImportEntry {
  module: string;
  name: string;
  kind: number;
  /** The type index of an imported function or tag; null for the other kinds. */
  typeIndex: number | null;
  /** The value type of an imported global, the element type of a table; null for the other kinds. */
  valueType: number | null;
  /** The limits flags of an imported table or memory (bit 2: 64-bit); null for the other kinds. */
  limitsFlags: number | null;
  /** The entry's encoded kind and description (what follows the two names), a view into the section. */
  descriptor: Uint8Array;
}

/** A function type (`0x60` form): its parameter and result value types, one byte each. */
export interface FunctionType {
  params: number[];
  results: number[];
}

const HEADER = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
/** Section ids of the binary format (custom sections are id 0). */
export const SECTION = {
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
} as const;

// The order the binary format requires of the non-custom sections (13, tags, sits after memory).
/** Section ids in the order the binary format requires (custom sections, id 0, go anywhere). */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

/**
 * The most sections {@link readSections} reads: a module has at most 13 sections besides custom
 * ones, and real modules a handful of those (names, producers, DWARF); a million empty custom
 * sections (3 MB) would otherwise cost a second and hundreds of MB in section objects.
 */
export const MAX_SECTIONS = 10_000;

/**
 * Splits a module into its sections; each body is a view into `bytes`.
 * @throws WasmFormatError (`not_wasm` for a bad magic number or version, `truncated` for a
 * section that runs past the end, `unsupported` past {@link MAX_SECTIONS} sections)
 */
export function readSections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || HEADER.some((b, i) => bytes[i] !== b)) {
    throw new WasmFormatError('not_wasm', 'the file is not a WebAssembly module (bad magic number or version)');
  }
  const r: Reader = { bytes, pos: 8 };
  const sections: Section[] = [];
  while (r.pos < bytes.length) {
    if (sections.length === MAX_SECTIONS) {
      throw new WasmFormatError('unsupported', `the module has more than ${MAX_SECTIONS} sections (custom sections included), which this reader does not read`);
    }
    const id = bytes[r.pos++]!;
    const size = readU32(r);
    if (r.pos + size > bytes.length) throw new WasmFormatError('truncated', `the module is truncated (section ${id} runs past the end)`);
    sections.push({ id, body: bytes.subarray(r.pos, r.pos + size) });
    r.pos += size;
  }
  return sections;
}

/** The body of the first section with this id, if the module has one. */
export function sectionBody(sections: readonly Section[], id: number): Uint8Array | undefined {
  return sections.find((s) => s.id === id)?.body;
}

/** Replaces the body of the section with this id, or inserts the section where the format orders it. */
export function putSection(sections: Section[], id: number, body: Uint8Array): void {
  const existing = sections.find((s) => s.id === id);
  if (existing) {
    existing.body = body;
    return;
  }
  const rank = SECTION_ORDER.indexOf(id);
  const at = sections.findIndex((s) => s.id !== 0 && SECTION_ORDER.indexOf(s.id) > rank);
  sections.splice(at === -1 ? sections.length : at, 0, { id, body });
}

/**
 * The module `bytes` with one section's body replaced, every other byte (the other sections'
 * headers included) copied unchanged. `section` must come from `readSections(bytes)`.
 */
export function replaceSectionBody(bytes: Uint8Array, section: Section, body: Uint8Array): Uint8Array {
  const bodyStart = section.body.byteOffset - bytes.byteOffset;
  // The header (id byte and size) starts where the section before ends.
  const r: Reader = { bytes, pos: 8 };
  let start = 8;
  while (r.pos < bodyStart) {
    start = r.pos++;
    const size = readU32(r);
    if (r.pos === bodyStart) break;
    r.pos += size;
  }
  if (r.pos !== bodyStart || bytes.buffer !== section.body.buffer) throw new Error('replaceSectionBody: the section is not one of this module');
  const out = new ByteWriter(bytes.length + body.length - section.body.length + 5);
  out.bytes(bytes.subarray(0, start));
  out.byte(section.id);
  out.unsigned(body.length);
  out.bytes(body);
  out.bytes(bytes.subarray(bodyStart + section.body.length));
  return out.view();
}

/** The number of entries of a vector section (0 when the module has no such section). */
export function vectorLength(body: Uint8Array | undefined): number {
  return body ? readU32({ bytes: body, pos: 0 }) : 0;
}

/** A vector section's body with `entries` (each already encoded) appended to its own. */
export function appendToVector(body: Uint8Array | undefined, entries: ReadonlyArray<Uint8Array | readonly number[]>): Uint8Array {
  const encoded = new ByteWriter(entries.reduce((n, e) => n + e.length, 0));
  for (const entry of entries) encoded.bytes(entry);
  return appendEncodedToVector(body, entries.length, encoded.view());
}

/** A vector section's body with `count` entries, already encoded one after another in `encoded`, appended. */
export function appendEncodedToVector(body: Uint8Array | undefined, count: number, encoded: Uint8Array): Uint8Array {
  const r: Reader = { bytes: body ?? new Uint8Array(0), pos: 0 };
  const had = body ? readU32(r) : 0;
  const rest = r.bytes.subarray(r.pos);
  const out = new ByteWriter(rest.length + encoded.length + 5);
  out.unsigned(had + count);
  out.bytes(rest);
  out.bytes(encoded);
  return out.view();
}

/** A vector of u32 (the function section: a type index per defined function). */
export function readU32Vector(body: Uint8Array | undefined): number[] {
  if (!body) return [];
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(readU32(r));
  return values;
}

// The value types of one byte: i32, i64, f32, f64, v128, funcref, externref.
const IS_VALUE_TYPE = new Uint8Array(256);
for (const t of [0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]) IS_VALUE_TYPE[t] = 1;

function skipValueTypes(r: Reader, count: number, type: number): void {
  const { bytes } = r;
  if (r.pos + count > bytes.length) throw new WasmFormatError('truncated', 'the module is truncated (inside a type)');
  for (let end = r.pos + count; r.pos < end; r.pos++) {
    const t = bytes[r.pos]!;
    if (IS_VALUE_TYPE[t] === 0) throw new WasmFormatError('unsupported', `unsupported value type 0x${t.toString(16)} (type ${type})`);
  }
}

/**
 * Where each function type of a type section's body starts, by type index: one scan and one
 * array however many types (a million types read as objects took ~2 s).
 * @throws WasmFormatError (`unsupported` for another type form, such as the GC proposal's
 * recursive groups, or a value type of more than one byte)
 */
export function functionTypeOffsets(body: Uint8Array): Uint32Array {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  if (count > body.length) throw new WasmFormatError('truncated', 'the module is truncated (inside the type section)');
  const offsets = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    offsets[i] = r.pos;
    const form = body[r.pos++];
    if (form !== 0x60) throw new WasmFormatError('unsupported', `unsupported type form 0x${(form ?? 0).toString(16)} (type ${i})`);
    skipValueTypes(r, readU32(r), i);
    skipValueTypes(r, readU32(r), i);
  }
  return offsets;
}

/** The function type at `offset` of a type section's body (see {@link functionTypeOffsets}). */
export function functionTypeAt(body: Uint8Array, offset: number): FunctionType {
  const r: Reader = { bytes: body, pos: offset + 1 };
  const paramCount = readU32(r);
  const paramTypes = Array.from(body.subarray(r.pos, r.pos + paramCount));
  r.pos += paramCount;
  const resultCount = readU32(r);
  return { params: paramTypes, results: Array.from(body.subarray(r.pos, r.pos + resultCount)) };
}

/** Whether the function type at `offset` of a type section's body is `() -> i32`. */
export function isNoParamsToI32(body: Uint8Array, offset: number): boolean {
  const r: Reader = { bytes: body, pos: offset + 1 };
  return readU32(r) === 0 && readU32(r) === 1 && body[r.pos] === 0x7f;
}

/**
 * The type section's function types, by type index.
 * @throws WasmFormatError (`unsupported` for another type form, such as the GC proposal's
 * recursive groups, or a value type of more than one byte)
 */
export function readFunctionTypes(body: Uint8Array): FunctionType[] {
  const offsets = functionTypeOffsets(body);
  const types: FunctionType[] = [];
  for (const offset of offsets) types.push(functionTypeAt(body, offset));
  return types;
}

/** Skips a table's or memory's limits; returns their flags (bit 0: a maximum, bit 2: 64-bit). */
function skipLimits(r: Reader): number {
  const flags = r.bytes[r.pos++]!;
  readUnsigned(r);
  if (flags & 1) readUnsigned(r);
  return flags;
}

/**
 * The import section's entries, one at a time (a caller may stop at the first it refuses).
 * @throws WasmFormatError (`unsupported` for an unknown import kind)
 */
export function* importEntries(body: Uint8Array): Generator<ImportEntry> {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  for (let i = 0; i < count; i++) {
    const module = readName(r);
    const name = readName(r);
    const descriptorStart = r.pos;
    const kind = body[r.pos++];
    let typeIndex: number | null = null;
    let valueType: number | null = null;
    let limitsFlags: number | null = null;
    if (kind === 0x00) typeIndex = readU32(r);
    else if (kind === 0x01) {
      valueType = body[r.pos++]!;
      limitsFlags = skipLimits(r);
    } else if (kind === 0x02) limitsFlags = skipLimits(r);
    else if (kind === 0x03) {
      valueType = body[r.pos]!;
      r.pos += 2; // value type, mutability
    } else if (kind === 0x04) {
      r.pos++; // tag attribute
      typeIndex = readU32(r);
    } else throw new WasmFormatError('unsupported', `unsupported import kind ${String(kind)}`);
    yield { module, name, kind, typeIndex, valueType, limitsFlags, descriptor: body.subarray(descriptorStart, r.pos) };
  }
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

/** The export section's entries, names decoded. */
export function readExports(body: Uint8Array): ExportEntry[] {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  const entries: ExportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const name = readName(r);
    const kind = body[r.pos++]!;
    entries.push({ name, kind, index: readU32(r) });
  }
  return entries;
}

/** An export section body of these entries. */
export function writeExports(entries: readonly ExportEntry[]): Uint8Array {
  return renumberExports(
    Uint8Array.of(0),
    (_, index) => index,
    entries.map((entry) => ({ name: encoder.encode(entry.name), kind: entry.kind, index: entry.index })),
  );
}

/** An export entry whose name is given as its UTF-8 bytes. */
export interface RawExportEntry {
  name: Uint8Array;
  kind: number;
  index: number;
}

/** Skips one export entry's name and kind; returns the kind. */
function skipExportName(r: Reader): number {
  const length = readU32(r);
  if (r.pos + length + 1 > r.bytes.length) throw new WasmFormatError('truncated', 'the module is truncated (inside an export)');
  r.pos += length;
  return r.bytes[r.pos++]!;
}

/**
 * An export section's body with each entry's index replaced by `renumber(kind, index)` and
 * `appended` entries added at its end. Names and kinds are copied as bytes, never decoded, and
 * no object is made per entry: 60,000 exports take a few milliseconds.
 * @throws WasmFormatError (`truncated`) for an entry that runs past the section
 */
export function renumberExports(body: Uint8Array, renumber: (kind: number, index: number) => number, appended: readonly RawExportEntry[] = []): Uint8Array {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  const out = new ByteWriter(body.length + appended.reduce((n, e) => n + e.name.length + 11, 5));
  out.unsigned(count + appended.length);
  for (let i = 0; i < count; i++) {
    const from = r.pos;
    const kind = skipExportName(r);
    out.range(body, from, r.pos);
    out.unsigned(renumber(kind, readU32(r)));
  }
  for (const entry of appended) {
    out.unsigned(entry.name.length);
    out.bytes(entry.name);
    out.byte(entry.kind);
    out.unsigned(entry.index);
  }
  return out.view();
}

/** Whether an export section has an entry named `name` (compared as UTF-8 bytes, none decoded). */
export function hasExportNamed(body: Uint8Array, name: string): boolean {
  const wanted = encoder.encode(name);
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  for (let i = 0; i < count; i++) {
    const from = r.pos;
    const length = readU32(r);
    const at = r.pos;
    r.pos = from;
    skipExportName(r);
    readU32(r);
    if (length === wanted.length && wanted.every((byte, j) => body[at + j] === byte)) return true;
  }
  return false;
}

/** The number of globals the module imports (they come first in the index space). */
export function importedGlobalCount(sections: readonly Section[]): number {
  const imports = sectionBody(sections, SECTION.import);
  let globals = 0;
  if (imports) for (const entry of importEntries(imports)) if (entry.kind === 0x03) globals++;
  return globals;
}

/** The globals a module defines, numbered from `firstIndex` (the count of imported globals). */
export function readGlobals(body: Uint8Array, firstIndex: number): DefinedGlobal[] {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
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

/** A global section body of these globals. */
export function writeGlobals(globals: readonly DefinedGlobal[]): Uint8Array {
  const out = new ByteWriter(globals.reduce((n, g) => n + g.init.length + 2, 5));
  out.unsigned(globals.length);
  for (const global of globals) {
    out.byte(global.valueType);
    out.byte(global.mutable ? 1 : 0);
    out.bytes(global.init);
  }
  return out.view();
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
    const prefix = new ByteWriter(16);
    prefix.byte(0x00);
    prefix.bytes(i32ConstExpr(segment.offset));
    prefix.unsigned(segment.bytes.length);
    parts.push(prefix.view(), segment.bytes);
  }
  return concat(parts);
}

/** The body of a data count section. */
export function dataCountSection(count: number): Uint8Array {
  const out: number[] = [];
  writeUnsigned(count, out);
  return Uint8Array.from(out);
}
