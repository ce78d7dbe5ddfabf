import { ByteWriter, importEntries, type Reader, readSections, readU32, replaceSectionBody, SECTION, type Section, WasmFormatError } from '@diaryx/wasm';

/** Why a module's memory could not be capped. */
export type MemoryCapErrorKind =
  | 'not_wasm'
  | 'truncated'
  | 'min_exceeds_cap'
  | 'imported_memory'
  | 'unsupported_memory'
  | 'multiple_memories'
  | 'imported_table'
  | 'unsupported_table';

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

/** A plugin's memory budget: its one linear memory, and the elements of all its tables together. */
export interface MemoryBudget {
  /** The most 64 KiB pages its memory may grow to. */
  maxPages: number;
  /** The most elements its tables may hold, all together. */
  maxTableElements: number;
}

const PAGE_MIB = 1 / 16;

function cappedMemorySection(body: Uint8Array, maxPages: number): Uint8Array {
  const r: Reader = { bytes: body, pos: 0 };
  const out = new ByteWriter(body.length + 8);
  const count = readU32(r);
  // Multi-memory: each memory would get its own cap, and the plugin several times its budget.
  if (count > 1) {
    throw new MemoryCapError(
      'multiple_memories',
      `the module defines ${count} memories; a plugin may have one (its memory budget is one memory of at most maxMemoryPages pages)`,
    );
  }
  out.unsigned(count);
  for (let i = 0; i < count; i++) {
    const flags = body[r.pos++];
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
    out.byte(0x01);
    out.unsigned(min);
    out.unsigned(Math.min(max, maxPages));
  }
  if (r.pos !== body.length) throw new MemoryCapError('not_wasm', 'the memory section has trailing bytes');
  return out.view();
}

/** One table of the table section: its element type's bytes (copied as they are) and limits. */
interface Table {
  elementType: Uint8Array;
  min: number;
  max: number;
}

function truncated(): MemoryCapError {
  return new MemoryCapError('truncated', 'the module is truncated (inside the table section)');
}

function readTable(body: Uint8Array, r: Reader, index: number): Table {
  const from = r.pos;
  if (r.pos + 2 > body.length) throw truncated();
  const first = body[r.pos++];
  if (first === 0x40) {
    throw new MemoryCapError('unsupported_table', `table ${index} has an initializer expression (typed function references), which the loader does not support`);
  }
  // (ref null? heaptype) takes a heap type after the prefix; the other reference types are one byte.
  if (first === 0x63 || first === 0x64) readSignedLeb(body, r);
  const elementType = body.subarray(from, r.pos);
  if (r.pos >= body.length) throw truncated();
  const flags = body[r.pos++];
  if (flags !== 0x00 && flags !== 0x01) {
    throw new MemoryCapError('unsupported_table', `table ${index} has limits flags 0x${(flags ?? 0).toString(16)} (a 64-bit or shared table), which the loader does not support`);
  }
  const min = readU32(r);
  const max = flags === 0x01 ? readU32(r) : Number.POSITIVE_INFINITY;
  return { elementType, min, max };
}

function readSignedLeb(body: Uint8Array, r: Reader): void {
  for (let length = 1; ; length++) {
    const byte = body[r.pos++];
    if (byte === undefined) throw truncated();
    if ((byte & 0x80) === 0) return;
    if (length === 5) throw new MemoryCapError('not_wasm', 'the module has a malformed table type');
  }
}

/**
 * The table section with every table's maximum lowered so that all of them together hold at most
 * `maxElements`: each keeps its minimum and gets an equal share of what the minimums leave.
 */
function cappedTableSection(body: Uint8Array, maxElements: number): Uint8Array {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  const tables: Table[] = [];
  let minimums = 0;
  for (let i = 0; i < count; i++) {
    const table = readTable(body, r, i);
    minimums += table.min;
    tables.push(table);
  }
  if (r.pos !== body.length) throw new MemoryCapError('not_wasm', 'the table section has trailing bytes');
  if (minimums > maxElements) {
    throw new MemoryCapError(
      'min_exceeds_cap',
      `the module's ${count === 1 ? 'table needs' : `${count} tables need`} at least ${minimums} elements, more than the cap of ` +
        `${maxElements}; raise the loader option maxTableElements to load it`,
    );
  }
  const share = count === 0 ? 0 : Math.floor((maxElements - minimums) / count);
  const out = new ByteWriter(body.length + count * 5 + 5);
  out.unsigned(count);
  for (const table of tables) {
    out.bytes(table.elementType);
    out.byte(0x01);
    out.unsigned(table.min);
    out.unsigned(Math.min(table.max, table.min + share));
  }
  return out.view();
}

/** The single section with this id, if any (a module may not repeat one). */
function onlySection(sections: readonly Section[], id: number, what: string): Section | undefined {
  const found = sections.filter((s) => s.id === id);
  if (found.length > 1) throw new MemoryCapError('not_wasm', `the module has more than one ${what} section`);
  return found[0];
}

function capped(bytes: Uint8Array, budget: MemoryBudget): Uint8Array {
  let sections = readSections(bytes);
  for (const section of sections) {
    if (section.id !== SECTION.import) continue;
    for (const entry of importEntries(section.body)) {
      if (entry.kind === 0x02) throw new MemoryCapError('imported_memory', 'the module imports its memory; plugins must define their own');
      if (entry.kind === 0x01) throw new MemoryCapError('imported_table', 'the module imports a table; plugins must define their own');
    }
  }
  let out = bytes;
  const tables = onlySection(sections, SECTION.table, 'table');
  if (tables) {
    out = replaceSectionBody(out, tables, cappedTableSection(tables.body, budget.maxTableElements));
    sections = readSections(out);
  }
  const memories = onlySection(sections, SECTION.memory, 'memory');
  if (memories) out = replaceSectionBody(out, memories, cappedMemorySection(memories.body, budget.maxPages));
  return out;
}

/**
 * Rewrites a module so that it stays within its memory budget: its one linear memory can never
 * grow past `budget.maxPages` (64 KiB each; Extism's own memory option caps only host-side blocks,
 * not the guest's `memory.grow`), and its tables together never past `budget.maxTableElements`
 * (each table's maximum is lowered; `table.grow` fails past it). Every byte outside the memory and
 * table sections is copied unchanged; a module with neither is returned as is.
 * @throws MemoryCapError for input that is not wasm, is truncated, imports its memory or a table,
 * has more than one memory, or needs more than the budget to start
 */
export function capMemory(bytes: Uint8Array, budget: MemoryBudget): Uint8Array {
  try {
    return capped(bytes, budget);
  } catch (error) {
    if (!(error instanceof WasmFormatError)) throw error;
    throw new MemoryCapError(error.kind === 'truncated' ? 'truncated' : 'not_wasm', error.message);
  }
}
