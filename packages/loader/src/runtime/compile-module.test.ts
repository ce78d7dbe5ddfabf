import { writeModule } from '@diaryx/wasm';
import { describe, expect, it } from 'vitest';
import { compileCapped, meterRefusal } from './compile-module.js';

// V8 refuses a function body over 7,654,321 bytes. One just under it is valid as written; the
// fuel check metering adds at its entry pushes it over. Mode 'auto' must see that as "cannot
// be metered" (and use a worker), not as a module that cannot load at all.
const V8_MAX_FUNCTION_SIZE = 7_654_321;
const BUDGET = { maxModuleBytes: 16 * 1024 * 1024, maxTableElements: 1_000_000 };

function moduleWithOneFunctionOf(size: number): Uint8Array {
  // body: no locals (1 byte), nops, end (1 byte)
  const body = new Uint8Array(size);
  body.fill(0x01);
  body[0] = 0x00;
  body[size - 1] = 0x0b;
  const sizeLeb: number[] = [];
  for (let v = size; ; ) {
    const byte = v & 0x7f;
    v >>>= 7;
    sizeLeb.push(v ? byte | 0x80 : byte);
    if (!v) break;
  }
  const code = new Uint8Array(1 + sizeLeb.length + size);
  code[0] = 1;
  code.set(sizeLeb, 1);
  code.set(body, 1 + sizeLeb.length);
  return writeModule([
    { id: 1, body: Uint8Array.of(1, 0x60, 0, 0) },
    { id: 3, body: Uint8Array.of(1, 0) },
    { id: 5, body: Uint8Array.of(1, 0, 1) },
    { id: 10, body: code },
  ]);
}

describe('compileCapped', () => {
  it('reports a module the checks push past an engine limit as one that cannot be metered', async () => {
    const bytes = moduleWithOneFunctionOf(V8_MAX_FUNCTION_SIZE - 4);
    expect(WebAssembly.validate(bytes as BufferSource)).toBe(true);
    await expect(compileCapped(bytes, 16, false, BUDGET)).resolves.toBeInstanceOf(WebAssembly.Module);
    const error = await compileCapped(bytes, 16, true, BUDGET).then(
      () => null,
      (e: unknown) => e,
    );
    expect(meterRefusal(error)).toMatchObject({ kind: 'unsupported_feature', message: expect.stringContaining('exceeds a limit of this engine') });
  });
});
