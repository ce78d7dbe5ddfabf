import { ByteWriter } from './byte-writer.js';
import { type Reader, readName, readUnsigned, writeName } from './leb128.js';
import type { Section } from './module.js';

// The metering rewrite's name section: the module name and the function names kept (renumbered,
// the bytes of each name copied as they are), the functions it adds named; other subsections,
// keyed by function index, are dropped.

const NAME = Uint8Array.of(0x6e, 0x61, 0x6d, 0x65);

/** Whether a custom section is the name section (its name compared as bytes, not decoded). */
export function isNameSection(section: Section): boolean {
  if (section.id !== 0) return false;
  const r: Reader = { bytes: section.body, pos: 0 };
  try {
    if (readUnsigned(r) !== NAME.length || r.pos + NAME.length > r.bytes.length) return false;
  } catch {
    return false;
  }
  return NAME.every((byte, i) => r.bytes[r.pos + i] === byte);
}

/**
 * The function names of a name section: where each function's name (its length, then its UTF-8
 * bytes) sits in `body`, by function index (-1: no name). Kept as positions, not decoded or
 * copied (a million names read into objects took hundreds of milliseconds).
 */
export interface FunctionNames {
  body: Uint8Array;
  at: Int32Array;
}

const NO_NAMES: FunctionNames = { body: new Uint8Array(0), at: new Int32Array(0) };

/**
 * The function names of the module's first name section, for the `functionCount` functions it
 * has. A name section that cannot be read, or names a function the module does not have, only
 * costs names (in messages and in the rewrite).
 */
export function readFunctionNames(sections: readonly Section[], functionCount: number): FunctionNames {
  const section = sections.find(isNameSection);
  if (!section) return NO_NAMES;
  const body = section.body;
  const at = new Int32Array(functionCount).fill(-1);
  try {
    const r: Reader = { bytes: body, pos: 0 };
    readName(r);
    while (r.pos < body.length) {
      const sub = body[r.pos++]!;
      const size = readUnsigned(r);
      const end = r.pos + size;
      if (sub === 1) {
        const n = readUnsigned(r);
        for (let i = 0; i < n; i++) {
          const index = readUnsigned(r);
          if (index >= functionCount) return NO_NAMES;
          at[index] = r.pos;
          const length = readUnsigned(r);
          r.pos += length;
        }
        if (r.pos > end) return NO_NAMES;
      }
      r.pos = end;
    }
  } catch {
    return NO_NAMES;
  }
  return { body, at };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A function's name for a message, when the name section has a readable one. */
export function functionName(names: FunctionNames, index: number): string | undefined {
  const from = names.at[index] ?? -1;
  if (from < 0) return undefined;
  const r: Reader = { bytes: names.body, pos: from };
  try {
    const length = readUnsigned(r);
    return utf8.decode(names.body.subarray(r.pos, r.pos + length));
  } catch {
    return undefined;
  }
}

const NAME_SECTION_NAME = (() => {
  const out: number[] = [];
  writeName('name', out);
  return Uint8Array.from(out);
})();

/** How the rewrite renumbered and added functions, for their names. */
export interface RenamedFunctions {
  /** Functions imported before the added imports. */
  importedFunctions: number;
  /** The names of the imports the rewrite adds, in order, at `importedFunctions` and up. */
  addedImports: readonly Uint8Array[];
  /** The functions the rewrite appends, by their new index (after every defined function). */
  appended: ReadonlyArray<readonly [number, Uint8Array]>;
}

/** The name section `original` rewritten for the renumbered functions (see the file comment). */
export function rewriteNameSection(names: FunctionNames, renamed: RenamedFunctions, original: Uint8Array): Uint8Array {
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
      out.range(original, r.pos, r.pos + size);
    }
    r.pos += size;
  }
  const { importedFunctions, addedImports, appended } = renamed;
  let named = 0;
  for (const from of names.at) if (from >= 0) named++;
  const map = new ByteWriter(original.length + 64);
  map.unsigned(named + addedImports.length + appended.length);
  const entry = (index: number, name: Uint8Array) => {
    map.unsigned(index);
    map.unsigned(name.length);
    map.bytes(name);
  };
  const copied = (index: number, from: number) => {
    map.unsigned(index);
    const n: Reader = { bytes: names.body, pos: from };
    const length = readUnsigned(n);
    map.range(names.body, from, n.pos + length);
  };
  // Names go sorted by index (the format requires it): the module's imports', the added
  // imports', the module's functions' (moved up), then the appended functions'.
  const { at } = names;
  for (let index = 0; index < Math.min(importedFunctions, at.length); index++) if (at[index]! >= 0) copied(index, at[index]!);
  addedImports.forEach((name, i) => entry(importedFunctions + i, name));
  for (let index = importedFunctions; index < at.length; index++) if (at[index]! >= 0) copied(index + addedImports.length, at[index]!);
  for (const [index, name] of appended) entry(index, name);
  out.byte(1);
  out.unsigned(map.length);
  out.bytes(map.view());
  return out.view().slice();
}
