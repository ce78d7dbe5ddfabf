// Rewrites of how a guest is entered, made at load after the other rewrites (only names and the
// start section change; no code is touched):
//
// - Metered mode runs every piece of guest code as an export call of its own, so that it is
//   metered under `WebAssembly.promising` and can yield: the module's start function (which the
//   engine would run inside instantiation, where nothing can suspend) and its `_initialize`
//   (which @extism/extism 2.0.0-rc13 calls inside instantiation too) become exports the runtime
//   calls after instantiation, with their own deadline. An empty `_initialize` takes the old
//   one's place, so rc13 still sees a reactor and never runs a `_start` at instantiation (as it
//   does not with WASI today).
// - WASI imports are routed to the kit's own WASI (`diaryx:wasi`): all of them in metered mode
//   (priced and deadline-checked, see wasi-shim.ts), and `proc_exit` alone in the other modes
//   (so an exit is reported with its code, which rc13's WASI loses).

import {
  appendToVector,
  type ExportEntry,
  importEntries,
  putSection,
  readExports,
  readSections,
  readU32,
  SECTION,
  type Section,
  sectionBody,
  vectorLength,
  writeExports,
  writeModule,
  writeName,
  writeUnsigned,
} from '@diaryx/wasm';

/** The import module of the kit's WASI. */
export const KIT_WASI_MODULE = 'diaryx:wasi';
const WASI_MODULE = 'wasi_snapshot_preview1';

/** The names metered mode exports the deferred start pieces and the memory under. @internal */
export const ENTRY_EXPORTS = {
  start: 'diaryx:start',
  initialize: 'diaryx:initialize',
  memory: 'diaryx:memory',
} as const;

/** True for a name the loader's rewrites export (not one of the plugin's own exports). */
export function isEntryExport(name: string): boolean {
  return name === ENTRY_EXPORTS.start || name === ENTRY_EXPORTS.initialize || name === ENTRY_EXPORTS.memory;
}

/** Thrown for a module the rewrite cannot apply to (it already uses a reserved name). */
export class GuestEntryError extends Error {
  override readonly name = 'GuestEntryError';
}

/**
 * Routes the module's WASI imports (`wasi_snapshot_preview1`) to {@link KIT_WASI_MODULE}: every
 * one, or those in `only`. Returns whether anything changed.
 */
function routeWasiImports(sections: Section[], only: ReadonlySet<string> | null): boolean {
  const body = sectionBody(sections, SECTION.import);
  if (!body) return false;
  let changed = false;
  const entries: Uint8Array[] = [];
  for (const entry of importEntries(body)) {
    const routed = entry.module === WASI_MODULE && (only === null || only.has(entry.name));
    changed ||= routed;
    const out: number[] = [];
    writeName(routed ? KIT_WASI_MODULE : entry.module, out);
    writeName(entry.name, out);
    const encoded = new Uint8Array(out.length + entry.descriptor.length);
    encoded.set(out);
    encoded.set(entry.descriptor, out.length);
    entries.push(encoded);
  }
  if (changed) putSection(sections, SECTION.import, appendToVector(undefined, entries));
  return changed;
}

const PROC_EXIT_ONLY = new Set(['proc_exit']);

/** Every mode but metered: `proc_exit` goes to the kit's WASI. Unchanged bytes when not imported. */
export function routeProcExit(bytes: Uint8Array): Uint8Array {
  const sections = readSections(bytes);
  return routeWasiImports(sections, PROC_EXIT_ONLY) ? writeModule(sections) : bytes;
}

function importedFunctionCount(sections: readonly Section[]): number {
  const body = sectionBody(sections, SECTION.import);
  let count = 0;
  if (body) for (const entry of importEntries(body)) if (entry.kind === 0x00) count++;
  return count;
}

/**
 * Metered mode: defers the start function and `_initialize` to exports the runtime calls (see
 * the file comment), exports memory 0 for the kit's WASI, and routes every WASI import to it.
 * @throws GuestEntryError when the module already exports one of the reserved names
 */
export function deferGuestEntry(bytes: Uint8Array): Uint8Array {
  const sections = readSections(bytes);
  const exportBody = sectionBody(sections, SECTION.export);
  const exports: ExportEntry[] = exportBody ? readExports(exportBody) : [];
  for (const entry of exports) {
    if (isEntryExport(entry.name)) throw new GuestEntryError(`the module exports "${entry.name}", a name the loader reserves`);
  }
  const renamed: ExportEntry[] = exports.map((entry) =>
    entry.name === '_initialize' && entry.kind === 0x00 ? { ...entry, name: ENTRY_EXPORTS.initialize } : entry,
  );

  const start = sectionBody(sections, SECTION.start);
  if (start) {
    renamed.push({ name: ENTRY_EXPORTS.start, kind: 0x00, index: readU32({ bytes: start, pos: 0 }) });
    sections.splice(sections.findIndex((s) => s.id === SECTION.start), 1);
  }

  const hasMemory = vectorLength(sectionBody(sections, SECTION.memory)) > 0;
  if (hasMemory) renamed.push({ name: ENTRY_EXPORTS.memory, kind: 0x02, index: 0 });

  // An empty `() -> ()` function exported as `_initialize` (appended: no index moves).
  const typeBody = sectionBody(sections, SECTION.type);
  const voidType = vectorLength(typeBody);
  putSection(sections, SECTION.type, appendToVector(typeBody, [[0x60, 0x00, 0x00]]));
  const emptyFunction = importedFunctionCount(sections) + vectorLength(sectionBody(sections, SECTION.function));
  const typeIndex: number[] = [];
  writeUnsigned(voidType, typeIndex);
  putSection(sections, SECTION.function, appendToVector(sectionBody(sections, SECTION.function), [typeIndex]));
  putSection(sections, SECTION.code, appendToVector(sectionBody(sections, SECTION.code), [[0x02, 0x00, 0x0b]]));
  renamed.push({ name: '_initialize', kind: 0x00, index: emptyFunction });

  putSection(sections, SECTION.export, writeExports(renamed));
  routeWasiImports(sections, null);
  return writeModule(sections);
}
