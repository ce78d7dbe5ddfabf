// Extism counts an export's i32 result as its status: 0 is success, anything else a failure
// (with the text the guest gave `error_set`, if any). @extism/extism 2.0.0-rc13 drops that result
// in both modes, so the loader rewrites the module: each exported `() -> i32` function is reached
// through a wrapper that keeps the result in an exported global, which the runtime reads after the
// call (in-process) or tests with a tiny export that traps when it is not 0 (worker mode, where
// the instance lives in the worker). Every other byte of the module is copied unchanged.

/** The global holding the status of the last export call. @internal */
export const STATUS_GLOBAL = '__diaryx_export_status';
/** An export that traps when the last status is not 0 (read in worker mode). @internal */
export const STATUS_CHECK_EXPORT = '__diaryx_export_status_check';

/** True for the names the rewrite adds (not the plugin's own exports). */
export function isStatusExport(name: string): boolean {
  return name === STATUS_GLOBAL || name === STATUS_CHECK_EXPORT;
}

interface Section {
  id: number;
  body: Uint8Array;
}

interface Reader {
  bytes: Uint8Array;
  pos: number;
}

class Unsupported extends Error {}

function readU32(r: Reader): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (r.pos >= r.bytes.length) throw new Unsupported('truncated');
    const byte = r.bytes[r.pos++]!;
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7;
    if (shift > 35) throw new Unsupported('bad LEB128');
  }
}

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function readName(r: Reader): string {
  const length = readU32(r);
  const name = new TextDecoder().decode(r.bytes.subarray(r.pos, r.pos + length));
  r.pos += length;
  return name;
}

const NUM_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

/** Which types are `() -> i32`; any type form beyond plain MVP function types → Unsupported. */
function readTypes(body: Uint8Array): { count: number; statusTypes: Set<number> } {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  const statusTypes = new Set<number>();
  for (let i = 0; i < count; i++) {
    if (body[r.pos++] !== 0x60) throw new Unsupported('type form');
    const params = readU32(r);
    for (let p = 0; p < params; p++) if (!NUM_TYPES.has(body[r.pos++]!)) throw new Unsupported('value type');
    const results = readU32(r);
    const resultTypes: number[] = [];
    for (let p = 0; p < results; p++) {
      const t = body[r.pos++]!;
      if (!NUM_TYPES.has(t)) throw new Unsupported('value type');
      resultTypes.push(t);
    }
    if (params === 0 && results === 1 && resultTypes[0] === 0x7f) statusTypes.add(i);
  }
  return { count, statusTypes };
}

function skipLimits(r: Reader): void {
  const flags = r.bytes[r.pos++]!;
  readU32(r);
  if (flags & 1) readU32(r);
}

/** The type index of each imported function, and the number of imported globals. */
function readImports(body: Uint8Array): { funcTypes: number[]; globals: number } {
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  const funcTypes: number[] = [];
  let globals = 0;
  for (let i = 0; i < count; i++) {
    readName(r);
    readName(r);
    const kind = body[r.pos++];
    if (kind === 0x00) funcTypes.push(readU32(r));
    else if (kind === 0x01) {
      r.pos++;
      skipLimits(r);
    } else if (kind === 0x02) skipLimits(r);
    else if (kind === 0x03) {
      r.pos += 2;
      globals++;
    } else throw new Unsupported('import kind');
  }
  return { funcTypes, globals };
}

function readVector(body: Uint8Array | undefined, item: (r: Reader) => void): void {
  if (!body) return;
  const r: Reader = { bytes: body, pos: 0 };
  const count = readU32(r);
  for (let i = 0; i < count; i++) item(r);
}

/** A vector section with `extra` entries appended (each already encoded). */
function appended(body: Uint8Array | undefined, extra: number[][]): Uint8Array {
  let count = 0;
  let rest: Uint8Array = new Uint8Array(0);
  if (body) {
    const r: Reader = { bytes: body, pos: 0 };
    count = readU32(r);
    rest = body.subarray(r.pos);
  }
  return Uint8Array.from([...u32(count + extra.length), ...rest, ...extra.flat()]);
}

// Section order of the binary format (custom sections, id 0, may sit anywhere).
const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

function setSection(sections: Section[], id: number, body: Uint8Array): void {
  const existing = sections.find((s) => s.id === id);
  if (existing) {
    existing.body = body;
    return;
  }
  const rank = ORDER.indexOf(id);
  const at = sections.findIndex((s) => s.id !== 0 && ORDER.indexOf(s.id) > rank);
  sections.splice(at === -1 ? sections.length : at, 0, { id, body });
}

