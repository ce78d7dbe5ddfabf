import { ByteWriter } from './byte-writer.js';
import {
  charge64Entry,
  chargeEntry,
  checkPricedType,
  EXTISM_KERNEL_PRICES,
  type ImportPrice,
  type ImportPrices,
  isI64ToI64,
  KERNEL_LENGTH,
  type PricingFunctions,
  priceOf,
  pricedCallEntry,
  readsBlockLength,
} from './import-pricing.js';
import { type Reader, readUnsigned, writeName, writeUnsigned } from './leb128.js';
import { BLOCKING_IMPORTS, checkLimits, checkLimitsFlags, checkTypes, checkValueType } from './meter-checks.js';
import { rewriteCodeSection } from './meter-core.js';
import { hex, MeterError } from './meter-error.js';
import { functionName, isNameSection, readFunctionNames, rewriteNameSection } from './meter-names.js';
import { rewriteElements, rewriteExports, rewriteGlobals } from './meter-renumber.js';
import {
  appendEncodedToVector,
  appendToVector,
  type FunctionType,
  importEntries,
  putSection,
  functionTypeAt,
  readSections,
  SECTION,
  SECTION_ORDER,
  type Section,
  sectionBody,
  vectorLength,
  writeModule,
} from './module.js';

export { MeterError, type MeterErrorKind } from './meter-error.js';

/** The import a metered module calls when its fuel runs out; it returns the new fuel. */
export const METER_IMPORT = { module: 'diaryx:meter', name: 'out_of_fuel' } as const;

/** What {@link meterModule} produced. */
export interface MeteredModule {
  bytes: Uint8Array<ArrayBuffer>;
  /** Fuel checks inserted (function entries plus loop headers). */
  checks: number;
}

/** Options of {@link meterModule}. */
export interface MeterOptions {
  /**
   * What calls to imports cost beyond their weight, by module and name (default
   * {@link EXTISM_KERNEL_PRICES}); a caller may add entries, e.g. for WASI functions.
   */
  importPrices?: ImportPrices;
}

/** Options of {@link meterModuleInSlices}. */
export interface SlicedMeterOptions extends MeterOptions {
  /** Gives the thread back: resolves after the host's pending tasks (a macrotask later). */
  pause: () => Promise<void>;
  /** The longest the rewrite holds the thread between two pauses, in ms (default 4). */
  sliceMs?: number;
}

// A mutable i32 starting at 0: the first check asks the host for fuel.
const FUEL_GLOBAL = Uint8Array.of(0x7f, 0x01, 0x41, 0x00, 0x0b);
// The types the rewrite adds: () -> i32 (the meter import), (i32) -> i32 (charge), and, for
// priced imports, (i64) -> i64 (charge64, and the kernel's length when the rewrite imports it).
const METER_TYPE = [0x60, 0x00, 0x01, 0x7f];
const CHARGE_TYPE = [0x60, 0x01, 0x7f, 0x01, 0x7f];
const CHARGE64_TYPE = [0x60, 0x01, 0x7e, 0x01, 0x7e];

const utf8 = new TextEncoder();
const NAMES = {
  meter: utf8.encode('diaryx_meter_out_of_fuel'),
  length: utf8.encode('diaryx_meter_length'),
  charge: utf8.encode('diaryx_meter_charge'),
  charge64: utf8.encode('diaryx_meter_charge64'),
};

/** An imported function the rewrite prices (see {@link ImportPrice}). */
interface PricedImport {
  index: number;
  name: string;
  type: FunctionType;
  typeIndex: number;
  price: ImportPrice;
}

/** The module's imports as the rewrite needs them. */
interface Imports {
  functions: number;
  globals: number;
  priced: PricedImport[];
  /** An imported kernel `length` (or `length_unsafe`) of type (i64) -> i64, if any. */
  length: number | null;
}

function scanImports(body: Uint8Array | undefined, prices: ImportPrices, typeOf: (index: number) => FunctionType | undefined): Imports {
  const imports: Imports = { functions: 0, globals: 0, priced: [], length: null };
  if (!body) return imports;
  for (const entry of importEntries(body)) {
    const where = () => `the import ${entry.module} ${entry.name}`;
    if (entry.kind === 0x00) {
      if (BLOCKING_IMPORTS.has(`${entry.module} ${entry.name}`)) {
        throw new MeterError('unsupported_feature', `the module imports ${entry.module} ${entry.name}, a sleep the meter cannot interrupt`);
      }
      const index = imports.functions++;
      const price = priceOf(prices, entry.module, entry.name);
      if (price) {
        const type = typeOf(entry.typeIndex!);
        checkPricedType(entry.module, entry.name, type, price);
        imports.priced.push({ index, name: entry.name, type: type!, typeIndex: entry.typeIndex!, price });
      }
      const isLength = entry.module === KERNEL_LENGTH.module && (KERNEL_LENGTH.alternatives as readonly string[]).includes(entry.name);
      if (isLength && imports.length === null && isI64ToI64(typeOf(entry.typeIndex!))) imports.length = index;
    } else if (entry.kind === 0x01 || entry.kind === 0x02) {
      const what = entry.kind === 0x01 ? 'table' : 'memory';
      if (entry.valueType !== null) checkValueType(entry.valueType, where());
      checkLimitsFlags(entry.limitsFlags!, what);
    } else if (entry.kind === 0x03) {
      checkValueType(entry.valueType!, where());
      imports.globals++;
    } else throw new MeterError('unsupported_feature', `unsupported import kind ${hex(entry.kind)} (${where()})`);
  }
  return imports;
}

