import { ByteWriter } from './byte-writer.js';
import { type Reader, readName, readUnsigned, writeName } from './leb128.js';
import type { Section } from './module.js';

// The metering rewrite's name section: the module name and the function names kept (renumbered,
// the bytes of each name copied as they are), the functions it adds named; other subsections,
// keyed by function index, are dropped.

/** Whether a custom section is the name section. */
export function isNameSection(section: Section): boolean {
  if (section.id !== 0) return false;
  try {
    return readName({ bytes: section.body, pos: 0 }) === 'name';
  } catch {
    return false;
  }
}

/** Function names by index, as their UTF-8 bytes (decoded only for a message). */
export function readFunctionNames(sections: readonly Section[]): Map<number, Uint8Array> {
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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A function's name for a message, when the name section has a readable one. */
export function functionName(names: ReadonlyMap<number, Uint8Array>, index: number): string | undefined {
  const bytes = names.get(index);
  if (!bytes) return undefined;
  try {
    return utf8.decode(bytes);
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
export function rewriteNameSection(names: ReadonlyMap<number, Uint8Array>, renamed: RenamedFunctions, original: Uint8Array): Uint8Array {
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
  const { importedFunctions, addedImports, appended } = renamed;
  const map = new ByteWriter(original.length + 64);
  map.unsigned(names.size + addedImports.length + appended.length);
  const entry = (index: number, name: Uint8Array) => {
    map.unsigned(index);
    map.unsigned(name.length);
    map.bytes(name);
  };
  const nameAdded = () => addedImports.forEach((name, i) => entry(importedFunctions + i, name));
  // Names come sorted by index (the format requires it); the added imports slot in among them.
  let addedNamed = false;
  for (const [index, name] of names) {
    if (!addedNamed && index >= importedFunctions) {
      nameAdded();
      addedNamed = true;
    }
    entry(index < importedFunctions ? index : index + addedImports.length, name);
  }
  if (!addedNamed) nameAdded();
  for (const [index, name] of appended) entry(index, name);
  out.byte(1);
  out.unsigned(map.length);
  out.bytes(map.view());
  return out.view().slice();
}
