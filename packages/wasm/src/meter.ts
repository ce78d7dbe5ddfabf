import { ByteWriter } from './byte-writer.js';
import { type Reader, readName, readUnsigned, writeName, writeUnsigned } from './leb128.js';
import { readSections, type Section, writeModule } from './module.js';

/** Why a module could not be metered. */
export type MeterErrorKind = 'unsupported_opcode' | 'unsupported_feature' | 'malformed';

/** A module the metering rewriter refuses: it never rewrites what it does not understand. */
export class MeterError extends Error {
  override readonly name = 'MeterError';
  constructor(
    readonly kind: MeterErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** The import a metered module calls when its fuel runs out; it returns the new fuel. */
export const METER_IMPORT = { module: 'diaryx:meter', name: 'out_of_fuel' } as const;

/** What {@link meterModule} produced. */
export interface MeteredModule {
  bytes: Uint8Array<ArrayBuffer>;
  /** Fuel checks inserted (function entries plus loop headers). */
  checks: number;
}

/** Largest weight one check subtracts (a long straight-line block counts this at most). */
const MAX_WEIGHT = 1_000_000;

const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
const ID = { type: 1, import: 2, function: 3, global: 6, export: 7, start: 8, element: 9, code: 10 } as const;

/** Value types the rewriter knows (MVP, SIMD, reference types). */
const VALUE_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

function malformed(what: string): never {
  throw new MeterError('malformed', `malformed wasm: ${what}`);
}

function need(r: Reader, n: number): void {
  if (r.pos + n > r.bytes.length) malformed('truncated');
}

function skipLeb(r: Reader): void {
  for (let i = 0; ; i++) {
    if (r.pos >= r.bytes.length || i > 10) malformed('bad LEB128 number');
    if ((r.bytes[r.pos++]! & 0x80) === 0) return;
  }
}

/** Reads a signed LEB128 up to 33 bits (block types) as a number. */
function readSigned33(r: Reader): number {
  let result = 0;
  let scale = 1;
  let byte: number;
  let i = 0;
  do {
    if (r.pos >= r.bytes.length || i++ > 5) malformed('bad LEB128 number');
    byte = r.bytes[r.pos++]!;
    result += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte & 0x80);
  return byte & 0x40 ? result - scale : result;
}

function valueType(r: Reader, where: string): number {
  need(r, 1);
  const t = r.bytes[r.pos++]!;
  if (!VALUE_TYPES.has(t)) throw new MeterError('unsupported_feature', `unsupported value type ${hex(t)} in ${where}`);
  return t;
}

function skipLimits(r: Reader): void {
  need(r, 1);
  const flags = r.bytes[r.pos++]!;
  if (flags > 7) malformed(`limits flags ${hex(flags)}`);
  skipLeb(r);
  if (flags & 1) skipLeb(r);
}

function skipMemarg(r: Reader): void {
  const align = readUnsigned(r);
  if (align & 0x40) readUnsigned(r); // multi-memory index
  skipLeb(r);
}

/** Where the rewriter is and how it renumbers functions. */
interface Rewrite {
  /** Functions imported before the new import (their indices stay). */
  importedFunctions: number;
  fuelGlobal: number;
  meterFunction: number;
  names: Map<number, string>;
  checks: number;
}

function shiftFunction(index: number, rw: Rewrite): number {
  return index >= rw.importedFunctions ? index + 1 : index;
}

// The check: fuel -= weight; if (fuel < 0) fuel = out_of_fuel();
function emitCheck(out: ByteWriter, rw: Rewrite): number {
  rw.checks++;
  out.byte(0x23);
  out.unsigned(rw.fuelGlobal);
  out.byte(0x41);
  const at = out.paddedSigned32(1);
  out.byte(0x6b);
  out.byte(0x24);
  out.unsigned(rw.fuelGlobal);
  out.byte(0x23);
  out.unsigned(rw.fuelGlobal);
  out.bytes([0x41, 0x00, 0x48, 0x04, 0x40, 0x10]);
  out.unsigned(rw.meterFunction);
  out.byte(0x24);
  out.unsigned(rw.fuelGlobal);
  out.byte(0x0b);
  return at;
}

interface Frame {
  /** Where this frame's check weight sits (loops and the function body), else -1. */
  weightAt: number;
  /** The enclosing metered frame (itself for loops and the body). */
  meter: Frame;
  count: number;
}

/**
 * Copies one expression (a function body after its locals, or a constant expression) from `r`
 * to `out`, renumbering function references and, when `metered`, inserting fuel checks at its
 * start and after every `loop`. Stops after the `end` that closes the expression.
 */
function rewriteExpression(r: Reader, out: ByteWriter, rw: Rewrite, metered: boolean, where: () => string): void {
  const b = r.bytes;
  const root = { weightAt: -1, count: 0 } as Frame;
  root.meter = root;
  if (metered) root.weightAt = emitCheck(out, rw);
  const stack: Frame[] = [root];
  // The frame whose weight the current instruction adds to (the innermost loop, or the body).
  let meter = root;
  let copyFrom = r.pos;
  const flush = (to: number) => {
    out.bytes(b.subarray(copyFrom, to));
    copyFrom = to;
  };
  const refuse = (op: string): never => {
    throw new MeterError('unsupported_opcode', `unsupported opcode ${op} in ${where()} at byte ${r.pos}; the plugin cannot be metered`);
  };
  const finish = (frame: Frame) => {
    if (frame.weightAt >= 0) out.patchPaddedSigned32(frame.weightAt, Math.max(1, Math.min(MAX_WEIGHT, frame.count)));
  };
  for (;;) {
    if (r.pos >= b.length) malformed(`${where()} has no end`);
    const start = r.pos;
    const op = b[r.pos++]!;
    meter.count++;
    if (op >= 0x45 && op <= 0xc4) continue; // numeric, no immediates (incl. sign extension)
    switch (op) {
      case 0x00: // unreachable
      case 0x01: // nop
      case 0x05: // else
      case 0x0f: // return
      case 0x1a: // drop
      case 0x1b: // select
      case 0xd1: // ref.is_null
        break;
      case 0x02: // block
      case 0x04: {
        // if
        const type = readSigned33(r);
        if (type < 0 && type !== -64 && !VALUE_TYPES.has(type + 128)) refuse(`block type ${type}`);
        stack.push({ weightAt: -1, meter, count: 0 });
        break;
      }
      case 0x03: {
        // loop
        const type = readSigned33(r);
        if (type < 0 && type !== -64 && !VALUE_TYPES.has(type + 128)) refuse(`block type ${type}`);
        const frame = { weightAt: -1, count: 0 } as Frame;
        frame.meter = frame;
        if (metered) {
          flush(r.pos);
          frame.weightAt = emitCheck(out, rw);
        }
        stack.push(frame);
        meter = frame;
        break;
      }
      case 0x0b: {
        // end
        const frame = stack.pop()!;
        finish(frame);
        if (stack.length === 0) {
          flush(r.pos);
          return;
        }
        meter = stack[stack.length - 1]!.meter;
        break;
      }
      case 0x0c: // br
      case 0x0d: // br_if
      case 0x20: // local.get
      case 0x21: // local.set
      case 0x22: // local.tee
      case 0x23: // global.get
      case 0x24: // global.set
      case 0x25: // table.get
      case 0x26: // table.set
      case 0x3f: // memory.size
      case 0x40: // memory.grow
        skipLeb(r);
        break;
      case 0x0e: {
        // br_table
        const n = readUnsigned(r);
        for (let i = 0; i <= n; i++) skipLeb(r);
        break;
      }
      case 0x10: // call
      case 0x12: // return_call
      case 0xd2: {
        // ref.func
        const index = readUnsigned(r);
        const shifted = shiftFunction(index, rw);
        if (shifted !== index) {
          flush(start);
          out.byte(op);
          out.unsigned(shifted);
          copyFrom = r.pos;
        }
        break;
      }
      case 0x11: // call_indirect
      case 0x13: // return_call_indirect
        skipLeb(r);
        skipLeb(r);
        break;
      case 0x1c: {
        // select t*
        const n = readUnsigned(r);
        for (let i = 0; i < n; i++) valueType(r, where());
        break;
      }
      case 0x41: // i32.const
      case 0x42: // i64.const
        skipLeb(r);
        break;
      case 0x43:
        need(r, 4);
        r.pos += 4;
        break;
      case 0x44:
        need(r, 8);
        r.pos += 8;
        break;
      case 0xd0: // ref.null t
        valueType(r, where());
        break;
      case 0xfc:
        prefixedFC(r, refuse);
        break;
      case 0xfd:
        prefixedFD(r, refuse);
        break;
      default:
        if (op >= 0x28 && op <= 0x3e) {
          skipMemarg(r);
          break;
        }
        refuse(hex(op));
    }
  }
}

function prefixedFC(r: Reader, refuse: (op: string) => never): void {
  const sub = readUnsigned(r);
  if (sub <= 7) return; // saturating truncations
  switch (sub) {
    case 8: // memory.init data mem
    case 10: // memory.copy mem mem
    case 12: // table.init elem table
    case 14: // table.copy table table
      skipLeb(r);
      skipLeb(r);
      return;
    case 9: // data.drop
    case 11: // memory.fill
    case 13: // elem.drop
    case 15: // table.grow
    case 16: // table.size
    case 17: // table.fill
      skipLeb(r);
      return;
    default:
      refuse(`0xfc ${sub}`);
  }
}

function prefixedFD(r: Reader, refuse: (op: string) => never): void {
  const sub = readUnsigned(r);
  if (sub <= 11 || sub === 92 || sub === 93) skipMemarg(r); // loads, store, load*_zero
  else if (sub === 12 || sub === 13) {
    // v128.const, i8x16.shuffle
    need(r, 16);
    r.pos += 16;
  } else if (sub >= 21 && sub <= 34) {
    need(r, 1);
    r.pos += 1; // lane index
  } else if (sub >= 84 && sub <= 91) {
    skipMemarg(r);
    need(r, 1);
    r.pos += 1;
  } else if (sub > 275) refuse(`0xfd ${sub}`);
  // Everything else up to the relaxed SIMD range has no immediates; an opcode the engine does
  // not know fails validation when the rewritten module is compiled.
}

function sectionAt(sections: Section[], id: number): Section | undefined {
  return sections.find((s) => s.id === id);
}

/** Puts `section` where the binary format orders it (replacing one of the same id). */
function putSection(sections: Section[], section: Section): void {
  const existing = sections.findIndex((s) => s.id === section.id);
  if (existing >= 0) {
    sections[existing] = section;
    return;
  }
  const rank = SECTION_ORDER.indexOf(section.id);
  let at = 0;
  for (let i = 0; i < sections.length; i++) {
    const r = SECTION_ORDER.indexOf(sections[i]!.id);
    if (r >= 0 && r < rank) at = i + 1;
  }
  sections.splice(at, 0, section);
}

function appendToVector(body: Uint8Array | undefined, entry: readonly number[]): Uint8Array {
  const out = new ByteWriter((body?.length ?? 0) + entry.length + 5);
  if (!body) {
    out.unsigned(1);
  } else {
    const r: Reader = { bytes: body, pos: 0 };
    out.unsigned(readUnsigned(r) + 1);
    out.bytes(body.subarray(r.pos));
  }
  out.bytes(entry);
  return out.view().slice();
}

function countImports(body: Uint8Array | undefined): { functions: number; globals: number } {
  const counts = { functions: 0, globals: 0 };
  if (!body) return counts;
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  for (let i = 0; i < n; i++) {
    readName(r);
    readName(r);
    need(r, 1);
    const kind = body[r.pos++]!;
    if (kind === 0x00) {
      skipLeb(r);
      counts.functions++;
    } else if (kind === 0x01) {
      valueType(r, 'a table import');
      skipLimits(r);
    } else if (kind === 0x02) skipLimits(r);
    else if (kind === 0x03) {
      valueType(r, 'a global import');
      r.pos++;
      counts.globals++;
    } else throw new MeterError('unsupported_feature', `unsupported import kind ${hex(kind)}`);
  }
  return counts;
}

// Function types only (the GC proposal's recursive groups and subtypes are refused).
function checkTypes(body: Uint8Array | undefined): void {
  if (!body) return;
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  for (let i = 0; i < n; i++) {
    need(r, 1);
    const form = body[r.pos++]!;
    if (form !== 0x60) throw new MeterError('unsupported_feature', `unsupported type form ${hex(form)} (type ${i})`);
    for (let k = 0; k < 2; k++) {
      const m = readUnsigned(r);
      for (let j = 0; j < m; j++) valueType(r, `type ${i}`);
    }
  }
}

function countEntries(body: Uint8Array | undefined): number {
  return body ? readUnsigned({ bytes: body, pos: 0 }) : 0;
}

function rewriteGlobals(body: Uint8Array, rw: Rewrite): Uint8Array {
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  const out = new ByteWriter(body.length + 16);
  out.unsigned(n + 1);
  for (let i = 0; i < n; i++) {
    const from = r.pos;
    valueType(r, 'a global');
    r.pos++;
    out.bytes(body.subarray(from, r.pos));
    rewriteExpression(r, out, rw, false, () => `the initializer of global ${i}`);
  }
  out.bytes(FUEL_GLOBAL);
  return out.view().slice();
}

// A mutable i32 starting at 0: the first check asks the host for fuel.
const FUEL_GLOBAL = [0x7f, 0x01, 0x41, 0x00, 0x0b];

function rewriteExports(body: Uint8Array, rw: Rewrite): Uint8Array {
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  const out: number[] = [];
  writeUnsigned(n, out);
  for (let i = 0; i < n; i++) {
    writeName(readName(r), out);
    const kind = body[r.pos++]!;
    const index = readUnsigned(r);
    out.push(kind);
    writeUnsigned(kind === 0 ? shiftFunction(index, rw) : index, out);
  }
  return Uint8Array.from(out);
}

function rewriteElements(body: Uint8Array, rw: Rewrite): Uint8Array {
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  const out = new ByteWriter(body.length + 64);
  out.unsigned(n);
  for (let i = 0; i < n; i++) {
    const where = () => `element segment ${i}`;
    const flags = readUnsigned(r);
    if (flags > 7) malformed(`element segment flags ${flags}`);
    out.unsigned(flags);
    const copy = (f: () => void) => {
      const from = r.pos;
      f();
      out.bytes(r.bytes.subarray(from, r.pos));
    };
    if (flags & 2 && !(flags & 1)) copy(() => skipLeb(r)); // table index
    if (!(flags & 1)) rewriteExpression(r, out, rw, false, where); // offset
    if (flags & 4) {
      if (flags & 3) copy(() => valueType(r, where()));
      const m = readUnsigned(r);
      out.unsigned(m);
      for (let j = 0; j < m; j++) rewriteExpression(r, out, rw, false, where);
    } else {
      if (flags & 3) copy(() => r.pos++); // elemkind
      const m = readUnsigned(r);
      out.unsigned(m);
      for (let j = 0; j < m; j++) out.unsigned(shiftFunction(readUnsigned(r), rw));
    }
  }
  return out.view().slice();
}

function rewriteCode(body: Uint8Array, rw: Rewrite): Uint8Array {
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  const out = new ByteWriter(body.length + body.length / 4 + 64);
  out.unsigned(n);
  for (let i = 0; i < n; i++) {
    const size = readUnsigned(r);
    const end = r.pos + size;
    if (end > body.length) malformed(`function body ${i} is truncated`);
    const index = rw.importedFunctions + i;
    const where = () => `function ${index}${rw.names.has(index) ? ` (${rw.names.get(index)})` : ''}`;
    const bodyReader: Reader = { bytes: body.subarray(0, end), pos: r.pos };
    const localsFrom = bodyReader.pos;
    const groups = readUnsigned(bodyReader);
    for (let g = 0; g < groups; g++) {
      skipLeb(bodyReader);
      valueType(bodyReader, `the locals of ${where()}`);
    }
    const writer = new ByteWriter(size + 64);
    writer.bytes(body.subarray(localsFrom, bodyReader.pos));
    rewriteExpression(bodyReader, writer, rw, true, where);
    if (bodyReader.pos !== end) malformed(`${where()} has bytes after its end`);
    out.unsigned(writer.length);
    out.bytes(writer.view());
    r.pos = end;
  }
  return out.view().slice();
}

function readFunctionNames(sections: readonly Section[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const section of sections) {
    if (section.id !== 0) continue;
    try {
      const r: Reader = { bytes: section.body, pos: 0 };
      if (readName(r) !== 'name') continue;
      while (r.pos < section.body.length) {
        const sub = section.body[r.pos++]!;
        const size = readUnsigned(r);
        const end = r.pos + size;
        if (sub === 1) {
          const n = readUnsigned(r);
          for (let i = 0; i < n; i++) {
            const index = readUnsigned(r);
            names.set(index, readName(r));
          }
        }
        r.pos = end;
      }
    } catch {
      // A broken name section only costs names in messages.
    }
  }
  return names;
}

// The name section keeps the module name and the function names (renumbered, the meter
// import named); other subsections, keyed by function index, are dropped.
function rewriteNameSection(names: Map<number, string>, rw: Rewrite, original: Uint8Array): Uint8Array {
  const r: Reader = { bytes: original, pos: 0 };
  readName(r);
  const out: number[] = [];
  writeName('name', out);
  while (r.pos < original.length) {
    const sub = original[r.pos++]!;
    const size = readUnsigned(r);
    if (sub === 0) {
      out.push(0);
      writeUnsigned(size, out);
      for (let i = 0; i < size; i++) out.push(original[r.pos + i]!);
    }
    r.pos += size;
  }
  const entries = [...names].map(([index, name]) => [shiftFunction(index, rw), name] as const);
  entries.push([rw.meterFunction, 'diaryx_meter_out_of_fuel']);
  entries.sort((a, b) => a[0] - b[0]);
  const map: number[] = [];
  writeUnsigned(entries.length, map);
  for (const [index, name] of entries) {
    writeUnsigned(index, map);
    writeName(name, map);
  }
  out.push(1);
  writeUnsigned(map.length, out);
  out.push(...map);
  return Uint8Array.from(out);
}

function isNameSection(section: Section): boolean {
  if (section.id !== 0) return false;
  try {
    return readName({ bytes: section.body, pos: 0 }) === 'name';
  } catch {
    return false;
  }
}

/**
 * Meters a module: a new mutable i32 global holds the fuel; every function entry and loop
 * header subtracts the weight of the code it starts (its instructions outside nested loops);
 * when the fuel goes negative the module calls the new import {@link METER_IMPORT}
 * (`() -> i32`), which returns the new fuel or throws (a trap) to stop the guest. The import
 * comes after the module's own imported functions, so every defined function's index grows by
 * one: calls, `ref.func`, exports, elements, the start function and function names follow.
 * @throws MeterError naming the opcode and function it does not know (never a wrong rewrite)
 */
export function meterModule(bytes: Uint8Array): MeteredModule {
  let sections: Section[];
  try {
    sections = readSections(bytes);
  } catch (error) {
    throw new MeterError('malformed', error instanceof Error ? error.message : String(error));
  }
  try {
    return meterSections(sections);
  } catch (error) {
    if (error instanceof MeterError) throw error;
    throw new MeterError('malformed', `malformed wasm: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function meterSections(sections: Section[]): MeteredModule {
  for (const s of sections) {
    if (![0, ...SECTION_ORDER].includes(s.id)) throw new MeterError('unsupported_feature', `unknown section id ${s.id}`);
    if (s.id === 13) throw new MeterError('unsupported_feature', 'exception handling (a tag section) cannot be metered');
  }
  checkTypes(sectionAt(sections, ID.type)?.body);
  const imports = countImports(sectionAt(sections, ID.import)?.body);
  const typeCount = countEntries(sectionAt(sections, ID.type)?.body);
  const globalCount = imports.globals + countEntries(sectionAt(sections, ID.global)?.body);
  const names = readFunctionNames(sections);
  const rw: Rewrite = {
    importedFunctions: imports.functions,
    fuelGlobal: globalCount,
    meterFunction: imports.functions,
    names,
    checks: 0,
  };
  // A type () -> i32 and the import that uses it.
  putSection(sections, { id: ID.type, body: appendToVector(sectionAt(sections, ID.type)?.body, [0x60, 0x00, 0x01, 0x7f]) });
  const importEntry: number[] = [];
  writeName(METER_IMPORT.module, importEntry);
  writeName(METER_IMPORT.name, importEntry);
  importEntry.push(0x00);
  writeUnsigned(typeCount, importEntry);
  putSection(sections, { id: ID.import, body: appendToVector(sectionAt(sections, ID.import)?.body, importEntry) });
  const globals = sectionAt(sections, ID.global);
  putSection(sections, { id: ID.global, body: globals ? rewriteGlobals(globals.body, rw) : Uint8Array.from([1, ...FUEL_GLOBAL]) });
  const exports = sectionAt(sections, ID.export);
  if (exports) putSection(sections, { id: ID.export, body: rewriteExports(exports.body, rw) });
  const start = sectionAt(sections, ID.start);
  if (start) {
    const out: number[] = [];
    writeUnsigned(shiftFunction(readUnsigned({ bytes: start.body, pos: 0 }), rw), out);
    putSection(sections, { id: ID.start, body: Uint8Array.from(out) });
  }
  const elements = sectionAt(sections, ID.element);
  if (elements) putSection(sections, { id: ID.element, body: rewriteElements(elements.body, rw) });
  const code = sectionAt(sections, ID.code);
  if (code) putSection(sections, { id: ID.code, body: rewriteCode(code.body, rw) });
  sections = sections.map((s) => (isNameSection(s) ? { id: 0, body: rewriteNameSection(names, rw, s.body) } : s));
  return { bytes: writeModule(sections) as Uint8Array<ArrayBuffer>, checks: rw.checks };
}
