import { ByteWriter } from './byte-writer.js';
import { type Reader, readName, readUnsigned, writeName, writeUnsigned } from './leb128.js';
import { rewriteCodeSection } from './meter-core.js';
import { hex, MeterError } from './meter-error.js';
import { appendToVector, importEntries, putSection, readSections, SECTION_ORDER, type Section, sectionBody, vectorLength, writeModule } from './module.js';

export { MeterError, type MeterErrorKind } from './meter-error.js';

/** The import a metered module calls when its fuel runs out; it returns the new fuel. */
export const METER_IMPORT = { module: 'diaryx:meter', name: 'out_of_fuel' } as const;

/** What {@link meterModule} produced. */
export interface MeteredModule {
  bytes: Uint8Array<ArrayBuffer>;
  /** Fuel checks inserted (function entries plus loop headers). */
  checks: number;
}

const ID = { type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, element: 9, code: 10 } as const;

/** Value types the rewriter knows (MVP, SIMD, reference types). */
const VALUE_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

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

function checkValueType(t: number, where: string): void {
  if (!VALUE_TYPES.has(t)) throw new MeterError('unsupported_feature', `unsupported value type ${hex(t)} in ${where}`);
}

function valueType(r: Reader, where: string): number {
  need(r, 1);
  const t = r.bytes[r.pos++]!;
  checkValueType(t, where);
  return t;
}

function checkLimitsFlags(flags: number, what: string): void {
  if (flags > 7) malformed(`limits flags ${hex(flags)}`);
  // 64-bit memories and tables take i64 lengths, which the bulk-operation charge does not.
  if (flags & 4) throw new MeterError('unsupported_feature', `a 64-bit ${what} (memory64) cannot be metered`);
}

function skipLimits(r: Reader, what: string): void {
  need(r, 1);
  const flags = r.bytes[r.pos++]!;
  checkLimitsFlags(flags, what);
  skipLeb(r);
  if (flags & 1) skipLeb(r);
}

/** Refuses 64-bit memories and tables the module defines (see {@link skipLimits}). */
function checkLimits(sections: readonly Section[]): void {
  const memories = sectionBody(sections, ID.memory);
  if (memories) {
    const r: Reader = { bytes: memories, pos: 0 };
    for (let i = readUnsigned(r); i > 0; i--) skipLimits(r, 'memory');
  }
  const tables = sectionBody(sections, ID.table);
  if (tables) {
    const r: Reader = { bytes: tables, pos: 0 };
    for (let i = readUnsigned(r); i > 0; i--) {
      valueType(r, 'a table');
      skipLimits(r, 'table');
    }
  }
}

// WASI's poll_oneoff sleeps on the host's thread for as long as the guest asks: time no fuel
// check can interrupt. A module that imports it runs in a worker (mode 'auto') instead.
const BLOCKING_IMPORTS = new Set(['wasi_snapshot_preview1 poll_oneoff', 'wasi_unstable poll_oneoff']);

/** Where the rewriter is and how it renumbers functions. */
interface Rewrite {
  /** Functions imported before the new import (their indices stay). */
  importedFunctions: number;
  fuelGlobal: number;
  meterFunction: number;
  /** The added `(i32) -> i32` function that takes fuel for a bulk operation's length (last index). */
  chargeFunction: number;
  /** Function names by index, as their UTF-8 bytes (decoded only for a message). */
  names: Map<number, Uint8Array>;
  checks: number;
}

function shiftFunction(index: number, rw: Rewrite): number {
  return index >= rw.importedFunctions ? index + 1 : index;
}

/**
 * Copies a constant expression (a global's initializer, an element segment's offset or item) from
 * `r` to `out`, renumbering `ref.func`. Only constant instructions (extended-const included) are
 * known; the engine validates the rest of what they may combine.
 */
function rewriteConstExpression(r: Reader, out: ByteWriter, rw: Rewrite, where: () => string): void {
  const b = r.bytes;
  let copyFrom = r.pos;
  for (;;) {
    need(r, 1);
    const start = r.pos;
    const op = b[r.pos++]!;
    switch (op) {
      case 0x0b: // end
        out.bytes(b.subarray(copyFrom, r.pos));
        return;
      case 0x23: // global.get
      case 0x41: // i32.const
      case 0x42: // i64.const
        skipLeb(r);
        break;
      case 0x43: // f32.const
        need(r, 4);
        r.pos += 4;
        break;
      case 0x44: // f64.const
        need(r, 8);
        r.pos += 8;
        break;
      case 0xd0: // ref.null t
        valueType(r, where());
        break;
      case 0x6a: // i32.add, i32.sub, i32.mul, i64.add, i64.sub, i64.mul (extended-const)
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break;
      case 0xd2: {
        // ref.func
        const index = readUnsigned(r);
        const shifted = shiftFunction(index, rw);
        if (shifted !== index) {
          out.bytes(b.subarray(copyFrom, start));
          out.byte(op);
          out.unsigned(shifted);
          copyFrom = r.pos;
        }
        break;
      }
      case 0xfd: {
        const sub = readUnsigned(r);
        if (sub !== 12) throw notConstant(`0xfd ${sub}`, where);
        need(r, 16); // v128.const
        r.pos += 16;
        break;
      }
      default:
        throw notConstant(hex(op), where);
    }
  }
}