function importEntry(module: string, name: string, typeIndex: number): number[] {
  const entry: number[] = [];
  writeName(module, entry);
  writeName(name, entry);
  entry.push(0x00);
  writeUnsigned(typeIndex, entry);
  return entry;
}

/**
 * Meters a module: a new mutable i32 global holds the fuel; every function entry and loop
 * header subtracts the weight of the code it starts (its instructions outside nested loops);
 * when the fuel goes negative the module calls the new import {@link METER_IMPORT}
 * (`() -> i32`), which returns the new fuel or throws (a trap) to stop the guest. Bulk memory
 * and table operations, and calls of the imports `options.importPrices` names (by default the
 * Extism kernel's, see {@link EXTISM_KERNEL_PRICES}), take fuel by the bytes they move. The
 * import comes after the module's own imported functions (after the kernel's `length` when the
 * prices need it and the module does not import it), so every defined function's index grows
 * by one (or two): calls, `ref.func`, exports, elements, the start function and function names
 * follow, and every reference to a priced import goes to the function that prices it.
 * Each pass is linear in the module's size.
 * @throws MeterError naming the opcode and function it does not know (never a wrong rewrite)
 */
export function meterModule(bytes: Uint8Array, options: MeterOptions = {}): MeteredModule {
  const steps = meterSteps(bytes, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * {@link meterModule}, giving the thread back (`options.pause`) whenever it has held it for
 * `options.sliceMs`: a large module is rewritten in slices of a few milliseconds, so the app's
 * timers, input and other plugins run in between. Each slice is a few thousand entries of a
 * section or a quarter MiB of code.
 * @throws MeterError as {@link meterModule}
 */
export async function meterModuleInSlices(bytes: Uint8Array, options: SlicedMeterOptions): Promise<MeteredModule> {
  const sliceMs = options.sliceMs ?? 4;
  const steps = meterSteps(bytes, options);
  let sliceStart = performance.now();
  try {
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      if (performance.now() - sliceStart >= sliceMs) {
        await options.pause();
        sliceStart = performance.now();
      }
    }
  } finally {
    // A pause that threw leaves the rewrite suspended: end it (it frees the scan core it holds).
    steps.return(undefined as never);
  }
}

function* meterSteps(bytes: Uint8Array, options: MeterOptions): Generator<void, MeteredModule> {
  let sections: Section[];
  try {
    sections = readSections(bytes);
  } catch (error) {
    throw new MeterError('malformed', error instanceof Error ? error.message : String(error));
  }
  try {
    return yield* meterSections(sections, options.importPrices ?? EXTISM_KERNEL_PRICES);
  } catch (error) {
    if (error instanceof MeterError) throw error;
    throw new MeterError('malformed', `malformed wasm: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const KNOWN_SECTIONS = new Set([0, ...SECTION_ORDER]);

function* meterSections(sections: Section[], prices: ImportPrices): Generator<void, MeteredModule> {
  for (const s of sections) {
    if (!KNOWN_SECTIONS.has(s.id)) throw new MeterError('unsupported_feature', `unknown section id ${s.id}`);
    if (s.id === 13) throw new MeterError('unsupported_feature', 'exception handling (a tag section) cannot be metered');
  }
  const typeBody = sectionBody(sections, SECTION.type);
  const typeOffsets = checkTypes(typeBody);
  checkLimits(sections);
  const typeOf = (index: number) => (index < typeOffsets.length ? functionTypeAt(typeBody!, typeOffsets[index]!) : undefined);
  const imports = scanImports(sectionBody(sections, SECTION.import), prices, typeOf);
  yield;
  const typeCount = typeOffsets.length;
  const fuelGlobal = imports.globals + vectorLength(sectionBody(sections, SECTION.global));
  const definedFunctions = vectorLength(sectionBody(sections, SECTION.function));
  const I = imports.functions;
  const priced = imports.priced;
  const importsLength = imports.length === null && priced.some((p) => readsBlockLength(p.price));
  const added = importsLength ? 2 : 1;
  const meterFunction = I + added - 1;
  const chargeFunction = I + added + definedFunctions;
  const fns: PricingFunctions = {
    fuelGlobal,
    meterFunction,
    charge: chargeFunction,
    charge64: chargeFunction + 1,
    length: importsLength ? I : imports.length,
  };
  const firstPricer = chargeFunction + 2;
  const importRemap = new Uint32Array(I);
  for (let i = 0; i < I; i++) importRemap[i] = i;
  priced.forEach((p, k) => (importRemap[p.index] = firstPricer + k));
  const renumber = (index: number) => (index < I ? importRemap[index]! : index + added);

  // Types, then imports: [the module's, the kernel's length if needed, the meter's].
  const newTypes = priced.length > 0 ? [METER_TYPE, CHARGE_TYPE, CHARGE64_TYPE] : [METER_TYPE, CHARGE_TYPE];
  putSection(sections, SECTION.type, appendToVector(typeBody, newTypes));
  const newImports = importsLength ? [importEntry(KERNEL_LENGTH.module, KERNEL_LENGTH.name, typeCount + 2)] : [];
  newImports.push(importEntry(METER_IMPORT.module, METER_IMPORT.name, typeCount));
  putSection(sections, SECTION.import, appendToVector(sectionBody(sections, SECTION.import), newImports));
  const globals = sectionBody(sections, SECTION.global);
  putSection(sections, SECTION.global, globals ? yield* rewriteGlobals(globals, renumber, FUEL_GLOBAL) : appendToVector(undefined, [FUEL_GLOBAL]));
  yield;
  const exports = sectionBody(sections, SECTION.export);
  if (exports) putSection(sections, SECTION.export, rewriteExports(exports, renumber));
  yield;
  const start = sectionBody(sections, SECTION.start);
  if (start) {
    const out: number[] = [];
    writeUnsigned(renumber(readUnsigned({ bytes: start, pos: 0 } satisfies Reader)), out);
    putSection(sections, SECTION.start, Uint8Array.from(out));
  }
  const elements = sectionBody(sections, SECTION.element);
  if (elements) putSection(sections, SECTION.element, yield* rewriteElements(elements, renumber));
  yield;
  const names = readFunctionNames(sections, I + definedFunctions);
  yield;
  const code = sectionBody(sections, SECTION.code);
  let checks = 0;
  const appendedNames: Array<readonly [number, Uint8Array]> = [];
  if (code || priced.length > 0) {
    let rewritten: Uint8Array = Uint8Array.of(0);
    if (code) {
      const result = yield* rewriteCodeSection(code, {
        importedFunctions: I,
        addedImports: added,
        importRemap,
        fuelGlobal,
        meterFunction,
        chargeFunction,
        functionName: (index) => functionName(names, index),
      });
      rewritten = result.bytes;
      checks = result.checks;
      yield; // each copy of a large code section (tens of MB) is a step of its own
    }
    // Appended functions: charge, then (with priced imports) charge64 and one pricer each.
    const functionTypes = new ByteWriter(16 + priced.length * 5);
    const bodies = new ByteWriter(64 + priced.length * 64);
    functionTypes.unsigned(typeCount + 1);
    bodies.bytes(chargeEntry(fns));
    appendedNames.push([chargeFunction, NAMES.charge]);
    if (priced.length > 0) {
      functionTypes.unsigned(typeCount + 2);
      bodies.bytes(charge64Entry(fns));
      appendedNames.push([fns.charge64, NAMES.charge64]);
      priced.forEach((p, k) => {
        functionTypes.unsigned(p.typeIndex);
        bodies.bytes(pricedCallEntry(p.index, p.type, p.price, fns));
        appendedNames.push([firstPricer + k, utf8.encode(`diaryx_meter_priced_${p.name}`)]);
      });
    }
    const count = 1 + (priced.length > 0 ? 1 + priced.length : 0);
    putSection(sections, SECTION.function, appendEncodedToVector(sectionBody(sections, SECTION.function), count, functionTypes.view()));
    putSection(sections, SECTION.code, appendEncodedToVector(rewritten, count, bodies.view()));
  }
  yield;
  const renamed = { importedFunctions: I, addedImports: importsLength ? [NAMES.length, NAMES.meter] : [NAMES.meter], appended: appendedNames };
  sections = sections.map((s) => (isNameSection(s) ? { id: 0, body: rewriteNameSection(names, renamed, s.body) } : s));
  yield;
  return { bytes: writeModule(sections) as Uint8Array<ArrayBuffer>, checks };
}