function parseSections(bytes: Uint8Array): Section[] {
  const r: Reader = { bytes, pos: 8 };
  const sections: Section[] = [];
  while (r.pos < bytes.length) {
    const id = bytes[r.pos++]!;
    const size = readU32(r);
    if (r.pos + size > bytes.length) throw new Unsupported('truncated');
    sections.push({ id, body: bytes.subarray(r.pos, r.pos + size) });
    r.pos += size;
  }
  return sections;
}

function serialize(header: Uint8Array, sections: Section[]): Uint8Array {
  const parts: Uint8Array[] = [header];
  for (const s of sections) parts.push(Uint8Array.from([s.id, ...u32(s.body.length)]), s.body);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function encodeName(name: string): number[] {
  const bytes = new TextEncoder().encode(name);
  return [...u32(bytes.length), ...bytes];
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
    if (error instanceof Unsupported) return bytes;
    throw error;
  }
}

function rewrite(bytes: Uint8Array): Uint8Array {
  const sections = parseSections(bytes);
  const body = (id: number) => sections.find((s) => s.id === id)?.body;
  const typeBody = body(1);
  const exportBody = body(7);
  if (!typeBody || !exportBody) return bytes;
  const types = readTypes(typeBody);
  const imports = body(2) ? readImports(body(2)!) : { funcTypes: [], globals: 0 };
  const definedTypes: number[] = [];
  readVector(body(3), (r) => definedTypes.push(readU32(r)));
  return rewriteWith(sections, bytes, types, imports, definedTypes, exportBody);
}

function countVector(body: Uint8Array | undefined): number {
  if (!body) return 0;
  return readU32({ bytes: body, pos: 0 });
}

function rewriteWith(
  sections: Section[],
  bytes: Uint8Array,
  types: { count: number; statusTypes: Set<number> },
  imports: { funcTypes: number[]; globals: number },
  definedTypes: number[],
  exportBody: Uint8Array,
): Uint8Array {
  const funcType = (index: number) =>
    index < imports.funcTypes.length ? imports.funcTypes[index] : definedTypes[index - imports.funcTypes.length];
  const firstNewFunc = imports.funcTypes.length + definedTypes.length;
  const statusGlobal = imports.globals + countVector(sections.find((s) => s.id === 6)?.body);

  // Exports: each `() -> i32` function goes through a wrapper; the rest are copied.
  const r: Reader = { bytes: exportBody, pos: 0 };
  const count = readU32(r);
  const wrapped: number[] = [];
  const entries: number[][] = [];
  for (let i = 0; i < count; i++) {
    const name = readName(r);
    if (isStatusExport(name)) return bytes;
    const kind = exportBody[r.pos++]!;
    const index = readU32(r);
    let target = index;
    if (kind === 0x00 && types.statusTypes.has(funcType(index) ?? -1)) {
      let at = wrapped.indexOf(index);
      if (at === -1) at = wrapped.push(index) - 1;
      target = firstNewFunc + at;
    }
    entries.push([...encodeName(name), kind, ...u32(target)]);
  }
  if (wrapped.length === 0) return bytes;
  const checkFunc = firstNewFunc + wrapped.length;
  entries.push([...encodeName(STATUS_GLOBAL), 0x03, ...u32(statusGlobal)]);
  entries.push([...encodeName(STATUS_CHECK_EXPORT), 0x00, ...u32(checkFunc)]);

  const statusType = types.count;
  const voidType = types.count + 1;
  setSection(sections, 1, appended(sections.find((s) => s.id === 1)?.body, [[0x60, 0x00, 0x01, 0x7f], [0x60, 0x00, 0x00]]));
  setSection(
    sections,
    3,
    appended(sections.find((s) => s.id === 3)?.body, [...wrapped.map(() => u32(statusType)), u32(voidType)]),
  );
  // (mut i32) = 0
  setSection(sections, 6, appended(sections.find((s) => s.id === 6)?.body, [[0x7f, 0x01, 0x41, 0x00, 0x0b]]));
  setSection(sections, 7, Uint8Array.from([...u32(entries.length), ...entries.flat()]));
  const g = u32(statusGlobal);
  const bodies = wrapped.map((original) => {
    // one i32 local; call original; local.tee 0; global.set; local.get 0; end
    const code = [0x01, 0x01, 0x7f, 0x10, ...u32(original), 0x22, 0x00, 0x24, ...g, 0x20, 0x00, 0x0b];
    return [...u32(code.length), ...code];
  });
  // no locals; global.get; if; unreachable; end; end
  const check = [0x00, 0x23, ...g, 0x04, 0x40, 0x00, 0x0b, 0x0b];
  bodies.push([...u32(check.length), ...check]);
  setSection(sections, 10, appended(sections.find((s) => s.id === 10)?.body, bodies));
  return serialize(bytes.subarray(0, 8), sections);
}
