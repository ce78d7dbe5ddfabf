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
  hasExportNamed,
  importEntries,
  leb128Length,
  putSection,
  functionTypeOffsets,
  isNoParamsToI32,
  readSections,
  readU32Vector,
  renumberExports,
  SECTION,
  type Section,
  sectionBody,
  vectorLength,
  WasmFormatError,
  writeModule,
  writeUnsignedAt,
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

// A wrapper's body around its two indices: one i32 local, call; local.tee 0, global.set; local.get 0, end.
const WRAPPER_HEAD = Uint8Array.of(0x01, 0x01, 0x7f, 0x10);
const WRAPPER_MIDDLE = Uint8Array.of(0x22, 0x00, 0x24);
const WRAPPER_TAIL = Uint8Array.of(0x20, 0x00, 0x0b);

function exportEntry(name: Uint8Array, kind: number, index: number): Uint8Array {
  const out = new ByteWriter(name.length + 10);
  out.unsigned(name.length);
  out.bytes(name);
  out.byte(kind);
  out.unsigned(index);
  return out.view();
}

function rewrite(bytes: Uint8Array): Uint8Array {
  const sections = readSections(bytes);
  const typeBody = sectionBody(sections, SECTION.type);
  const exportBody = sectionBody(sections, SECTION.export);
  if (!typeBody || !exportBody) return bytes;
  const typeOffsets = functionTypeOffsets(typeBody);
  const isStatusType = (index: number | undefined) => index !== undefined && index < typeOffsets.length && isNoParamsToI32(typeBody, typeOffsets[index]!);
  const { functions, importedGlobals } = functionsOf(sections);
  const firstNewFunc = functions.types.length;
  const statusGlobal = importedGlobals + vectorLength(sectionBody(sections, SECTION.global));

  // Exports: each `() -> i32` function goes through a wrapper (one however often it is
  // exported); the rest are copied, names as bytes.
  if (hasExportNamed(exportBody, STATUS_GLOBAL) || hasExportNamed(exportBody, STATUS_CHECK_EXPORT)) return bytes;
  const wrapperOf = new Int32Array(functions.types.length).fill(-1);
  const wrapped: number[] = [];
  const exports = renumberExports(exportBody, (kind, index) => {
    if (kind !== 0x00 || !isStatusType(functions.types[index])) return index;
    if (wrapperOf[index] === -1) wrapperOf[index] = firstNewFunc + wrapped.push(index) - 1;
    return wrapperOf[index]!;
  });
  if (wrapped.length === 0) return bytes;
  const checkFunc = firstNewFunc + wrapped.length;
  const statusType = typeOffsets.length;
  const voidType = typeOffsets.length + 1;
  putSection(sections, SECTION.type, appendToVector(typeBody, [[0x60, 0x00, 0x01, 0x7f], [0x60, 0x00, 0x00]]));
  const functionTypes = new ByteWriter(wrapped.length * 5 + 5);
  for (let i = 0; i < wrapped.length; i++) functionTypes.unsigned(statusType);
  functionTypes.unsigned(voidType);
  putSection(sections, SECTION.function, appendEncodedToVector(sectionBody(sections, SECTION.function), wrapped.length + 1, functionTypes.view()));
  // (mut i32) = 0
  putSection(sections, SECTION.global, appendToVector(sectionBody(sections, SECTION.global), [[0x7f, 0x01, 0x41, 0x00, 0x0b]]));
  putSection(sections, SECTION.export, appendToVector(exports, [exportEntry(STATUS_GLOBAL_NAME, 0x03, statusGlobal), exportEntry(STATUS_CHECK_NAME, 0x00, checkFunc)]));
  // The wrappers' bodies, written straight into one buffer: 60,000 of them in a few ms even
  // before the engine has optimised this code (the first load of a process runs it cold). The
  // position is passed along, not kept in a variable a closure changes: Node 26.12.1's V8
  // (14.6, Maglev) lost some increments of such a variable on a cold first run, writing a
  // corrupt module (`--no-maglev` did not).
  const g = leb128Length(statusGlobal);
  const bodies = new Uint8Array(wrapped.length * (16 + g) + 16 + g);
  let at = 0;
  for (const original of wrapped) {
    // size; one i32 local; call original; local.tee 0; global.set; local.get 0; end
    at = writeUnsignedAt(bodies, at, 10 + leb128Length(original) + g);
    bodies.set(WRAPPER_HEAD, at);
    at = writeUnsignedAt(bodies, at + WRAPPER_HEAD.length, original);
    bodies.set(WRAPPER_MIDDLE, at);
    at = writeUnsignedAt(bodies, at + WRAPPER_MIDDLE.length, statusGlobal);
    bodies.set(WRAPPER_TAIL, at);
    at += WRAPPER_TAIL.length;
  }
  // size; no locals; global.get; if; unreachable; end; end
  at = writeUnsignedAt(bodies, at, 7 + g);
  bodies.set([0x00, 0x23], at);
  at = writeUnsignedAt(bodies, at + 2, statusGlobal);
  bodies.set([0x04, 0x40, 0x00, 0x0b, 0x0b], at);
  at += 5;
  putSection(sections, SECTION.code, appendEncodedToVector(sectionBody(sections, SECTION.code), wrapped.length + 1, bodies.subarray(0, at)));
  return writeModule(sections);
}