function notConstant(op: string, where: () => string): MeterError {
  return new MeterError('unsupported_opcode', `unsupported opcode ${op} in ${where()} (not a constant instruction); the plugin cannot be metered`);
}

function countImports(body: Uint8Array | undefined): { functions: number; globals: number } {
  const counts = { functions: 0, globals: 0 };
  if (!body) return counts;
  for (const entry of importEntries(body)) {
    const where = `the import ${entry.module} ${entry.name}`;
    if (entry.kind === 0x00) {
      if (BLOCKING_IMPORTS.has(`${entry.module} ${entry.name}`)) {
        throw new MeterError('unsupported_feature', `the module imports ${entry.module} ${entry.name}, a sleep the meter cannot interrupt`);
      }
      counts.functions++;
    } else if (entry.kind === 0x01 || entry.kind === 0x02) {
      const what = entry.kind === 0x01 ? 'table' : 'memory';
      if (entry.valueType !== null) checkValueType(entry.valueType, where);
      checkLimitsFlags(entry.limitsFlags!, what);
    } else if (entry.kind === 0x03) {
      checkValueType(entry.valueType!, where);
      counts.globals++;
    } else throw new MeterError('unsupported_feature', `unsupported import kind ${hex(entry.kind)} (${where})`);
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
    rewriteConstExpression(r, out, rw, () => `the initializer of global ${i}`);
  }
  out.bytes(FUEL_GLOBAL);
  return out.view().slice();
}

/** Bytes a bulk memory or table operation may move or fill per unit of fuel (2^4). */
const BULK_BYTES_PER_FUEL_SHIFT = 4;

// (func $charge (param $n i32) (result i32): fuel -= n >> 4; if (fuel < 0) fuel = out_of_fuel();
// return n), with its size in front. Called before memory.init/copy/fill, table.init/copy/fill:
// one such instruction runs as long as its length, and a loop of them would otherwise cost a
// weight of a few units whatever they move.
function chargeFunctionBody(rw: Rewrite): number[] {
  const body: number[] = [0x00, 0x23];
  writeUnsigned(rw.fuelGlobal, body);
  body.push(0x20, 0x00, 0x41, BULK_BYTES_PER_FUEL_SHIFT, 0x76, 0x6b, 0x24);
  writeUnsigned(rw.fuelGlobal, body);
  body.push(0x23);
  writeUnsigned(rw.fuelGlobal, body);
  body.push(0x41, 0x00, 0x48, 0x04, 0x40, 0x10);
  writeUnsigned(rw.meterFunction, body);
  body.push(0x24);
  writeUnsigned(rw.fuelGlobal, body);
  body.push(0x0b, 0x20, 0x00, 0x0b);
  const entry: number[] = [];
  writeUnsigned(body.length, entry);
  return [...entry, ...body];
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
    if (!(flags & 1)) rewriteConstExpression(r, out, rw, where); // offset
    if (flags & 4) {
      if (flags & 3) copy(() => valueType(r, where()));
      const m = readUnsigned(r);
      out.unsigned(m);
      for (let j = 0; j < m; j++) rewriteConstExpression(r, out, rw, where);
    } else {
      if (flags & 3) copy(() => r.pos++); // elemkind
      const m = readUnsigned(r);
      out.unsigned(m);
      for (let j = 0; j < m; j++) out.unsigned(shiftFunction(readUnsigned(r), rw));
    }
  }
  return out.view().slice();
}

