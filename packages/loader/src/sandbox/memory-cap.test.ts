import { compileWat } from '@diaryx/test-utils';
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

const growAll = `(func (export "grow_all") (block $done (loop $l (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $l))))`;

describe('capMemory', () => {
  it('gives a memory without a maximum the cap, and a grow loop stops there', async () => {
    const wasm = await compileWat(`(module (memory (export "memory") 2) ${growAll})`);
    expect(await memoryLimits(capMemory(wasm, 16))).toEqual({ initial: 2, grownTo: 16 });
  });

  it('lowers a maximum above the cap and keeps one below it', async () => {
    const high = await compileWat(`(module (memory (export "memory") 1 1000) ${growAll})`);
    expect((await memoryLimits(capMemory(high, 8))).grownTo).toBe(8);
    const low = await compileWat(`(module (memory (export "memory") 1 4) ${growAll})`);
    expect((await memoryLimits(capMemory(low, 8))).grownTo).toBe(4);
  });

  it('re-encodes a section whose size changes (a small max becomes a longer LEB128)', async () => {
    const wasm = await compileWat(`(module (memory (export "memory") 1) (data (i32.const 0) "hello") ${growAll}
      (func (export "first") (result i32) (i32.load8_u (i32.const 0))))`);
    const capped = capMemory(wasm, 300);
    // The body gains a 2-byte maximum (300 as LEB128); the section size still fits in one byte.
    expect(capped.length).toBe(wasm.length + 2);
    const { instance } = await WebAssembly.instantiate(capped as Uint8Array<ArrayBuffer>);
    expect((instance.exports['first'] as () => number)()).toBe('h'.charCodeAt(0));
    expect((await memoryLimits(capped)).grownTo).toBe(300);
  });

  it('keeps the other sections byte for byte (names section, data, functions)', async () => {
    const wasm = await compileWat(`(module (memory (export "memory") 1 2) (data (i32.const 8) "x") ${growAll})`);
    const capped = capMemory(wasm, 2);
    expect(Buffer.from(capped).equals(Buffer.from(wasm))).toBe(true);
  });

  it('returns a module without memory unchanged', async () => {
    const wasm = await compileWat('(module (func (export "f")))');
    expect(capMemory(wasm, 1)).toBe(wasm);
  });

  it.each([
    ['min above the cap', '(module (memory 20))', 'min_exceeds_cap', 'raise the loader option maxMemoryPages'],
    ['imported memory', '(module (import "env" "memory" (memory 1)))', 'imported_memory', 'imports its memory'],
  ])('refuses %s', async (_label, wat, kind, fragment) => {
    const wasm = await compileWat(wat);
    const error = (() => {
      try {
        capMemory(wasm, 16);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MemoryCapError);
    expect(error).toMatchObject({ kind, message: expect.stringContaining(fragment) });
  });

  it('refuses bytes that are not wasm, and a truncated module', async () => {
    expect(() => capMemory(new TextEncoder().encode('hello world'), 16)).toThrow(expect.objectContaining({ kind: 'not_wasm' }));
    const wasm = await compileWat(`(module (memory 1) ${growAll})`);
    expect(() => capMemory(wasm.subarray(0, wasm.length - 3), 16)).toThrow(expect.objectContaining({ kind: 'truncated' }));
  });
});
