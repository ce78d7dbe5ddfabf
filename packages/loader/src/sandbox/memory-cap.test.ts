import { compileWat } from '@diaryx/test-utils';
import { readSections, SECTION, writeModule } from '@diaryx/wasm';
import { describe, expect, it } from 'vitest';
import { capMemory, MemoryCapError } from './memory-cap.js';

async function memoryLimits(bytes: Uint8Array): Promise<{ initial: number; grownTo: number }> {
  // Grow one page at a time until memory.grow fails: the final size is the effective maximum.
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>);
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  const initial = memory.buffer.byteLength / 65536;
  (instance.exports['grow_all'] as () => void)();
  return { initial, grownTo: memory.buffer.byteLength / 65536 };
}

const TABLE_CAP = 1_000;

const growAll = `(func (export "grow_all") (block $done (loop $l (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $l))))`;

describe('capMemory', () => {
  it('gives a memory without a maximum the cap, and a grow loop stops there', async () => {
    const wasm = await compileWat(`(module (memory (export "memory") 2) ${growAll})`);
    expect(await memoryLimits(capMemory(wasm, { maxPages: 16, maxTableElements: TABLE_CAP }))).toEqual({ initial: 2, grownTo: 16 });
  });

  it('lowers a maximum above the cap and keeps one below it', async () => {
    const high = await compileWat(`(module (memory (export "memory") 1 1000) ${growAll})`);
    expect((await memoryLimits(capMemory(high, { maxPages: 8, maxTableElements: TABLE_CAP }))).grownTo).toBe(8);
    const low = await compileWat(`(module (memory (export "memory") 1 4) ${growAll})`);
    expect((await memoryLimits(capMemory(low, { maxPages: 8, maxTableElements: TABLE_CAP }))).grownTo).toBe(4);
  });

  it('re-encodes a section whose size changes (a small max becomes a longer LEB128)', async () => {
    const wasm = await compileWat(`(module (memory (export "memory") 1) (data (i32.const 0) "hello") ${growAll}
      (func (export "first") (result i32) (i32.load8_u (i32.const 0))))`);
    const capped = capMemory(wasm, { maxPages: 300, maxTableElements: TABLE_CAP });
    // The body gains a 2-byte maximum (300 as LEB128); the section size still fits in one byte.
    expect(capped.length).toBe(wasm.length + 2);
    const { instance } = await WebAssembly.instantiate(capped as Uint8Array<ArrayBuffer>);
    expect((instance.exports['first'] as () => number)()).toBe('h'.charCodeAt(0));
    expect((await memoryLimits(capped)).grownTo).toBe(300);
  });

  it('keeps the other sections byte for byte (names section, data, functions)', async () => {
    const wasm = await compileWat(`(module (memory (export "memory") 1 2) (data (i32.const 8) "x") ${growAll})`);
    const capped = capMemory(wasm, { maxPages: 2, maxTableElements: TABLE_CAP });
    expect(Buffer.from(capped).equals(Buffer.from(wasm))).toBe(true);
  });

  it('returns a module without memory unchanged', async () => {
    const wasm = await compileWat('(module (func (export "f")))');
    expect(capMemory(wasm, { maxPages: 1, maxTableElements: TABLE_CAP })).toBe(wasm);
  });

  it.each([
    ['min above the cap', '(module (memory 20))', 'min_exceeds_cap', 'raise the loader option maxMemoryPages'],
    ['imported memory', '(module (import "env" "memory" (memory 1)))', 'imported_memory', 'imports its memory'],
  ])('refuses %s', async (_label, wat, kind, fragment) => {
    const wasm = await compileWat(wat);
    const error = (() => {
      try {
        capMemory(wasm, { maxPages: 16, maxTableElements: TABLE_CAP });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MemoryCapError);
    expect(error).toMatchObject({ kind, message: expect.stringContaining(fragment) });
  });

  it('refuses bytes that are not wasm, and a truncated module', async () => {
    expect(() => capMemory(new TextEncoder().encode('hello world'), { maxPages: 16, maxTableElements: TABLE_CAP })).toThrow(expect.objectContaining({ kind: 'not_wasm' }));
    const wasm = await compileWat(`(module (memory 1) ${growAll})`);
    expect(() => capMemory(wasm.subarray(0, wasm.length - 3), { maxPages: 16, maxTableElements: TABLE_CAP })).toThrow(expect.objectContaining({ kind: 'truncated' }));
  });

  it('refuses a module with more than one memory (multi-memory): one memory budget per plugin', async () => {
    const wasm = await compileWat('(module (memory 1) (memory 1) (memory 1))', 'three.wat', { multi_memory: true });
    expect(() => capMemory(wasm, { maxPages: 16, maxTableElements: TABLE_CAP })).toThrow(
      expect.objectContaining({ kind: 'multiple_memories', message: expect.stringContaining('defines 3 memories; a plugin may have one') }),
    );
  });
});

/** Grows every table until table.grow fails; the final sizes are the effective maximums. */
async function tableLimits(bytes: Uint8Array, count: number): Promise<number[]> {
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>);
  (instance.exports['grow_all'] as () => void)();
  return Array.from({ length: count }, (_, t) => (instance.exports[`size${t}`] as () => number)());
}

/** A module with these tables (`min` or `min max`), a `grow_all` export and a `size<n>` export per table. */
function tablesWat(limits: readonly string[]): string {
  const tables = limits.map((l) => `(table ${l} funcref)`).join(' ');
  const grow = limits.map((_, t) => `(block $d${t} (loop $l${t} (br_if $d${t} (i32.eq (table.grow ${t} (ref.null func) (i32.const 7)) (i32.const -1))) (br $l${t})))
    (block $e${t} (loop $m${t} (br_if $e${t} (i32.eq (table.grow ${t} (ref.null func) (i32.const 1)) (i32.const -1))) (br $m${t})))`);
  const sizes = limits.map((_, t) => `(func (export "size${t}") (result i32) (table.size ${t}))`);
  return `(module ${tables} (func (export "grow_all") ${grow.join(' ')}) ${sizes.join(' ')})`;
}

const tables = (limits: readonly string[]) => compileWat(tablesWat(limits), 'tables.wat', { reference_types: true });

describe('capMemory: tables share maxTableElements', () => {
  it('gives a table without a maximum the cap, and table.grow stops there', async () => {
    expect(await tableLimits(capMemory(await tables(['3']), { maxPages: 1, maxTableElements: 500 }), 1)).toEqual([500]);
  });

  it('lowers a maximum above the cap and keeps one below it', async () => {
    expect(await tableLimits(capMemory(await tables(['1 100000']), { maxPages: 1, maxTableElements: 500 }), 1)).toEqual([500]);
    expect(await tableLimits(capMemory(await tables(['1 40']), { maxPages: 1, maxTableElements: 500 }), 1)).toEqual([40]);
  });

  it('splits what the minimums leave equally: four tables together never pass the cap', async () => {
    const sizes = await tableLimits(capMemory(await tables(['10', '20', '0', '100 120']), { maxPages: 1, maxTableElements: 1_000 }), 4);
    // 870 left after the minimums: 217 more each, the last one keeping its own lower maximum.
    expect(sizes).toEqual([227, 237, 217, 120]);
    expect(sizes.reduce((a, b) => a + b)).toBeLessThanOrEqual(1_000);
  });

  it('keeps every byte outside the table section', async () => {
    const wasm = await tables(['3']);
    const capped = capMemory(wasm, { maxPages: 1, maxTableElements: 500 });
    // (table 3 funcref) gains a maximum of 500, two bytes of LEB128; the other sections are the same bytes.
    expect(capped.length).toBe(wasm.length + 2);
    const others = (bytes: Uint8Array) => readSections(bytes).filter((s) => s.id !== SECTION.table).map((s) => Buffer.from(s.body).toString('hex'));
    expect(others(capped)).toEqual(others(wasm));
  });

  it.each([
    ['tables whose minimums pass the cap', () => tables(['300', '300']), 'min_exceeds_cap', 'at least 600 elements, more than the cap of 500; raise the loader option maxTableElements'],
    ['an imported table', () => compileWat('(module (import "env" "t" (table 1 funcref)))'), 'imported_table', 'imports a table'],
    // Written by hand: a table64 (limits flags 0x04) and a table with an initializer (0x40 0x00).
    ['a 64-bit table', async () => writeModule([{ id: 4, body: Uint8Array.of(1, 0x70, 0x04, 1) }]), 'unsupported_table', '64-bit'],
    ['a table with an initializer', async () => writeModule([{ id: 4, body: Uint8Array.of(1, 0x40, 0x00, 0x70, 0x00, 1, 0xd0, 0x70, 0x0b) }]), 'unsupported_table', 'initializer'],
    ['a truncated table section', async () => writeModule([{ id: 4, body: Uint8Array.of(2, 0x70, 0x00, 1) }]), 'truncated', 'truncated'],
  ])('refuses %s', async (_label, make, kind, fragment) => {
    const wasm = await make();
    expect(() => capMemory(wasm, { maxPages: 16, maxTableElements: 500 })).toThrow(expect.objectContaining({ kind, message: expect.stringContaining(fragment) }));
  });
});