function readFunctionNames(sections: readonly Section[]): Map<number, Uint8Array> {
  const names = new Map<number, Uint8Array>();
  for (const section of sections) {
    if (!isNameSection(section)) continue;
    try {
      const r: Reader = { bytes: section.body, pos: 0 };
      readName(r);
      while (r.pos < section.body.length) {
        const sub = section.body[r.pos++]!;
        const size = readUnsigned(r);
        const end = r.pos + size;
        if (sub === 1) {
          const n = readUnsigned(r);
          for (let i = 0; i < n; i++) {
            const index = readUnsigned(r);
            const length = readUnsigned(r);
            names.set(index, section.body.subarray(r.pos, r.pos + length));
            r.pos += length;
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

/** A function's name for a message, when the name section has a readable one. */
function functionName(names: ReadonlyMap<number, Uint8Array>, index: number): string | undefined {
  const bytes = names.get(index);
  if (!bytes) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const METER_FUNCTION_NAME = new TextEncoder().encode('diaryx_meter_out_of_fuel');
const CHARGE_FUNCTION_NAME = new TextEncoder().encode('diaryx_meter_charge');

// The name section keeps the module name and the function names (renumbered, the meter
// import named, the bytes of each name copied as they are); other subsections, keyed by
// function index, are dropped.
function rewriteNameSection(names: Map<number, Uint8Array>, rw: Rewrite, original: Uint8Array): Uint8Array {
  const r: Reader = { bytes: original, pos: 0 };
  readName(r);
  const out = new ByteWriter(original.length + 64);
  out.bytes(NAME_SECTION_NAME);
  while (r.pos < original.length) {
    const sub = original[r.pos++]!;
    const size = readUnsigned(r);
    if (sub === 0) {
      out.byte(0);
      out.unsigned(size);
      out.bytes(original.subarray(r.pos, r.pos + size));
    }
    r.pos += size;
  }
  const map = new ByteWriter(original.length + 64);
  map.unsigned(names.size + 2);
  const entry = (index: number, name: Uint8Array) => {
    map.unsigned(index);
    map.unsigned(name.length);
    map.bytes(name);
  };
  // Names come sorted by index (the format requires it); the meter import slots in among them.
  let meterNamed = false;
  for (const [index, name] of names) {
    if (!meterNamed && index >= rw.importedFunctions) {
      entry(rw.meterFunction, METER_FUNCTION_NAME);
      meterNamed = true;
    }
    entry(shiftFunction(index, rw), name);
  }
  if (!meterNamed) entry(rw.meterFunction, METER_FUNCTION_NAME);
  entry(rw.chargeFunction, CHARGE_FUNCTION_NAME);
  out.byte(1);
  out.unsigned(map.length);
  out.bytes(map.view());
  return out.view().slice();
}

const NAME_SECTION_NAME = (() => {
  const out: number[] = [];
  writeName('name', out);
  return Uint8Array.from(out);
})();

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
  checkTypes(sectionBody(sections, ID.type));
  checkLimits(sections);
  const imports = countImports(sectionBody(sections, ID.import));
  const typeCount = vectorLength(sectionBody(sections, ID.type));
  const globalCount = imports.globals + vectorLength(sectionBody(sections, ID.global));
  const definedFunctions = vectorLength(sectionBody(sections, ID.function));
  const names = readFunctionNames(sections);
  const rw: Rewrite = {
    importedFunctions: imports.functions,
    fuelGlobal: globalCount,
    meterFunction: imports.functions,
    chargeFunction: imports.functions + 1 + definedFunctions,
    names,
    checks: 0,
  };
  // Types () -> i32 (the meter import) and (i32) -> i32 (the charge function).
  putSection(sections, ID.type, appendToVector(sectionBody(sections, ID.type), [[0x60, 0x00, 0x01, 0x7f], [0x60, 0x01, 0x7f, 0x01, 0x7f]]));
  const importEntry: number[] = [];
  writeName(METER_IMPORT.module, importEntry);
  writeName(METER_IMPORT.name, importEntry);
  importEntry.push(0x00);
  writeUnsigned(typeCount, importEntry);
  putSection(sections, ID.import, appendToVector(sectionBody(sections, ID.import), [importEntry]));
  const globals = sectionBody(sections, ID.global);
  putSection(sections, ID.global, globals ? rewriteGlobals(globals, rw) : Uint8Array.from([1, ...FUEL_GLOBAL]));
  const exports = sectionBody(sections, ID.export);
  if (exports) putSection(sections, ID.export, rewriteExports(exports, rw));
  const start = sectionBody(sections, ID.start);
  if (start) {
    const out: number[] = [];
    writeUnsigned(shiftFunction(readUnsigned({ bytes: start, pos: 0 }), rw), out);
    putSection(sections, ID.start, Uint8Array.from(out));
  }
  const elements = sectionBody(sections, ID.element);
  if (elements) putSection(sections, ID.element, rewriteElements(elements, rw));
  const code = sectionBody(sections, ID.code);
  if (code) {
    const rewritten = rewriteCodeSection(code, { ...rw, functionName: (index) => functionName(names, index) });
    rw.checks = rewritten.checks;
    const charge: number[] = [];
    writeUnsigned(typeCount + 1, charge);
    putSection(sections, ID.function, appendToVector(sectionBody(sections, ID.function), [charge]));
    putSection(sections, ID.code, appendToVector(rewritten.bytes, [chargeFunctionBody(rw)]));
  }
  sections = sections.map((s) => (isNameSection(s) ? { id: 0, body: rewriteNameSection(names, rw, s.body) } : s));
  return { bytes: writeModule(sections) as Uint8Array<ArrayBuffer>, checks: rw.checks };
}
