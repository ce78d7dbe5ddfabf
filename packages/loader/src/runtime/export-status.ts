// Extism counts an export's i32 result as its status: 0 is success, anything else a failure
// (with the text the guest gave `error_set`, if any). @extism/extism 2.0.0-rc13 drops that result
// in both modes, so the loader rewrites the module: each exported `() -> i32` function is reached
// through a wrapper that keeps the result in an exported global, which the runtime reads after the
// call (in-process) or tests with a tiny export that traps when it is not 0 (worker mode, where
// the instance lives in the worker). Every other byte of the module is copied unchanged.

import {
  appendToVector,
  type ExportEntry,
  importEntries,
  putSection,
  readExports,
  readFunctionTypes,
  readSections,
  readU32Vector,
  SECTION,
  type Section,
  sectionBody,
  vectorLength,
  WasmFormatError,
  writeExports,
  writeModule,
  writeUnsigned,
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
  types.push(...readU32Vector(sectionBody(sections, SECTION.function)));
  return { functions: { types, imported }, importedGlobals };
}

function u32(value: number): number[] {
  const out: number[] = [];
  writeUnsigned(value, out);
  return out;
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

  // Exports: each `() -> i32` function goes through a wrapper; the rest are copied.
  const exports = readExports(exportBody);
  if (exports.some((entry) => isStatusExport(entry.name))) return bytes;
  const wrapped: number[] = [];
  const entries: ExportEntry[] = exports.map((entry) => {
    if (entry.kind !== 0x00 || !isStatusType(functions.types[entry.index])) return entry;
    let at = wrapped.indexOf(entry.index);
    if (at === -1) at = wrapped.push(entry.index) - 1;
    return { ...entry, index: firstNewFunc + at };
  });
  if (wrapped.length === 0) return bytes;
  const checkFunc = firstNewFunc + wrapped.length;
  entries.push({ name: STATUS_GLOBAL, kind: 0x03, index: statusGlobal }, { name: STATUS_CHECK_EXPORT, kind: 0x00, index: checkFunc });

  const statusType = types.length;
  const voidType = types.length + 1;
  putSection(sections, SECTION.type, appendToVector(typeBody, [[0x60, 0x00, 0x01, 0x7f], [0x60, 0x00, 0x00]]));
  putSection(sections, SECTION.function, appendToVector(sectionBody(sections, SECTION.function), [...wrapped.map(() => u32(statusType)), u32(voidType)]));
  // (mut i32) = 0
  putSection(sections, SECTION.global, appendToVector(sectionBody(sections, SECTION.global), [[0x7f, 0x01, 0x41, 0x00, 0x0b]]));
  putSection(sections, SECTION.export, writeExports(entries));
  const g = u32(statusGlobal);
  const bodies = wrapped.map((original) => {
    // one i32 local; call original; local.tee 0; global.set; local.get 0; end
    const code = [0x01, 0x01, 0x7f, 0x10, ...u32(original), 0x22, 0x00, 0x24, ...g, 0x20, 0x00, 0x0b];
    return [...u32(code.length), ...code];
  });
  // no locals; global.get; if; unreachable; end; end
  const check = [0x00, 0x23, ...g, 0x04, 0x40, 0x00, 0x0b, 0x0b];
  bodies.push([...u32(check.length), ...check]);
  putSection(sections, SECTION.code, appendToVector(sectionBody(sections, SECTION.code), bodies));
  return writeModule(sections);
}
