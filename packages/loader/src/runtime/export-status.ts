// Extism counts an export's i32 result as its status: 0 is success, anything else a failure
// (with the text the guest gave `error_set`, if any). @extism/extism 2.0.0-rc13 drops that result
// in both modes, so the loader rewrites the module: each exported `() -> i32` function is reached
// through a wrapper that keeps the result in an exported global, which the runtime reads after the
// call (in-process) or tests with a tiny export that traps when it is not 0 (worker mode, where
// the instance lives in the worker). Every other byte of the module is copied unchanged.

import {
  appendEncodedToVector,
  appendToVector,
  ByteWriter,
  importEntries,
  leb128Length,
  putSection,
  readFunctionTypes,
  readRawExports,
  readSections,
  readU32Vector,
  SECTION,
  type Section,
  sectionBody,
  vectorLength,
  WasmFormatError,
  writeModule,
  writeRawExports,
} from '@diaryx/wasm';

/** The global holding the status of the last export call. @internal */
export const STATUS_GLOBAL = '__diaryx_export_status';
/** An export that traps when the last status is not 0 (read in worker mode). @internal */
export const STATUS_CHECK_EXPORT = '__diaryx_export_status_check';

/** True for the names the rewrite adds (not the plugin's own exports). */
export function isStatusExport(name: string): boolean {
  return name === STATUS_GLOBAL || name === STATUS_CHECK_EXPORT;
}

/**
 * Adds the status wrappers to a module (see the file comment). A module the rewrite does not
 * understand (not plain MVP types, already rewritten, no `() -> i32` export) is returned as is:
 * the SDK's own behaviour (status ignored) then applies to it.
 */
export function exposeExportStatus(bytes: Uint8Array): Uint8Array {
  try {
    return rewrite(bytes);
  } catch (error) {
    if (error instanceof WasmFormatError) return bytes;
    throw error;
  }
}

/** The function index space: the type index of each imported, then each defined, function. */
interface Functions {
  types: number[];
  imported: number;
}

function functionsOf(sections: readonly Section[]): { functions: Functions; importedGlobals: number } {
  const types: number[] = [];
  let importedGlobals = 0;
  const imports = sectionBody(sections, SECTION.import);
  if (imports) {
    for (const entry of importEntries(imports)) {
      if (entry.kind === 0x00) types.push(entry.typeIndex!);
      else if (entry.kind === 0x03) importedGlobals++;
    }
  }
  const imported = types.length;
  // One at a time: a spread of a vector this long would overflow the stack (150,000 functions).
  for (const type of readU32Vector(sectionBody(sections, SECTION.function))) types.push(type);
  return { functions: { types, imported }, importedGlobals };
}

const encoder = new TextEncoder();
const STATUS_GLOBAL_NAME = encoder.encode(STATUS_GLOBAL);
const STATUS_CHECK_NAME = encoder.encode(STATUS_CHECK_EXPORT);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function rewrite(bytes: Uint8Array): Uint8Array {
  const sections = readSections(bytes);
  const typeBody = sectionBody(sections, SECTION.type);
  const exportBody = sectionBody(sections, SECTION.export);
  if (!typeBody || !exportBody) return bytes;
  const types = readFunctionTypes(typeBody);
  const isStatusType = (index: number | undefined) => {
    const type = index === undefined ? undefined : types[index];
    return type !== undefined && type.params.length === 0 && type.results.length === 1 && type.results[0] === 0x7f;
  };
  const { functions, importedGlobals } = functionsOf(sections);
  const firstNewFunc = functions.types.length;
  const statusGlobal = importedGlobals + vectorLength(sectionBody(sections, SECTION.global));

  // Exports: each `() -> i32` function goes through a wrapper; the rest are copied (names as bytes).
  const exports = readRawExports(exportBody);
  if (exports.some((entry) => sameBytes(entry.name, STATUS_GLOBAL_NAME) || sameBytes(entry.name, STATUS_CHECK_NAME))) return bytes;
  // The wrapper of each function, by the function's index (one wrapper however often it is exported).
  const wrapperOf = new Map<number, number>();
  const wrapped: number[] = [];
  for (const entry of exports) {
    if (entry.kind !== 0x00 || !isStatusType(functions.types[entry.index])) continue;
    let wrapper = wrapperOf.get(entry.index);
    if (wrapper === undefined) {
      wrapper = firstNewFunc + wrapped.push(entry.index) - 1;
      wrapperOf.set(entry.index, wrapper);
    }
    entry.index = wrapper;
  }
  if (wrapped.length === 0) return bytes;
  const checkFunc = firstNewFunc + wrapped.length;
  exports.push({ name: STATUS_GLOBAL_NAME, kind: 0x03, index: statusGlobal }, { name: STATUS_CHECK_NAME, kind: 0x00, index: checkFunc });

  const statusType = types.length;
  const voidType = types.length + 1;
  putSection(sections, SECTION.type, appendToVector(typeBody, [[0x60, 0x00, 0x01, 0x7f], [0x60, 0x00, 0x00]]));
  const functionTypes = new ByteWriter(wrapped.length * 5 + 5);
  for (let i = 0; i < wrapped.length; i++) functionTypes.unsigned(statusType);
  functionTypes.unsigned(voidType);
  putSection(sections, SECTION.function, appendEncodedToVector(sectionBody(sections, SECTION.function), wrapped.length + 1, functionTypes.view()));
  // (mut i32) = 0
  putSection(sections, SECTION.global, appendToVector(sectionBody(sections, SECTION.global), [[0x7f, 0x01, 0x41, 0x00, 0x0b]]));
  putSection(sections, SECTION.export, writeRawExports(exports));
  const bodies = new ByteWriter(wrapped.length * 16 + 16);
  const g = leb128Length(statusGlobal);
  for (const original of wrapped) {
    // one i32 local; call original; local.tee 0; global.set; local.get 0; end
    bodies.unsigned(10 + leb128Length(original) + g);
    bodies.byte(0x01);
    bodies.byte(0x01);
    bodies.byte(0x7f);
    bodies.byte(0x10);
    bodies.unsigned(original);
    bodies.byte(0x22);
    bodies.byte(0x00);
    bodies.byte(0x24);
    bodies.unsigned(statusGlobal);
    bodies.byte(0x20);
    bodies.byte(0x00);
    bodies.byte(0x0b);
  }
  // no locals; global.get; if; unreachable; end; end
  bodies.unsigned(7 + g);
  bodies.bytes([0x00, 0x23]);
  bodies.unsigned(statusGlobal);
  bodies.bytes([0x04, 0x40, 0x00, 0x0b, 0x0b]);
  putSection(sections, SECTION.code, appendEncodedToVector(sectionBody(sections, SECTION.code), wrapped.length + 1, bodies.view()));
  return writeModule(sections);
}
