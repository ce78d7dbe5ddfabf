import { compileWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { WasmFormatError } from './format-error.js';
import { readU32 } from './leb128.js';
import {
  appendToVector,
  functionTypeAt,
  functionTypeOffsets,
  hasExportNamed,
  importEntries,
  isNoParamsToI32,
  MAX_SECTIONS,
  readExports,
  putSection,
  readFunctionTypes,
  readSections,
  renumberExports,
  replaceSectionBody,
  SECTION,
  sectionBody,
  vectorLength,
  writeModule,
} from './module.js';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('module reader and writer', () => {
  it('reads imports, function types and vectors of a compiled module', async () => {
    const wasm = await compileWat(`(module
      (import "env" "f" (func (param i32) (result i64)))
      (import "env" "g" (global i32))
      (import "env" "t" (table 1 2 funcref))
      (func (export "a") (result i32) (i32.const 0)))`);
    const sections = readSections(wasm);
    expect([...importEntries(sectionBody(sections, SECTION.import)!)]).toEqual([
      { module: 'env', name: 'f', kind: 0, typeIndex: 0, valueType: null, limitsFlags: null, descriptor: Uint8Array.of(0, 0) },
      { module: 'env', name: 'g', kind: 3, typeIndex: null, valueType: 0x7f, limitsFlags: null, descriptor: Uint8Array.of(3, 0x7f, 0) },
      { module: 'env', name: 't', kind: 1, typeIndex: null, valueType: 0x70, limitsFlags: 1, descriptor: Uint8Array.of(1, 0x70, 1, 1, 2) },
    ]);
    expect(readFunctionTypes(sectionBody(sections, SECTION.type)!)).toEqual([
      { params: [0x7f], results: [0x7e] },
      { params: [], results: [0x7f] },
    ]);
    expect(vectorLength(sectionBody(sections, SECTION.function))).toBe(1);
    expect(vectorLength(sectionBody(sections, SECTION.global))).toBe(0);
  });

  it('appends to a vector section and inserts a missing section where the format orders it', async () => {
    const wasm = await compileWat('(module (func (export "a") (result i32) (global.get 0)) (global i32 (i32.const 7)))');
    const sections = readSections(wasm);
    putSection(sections, SECTION.global, appendToVector(sectionBody(sections, SECTION.global), [[0x7f, 0x00, 0x41, 0x09, 0x0b]]));
    putSection(sections, SECTION.memory, Uint8Array.of(1, 0x00, 1));
    expect(sections.map((s) => s.id).filter((id) => id !== 0)).toEqual([1, 3, 5, 6, 7, 10]);
    const rewritten = writeModule(sections);
    expect(vectorLength(sectionBody(readSections(rewritten), SECTION.global))).toBe(2);
    const { instance } = await WebAssembly.instantiate(rewritten as Uint8Array<ArrayBuffer>);
    expect((instance.exports['a'] as () => number)()).toBe(7);
  });

  it('replaces one section body and keeps every other byte, a padded section size included', async () => {
    const wasm = await compileWat('(module (memory 1) (func (export "f")))');
    // Re-encode the type section's size as a padded 5-byte LEB128, as some linkers write it.
    const padded = Uint8Array.from([...wasm.subarray(0, 9), 0x84, 0x80, 0x80, 0x80, 0x00, ...wasm.subarray(10)]);
    expect(wasm[9]).toBe(4);
    const sections = readSections(padded);
    const memory = sections.find((s) => s.id === SECTION.memory)!;
    const out = replaceSectionBody(padded, memory, Uint8Array.of(1, 0x01, 1, 3));
    const at = memory.body.byteOffset - 2;
    expect(Buffer.from(out.subarray(0, at)).equals(Buffer.from(padded.subarray(0, at)))).toBe(true);
    expect([...out.subarray(at, at + 6)]).toEqual([SECTION.memory, 4, 1, 0x01, 1, 3]);
    expect(Buffer.from(out.subarray(at + 6)).equals(Buffer.from(padded.subarray(at + 5)))).toBe(true);
    expect(WebAssembly.validate(out as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it.each([
    ['not wasm', () => readSections(new TextEncoder().encode('hello world')), 'not_wasm'],
    ['a section past the end', () => readSections(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 9, 0)), 'truncated'],
    ['a u32 of 6 bytes', () => readU32({ bytes: Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), pos: 0 }), 'malformed'],
    ['a name that is not UTF-8', () => [...importEntries(Uint8Array.of(1, 1, 0xff, 1, 0x61, 0, 0))], 'malformed'],
    ['an unknown import kind', () => [...importEntries(Uint8Array.of(1, 1, 0x61, 1, 0x62, 9))], 'unsupported'],
    ['a GC type form', () => readFunctionTypes(Uint8Array.of(1, 0x4e, 0)), 'unsupported'],
    ['a type count past the section', () => functionTypeOffsets(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f)), 'truncated'],
    ['an export past the section', () => renumberExports(Uint8Array.of(1, 9, 0x61), (_, i) => i), 'truncated'],
    [
      `more than ${MAX_SECTIONS} sections`,
      () => readSections(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...Array.from({ length: MAX_SECTIONS + 1 }, () => [0, 1, 0]).flat()])),
      'unsupported',
    ],
  ])('refuses %s with a WasmFormatError of its kind', (_label, run, kind) => {
    const error = refusal(run);
    expect(error).toBeInstanceOf(WasmFormatError);
    expect(error).toMatchObject({ kind });
  });

  it('reads function types in place: offsets, one type, and the () -> i32 test, padded counts included', () => {
    // (i32) -> (i64); () -> (i32) with padded counts; () -> ()
    const body = Uint8Array.of(3, 0x60, 1, 0x7f, 1, 0x7e, 0x60, 0x80, 0x00, 0x81, 0x00, 0x7f, 0x60, 0, 0);
    const offsets = functionTypeOffsets(body);
    expect([...offsets]).toEqual([1, 6, 12]);
    expect(functionTypeAt(body, offsets[0]!)).toEqual({ params: [0x7f], results: [0x7e] });
    expect([...offsets].map((o) => isNoParamsToI32(body, o))).toEqual([false, true, false]);
    expect(readFunctionTypes(body)).toEqual([
      { params: [0x7f], results: [0x7e] },
      { params: [], results: [0x7f] },
      { params: [], results: [] },
    ]);
  });

  it('renumbers exports copying names as bytes, appends entries, and finds a name without decoding', async () => {
    const wasm = await compileWat('(module (func $a) (func $b) (memory 1) (export "a" (func $a)) (export "mem" (memory 0)) (export "b\\c3\\a9" (func $b)))');
    const body = sectionBody(readSections(wasm), SECTION.export)!;
    const out = renumberExports(body, (kind, index) => (kind === 0 ? index + 10 : index), [{ name: new TextEncoder().encode('new'), kind: 3, index: 4 }]);
    expect(readExports(out)).toEqual([
      { name: 'a', kind: 0, index: 10 },
      { name: 'mem', kind: 2, index: 0 },
      { name: 'b\u{e9}', kind: 0, index: 11 },
      { name: 'new', kind: 3, index: 4 },
    ]);
    expect(hasExportNamed(body, 'b\u{e9}')).toBe(true);
    expect(hasExportNamed(body, 'me')).toBe(false);
  });
});
