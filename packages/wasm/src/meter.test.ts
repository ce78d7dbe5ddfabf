import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileWat } from '@diaryx/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METER_IMPORT, MeterError, type MeterOptions, meterModule, meterModuleInSlices } from './meter.js';
import { readSections, writeModule } from './module.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const builtModules = [
  'examples/daily/build/plugin.wasm',
  'examples/webhook/build/plugin.wasm',
  'examples/word-count/build/plugin.wasm',
  'examples/word-count-ts/build/plugin.wasm',
  'packages/js-runtime/dist/runtime.wasm',
];

/** Instantiates a metered module whose meter hands out `refill` fuel, counting the refills. */
async function instantiateMetered(bytes: Uint8Array, imports: WebAssembly.Imports = {}, refill = 1e9, options: MeterOptions = {}) {
  const meter = { refills: 0 };
  const instance = await WebAssembly.instantiate(new WebAssembly.Module(meterModule(bytes, options).bytes), {
    ...imports,
    [METER_IMPORT.module]: {
      [METER_IMPORT.name]: () => {
        meter.refills++;
        return refill;
      },
    },
  });
  return { exports: instance.exports as Record<string, (...args: number[]) => number>, meter };
}

describe('meterModule on the kit’s real modules', () => {
  it.each(builtModules)('%s: validates, keeps its exports and imports, adds only the meter', (path) => {
    const original = new Uint8Array(readFileSync(root + path));
    const metered = meterModule(original);
    expect(WebAssembly.validate(metered.bytes)).toBe(true);
    expect(metered.checks).toBeGreaterThan(0);
    const before = new WebAssembly.Module(original as BufferSource);
    const after = new WebAssembly.Module(metered.bytes);
    expect(WebAssembly.Module.exports(after)).toEqual(WebAssembly.Module.exports(before));
    expect(WebAssembly.Module.imports(after)).toEqual([
      ...WebAssembly.Module.imports(before),
      { module: METER_IMPORT.module, name: METER_IMPORT.name, kind: 'function' },
    ]);
  });
});

describe('meterModuleInSlices', () => {
  // The app's thread gets a turn between slices: a quarter MiB of code or a few thousand entries.
  it('rewrites the same bytes as meterModule, pausing between slices, and two rewrites may interleave', async () => {
    const large = new Uint8Array(readFileSync(`${root}examples/word-count-ts/build/plugin.wasm`));
    const other = new Uint8Array(readFileSync(`${root}packages/js-runtime/dist/runtime.wasm`));
    let pauses = 0;
    const pause = () => new Promise<void>((resolve) => setImmediate(() => (pauses++, resolve())));
    const [a, b] = await Promise.all([meterModuleInSlices(large, { pause, sliceMs: 0 }), meterModuleInSlices(other, { pause, sliceMs: 0 })]);
    expect(Buffer.from(a.bytes).equals(Buffer.from(meterModule(large).bytes))).toBe(true);
    expect(Buffer.from(b.bytes).equals(Buffer.from(meterModule(other).bytes))).toBe(true);
    // Each code section (~600 KB) takes three slices at least, besides the other passes.
    expect(pauses).toBeGreaterThanOrEqual(6);
  });

  it('a pause that throws ends the rewrite; the next rewrite gives the same bytes as meterModule', async () => {
    const large = new Uint8Array(readFileSync(`${root}examples/word-count-ts/build/plugin.wasm`));
    const pause = () => Promise.reject(new Error('the app is closing'));
    await expect(meterModuleInSlices(large, { pause, sliceMs: 0 })).rejects.toThrow('the app is closing');
    const again = await meterModuleInSlices(large, { pause: () => Promise.resolve(), sliceMs: 0 });
    expect(Buffer.from(again.bytes).equals(Buffer.from(meterModule(large).bytes))).toBe(true);
  });

  it('refuses what meterModule refuses', async () => {
    const pause = () => Promise.resolve();
    await expect(meterModuleInSlices(new TextEncoder().encode('not wasm'), { pause })).rejects.toBeInstanceOf(MeterError);
  });
});

// Calls, a table with call_indirect, ref.func in a global initializer, a start function,
// deep recursion and loops: the rewrite renumbers every function reference.
const behaviourWat = `(module
  (import "env" "log" (func $log (param i32)))
  (type $unary (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $double $fib $sum_to)
  (elem declare func $double)
  (global $started (mut i32) (i32.const 0))
  (global $f funcref (ref.func $double))
  (memory 1)
  (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  (func $fib (type $unary)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $sum_to (type $unary) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set $acc (i32.add (local.get $acc) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func $start (global.set $started (i32.const 7)) (call $log (i32.const 1)))
  (start $start)
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $unary) (local.get 1) (local.get 0)))
  (func (export "started") (result i32) (global.get $started))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0)))
  (func (export "sum_to") (param i32) (result i32) (call $sum_to (local.get 0)))
  (func (export "is_double") (result i32) (ref.is_null (global.get $f)))
  (func (export "simd") (param i32) (result i32)
    (i32x4.extract_lane 2 (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4))))
  (func (export "bulk") (param i32) (result i32)
    (memory.fill (i32.const 0) (local.get 0) (i32.const 16))
    (memory.copy (i32.const 100) (i32.const 0) (i32.const 16))
    (i32.load8_u (i32.const 110)))
  (func (export "sat") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
  (func (export "sext") (param i32) (result i32) (i32.extend8_s (local.get 0)))
  (func (export "multi") (param i32) (result i32)
    (block (result i32 i32) (local.get 0) (i32.const 3)) (i32.mul))
  (func (export "select_ref") (param i32) (result i32)
    (ref.is_null (select (result funcref) (ref.null func) (ref.func $double) (local.get 0))))
)`;

const features = { simd: true, multi_value: true, reference_types: true, sat_float_to_int: true, sign_extension: true };

describe('meterModule keeps behaviour', () => {
  it('renumbers calls, tables, ref.func, start; runs SIMD, bulk memory, saturating, sign-extension, multi-value', async () => {
    const bytes = await compileWat(behaviourWat, 'behaviour.wat', features);
    const logs: number[] = [];
    const env = { env: { log: (n: number) => logs.push(n) } };
    const plain = (await WebAssembly.instantiate(bytes as BufferSource, env)).instance.exports as Record<string, (...a: number[]) => number>;
    const { exports: metered, meter } = await instantiateMetered(bytes, env, 10);
    expect(logs).toEqual([1, 1]);
    const calls: Array<[string, number[]]> = [
      ['started', []],
      ['fib', [15]],
      ['sum_to', [1000]],
      ['indirect', [0, 21]],
      ['indirect', [1, 10]],
      ['indirect', [2, 10]],
      ['is_double', []],
      ['simd', [5]],
      ['bulk', [9]],
      ['sat', [3e10]],
      ['sext', [0xff]],
      ['multi', [7]],
      ['select_ref', [0]],
      ['select_ref', [1]],
    ];
    for (const [name, args] of calls) expect([name, metered[name]!(...args)]).toEqual([name, plain[name]!(...args)]);
    // With 10 fuel per refill, fib(15) alone (1,973 calls, no loop) needs many refills.
    expect(meter.refills).toBeGreaterThan(1000);
  });

  it('lets the meter stop an endless loop and endless recursion (a trap thrown by the import)', async () => {
    const bytes = await compileWat(`(module
      (func $spin (export "spin") (loop $l (br $l)))
      (func $down (export "down") (param i32) (result i32) (i32.add (call $down (local.get 0)) (i32.const 1))))`);
    let refills = 0;
    const instance = await WebAssembly.instantiate(new WebAssembly.Module(meterModule(bytes).bytes), {
      [METER_IMPORT.module]: {
        [METER_IMPORT.name]: () => {
          if (++refills > 100) throw new Error('out of time');
          return 1000;
        },
      },
    });
    const { spin, down } = instance.exports as Record<string, (n?: number) => number>;
    expect(() => spin!()).toThrow('out of time');
    refills = 0;
    // Stack overflow would come first with enough fuel; with little fuel the meter wins.
    expect(() => down!(1)).toThrow(/out of time|call stack/);
  });

  it('property: generated loop-and-call programs compute the same with any refill size', async () => {
    const op = fc.constantFrom('i32.add', 'i32.sub', 'i32.mul', 'i32.xor', 'i32.and', 'i32.or', 'i32.rotl', 'i32.shr_u');
    const program = fc.array(fc.record({ op, constant: fc.integer({ min: -1000, max: 1000 }), calls: fc.boolean() }), {
      minLength: 1,
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(program, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 300 }), async (fns, refill, input) => {
        const bodies = fns.map(
          (f, i) => `(func $f${i} (export "f${i}") (param $x i32) (result i32) (local $i i32) (local $acc i32)
            (local.set $acc (local.get $x))
            (block $done (loop $l
              (br_if $done (i32.ge_u (local.get $i) (i32.and (local.get $x) (i32.const 31))))
              (local.set $acc (${f.op} (local.get $acc) (i32.add (local.get $i) (i32.const ${f.constant}))))
              ${f.calls && i > 0 ? `(local.set $acc (i32.add (local.get $acc) (call $f${i - 1} (i32.and (local.get $acc) (i32.const 15)))))` : ''}
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $l)))
            (local.get $acc))`,
        );
        const bytes = await compileWat(`(module ${bodies.join('\n')})`);
        const plain = (await WebAssembly.instantiate(bytes as BufferSource)).instance.exports as Record<string, (n: number) => number>;
        const { exports: metered, meter } = await instantiateMetered(bytes, {}, refill);
        const last = `f${fns.length - 1}`;
        expect(metered[last]!(input)).toBe(plain[last]!(input));
        expect(meter.refills).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });
});

describe('meterModule prices work by what it costs', () => {
  // A bulk operation runs as long as its length: each memory.fill of 64 KiB must cost
  // 65536 / 16 = 4096 units, so a meter that hands out 1,000 at a time is asked at every fill.
  it('charges memory.fill / memory.copy by their length', async () => {
    const wasm = await compileWat(`(module (memory 2)
      (func (export "fill") (param $n i32) (local $i i32)
        (loop $l (memory.fill (i32.const 0) (i32.const 7) (i32.const 65536)) (memory.copy (i32.const 65536) (i32.const 0) (i32.const 65536))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
      (func (export "peek") (result i32) (i32.load8_u (i32.const 70000))))`);
    const { exports, meter } = await instantiateMetered(wasm, {}, 1_000);
    exports.fill!(10);
    expect(meter.refills).toBeGreaterThanOrEqual(20);
    expect(exports.peek!()).toBe(7);
  });

  it('charges table.grow by its length', async () => {
    const wasm = await compileWat(
      `(module (table 0 funcref)
        (func (export "grow") (param $n i32) (local $i i32)
          (loop $l (drop (table.grow (ref.null func) (i32.const 65536)))
            (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
        (func (export "size") (result i32) (table.size)))`,
      'grow.wat',
      { reference_types: true },
    );
    const { exports, meter } = await instantiateMetered(wasm, {}, 1_000);
    exports.grow!(8);
    expect(exports.size!()).toBe(8 * 65536);
    expect(meter.refills).toBeGreaterThanOrEqual(8);
  });

  it('weighs a call into the host 256 units: a loop of host calls asks the meter often', async () => {
    const wasm = await compileWat(`(module (import "env" "tick" (func $tick))
      (func (export "run") (param $n i32) (local $i i32)
        (loop $l (call $tick) (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))))`);
    let ticks = 0;
    const { exports, meter } = await instantiateMetered(wasm, { env: { tick: () => void ticks++ } }, 1_000);
    exports.run!(400);
    expect(ticks).toBe(400);
    // 400 calls × (256 + a few) units, 1,000 a refill: about a hundred refills.
    expect(meter.refills).toBeGreaterThanOrEqual(90);
  });
});

describe('meterModule prices calls of the Extism kernel by their bytes', () => {
  const KIB64 = 65536;
  // A kernel of rc13's shape: block addresses carry the block index in their top 16 bits.
  function kernel() {
    const blocks: number[] = [0];
    const calls = { alloc: 0, var_set: 0, length: 0 };
    const env = {
      alloc: (n: bigint) => {
        calls.alloc++;
        blocks.push(Number(n));
        return BigInt(blocks.length - 1) << 48n;
      },
      length: (addr: bigint) => {
        calls.length++;
        return BigInt(blocks[Number(addr >> 48n)] ?? 0);
      },
      var_set: () => void calls.var_set++,
    };
    return { imports: { 'extism:host/env': env }, calls, blocks };
  }
  const loop = (body: string) => `(func (export "run") (param $n i32) (local $i i32)
    (loop $l ${body} (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))`;

  // A refill of 1,000 units: a call that moves 64 KiB (4,096 units) asks the meter every time.
  it('alloc: one unit per 16 bytes of its length, so refills follow the bytes', async () => {
    const wasm = await compileWat(`(module (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      (global $last (mut i64) (i64.const 0))
      ${loop('(global.set $last (call $alloc (i64.extend_i32_u (local.get 1))))')}
      (func (export "run_sized") (param $n i32) (param $size i32) (local $i i32)
        (loop $l (global.set $last (call $alloc (i64.extend_i32_u (local.get $size))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
      (func (export "last") (result i64) (global.get $last)))`);
    const big = kernel();
    const large = await instantiateMetered(wasm, big.imports, 1_000);
    (large.exports.run_sized as unknown as (n: number, size: number) => void)(10, KIB64);
    expect(large.meter.refills).toBeGreaterThanOrEqual(10);
    // The result goes back to the caller unchanged.
    expect((large.exports.last as unknown as () => bigint)()).toBe(10n << 48n);
    const tiny = await instantiateMetered(wasm, kernel().imports, 1_000);
    (tiny.exports.run_sized as unknown as (n: number, size: number) => void)(10, 16);
    // 10 calls of 256 units and a few of their own: three refills, not ten.
    expect(tiny.meter.refills).toBeLessThan(5);
  });

  it('alloc: two units per block the call already holds (rc13 sums every block at each alloc)', async () => {
    const wasm = await compileWat(`(module (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      ${loop('(drop (call $alloc (i64.const 0)))')})`);
    const k = kernel();
    for (let i = 0; i < 60_000; i++) k.blocks.push(0);
    const many = await instantiateMetered(wasm, k.imports, 50_000);
    many.exports.run!(10);
    // Each call returns a block index past 60,000: 120,000 units, more than a refill each.
    expect(many.meter.refills).toBeGreaterThanOrEqual(10);
    const few = await instantiateMetered(wasm, kernel().imports, 50_000);
    few.exports.run!(10);
    expect(few.meter.refills).toBe(1);
  });

  it('var_set: charged by the length of its key and value blocks, through the kernel length the rewrite imports', async () => {
    const wasm = await compileWat(`(module (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
      (global $value (mut i64) (i64.const 0))
      (func (export "prepare") (global.set $value (call $alloc (i64.const ${KIB64}))))
      ${loop('(call $var_set (i64.const 0) (global.get $value))')})`);
    const metered = new WebAssembly.Module(meterModule(wasm).bytes);
    // The module does not import the kernel's length: the rewrite adds it before the meter.
    expect(WebAssembly.Module.imports(metered).map((i) => `${i.module} ${i.name}`)).toEqual([
      'extism:host/env alloc',
      'extism:host/env var_set',
      'extism:host/env length',
      `${METER_IMPORT.module} ${METER_IMPORT.name}`,
    ]);
    const k = kernel();
    const { exports, meter } = await instantiateMetered(wasm, k.imports, 1_000);
    exports.prepare!();
    const before = meter.refills;
    exports.run!(10);
    expect(k.calls.var_set).toBe(10);
    expect(meter.refills - before).toBeGreaterThanOrEqual(10);
  });

  it('reaches a priced import through a table (call_indirect) and ref.func too', async () => {
    const wasm = await compileWat(
      `(module (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (type $a (func (param i64) (result i64)))
        (table 2 funcref) (elem (i32.const 0) $alloc) (elem declare func $alloc)
        (func (export "set") (table.set (i32.const 1) (ref.func $alloc)))
        ${loop(`(drop (call_indirect (type $a) (i64.const ${KIB64}) (i32.const 0))) (drop (call_indirect (type $a) (i64.const ${KIB64}) (i32.const 1)))`)})`,
      'indirect.wat',
      { reference_types: true },
    );
    const { exports, meter } = await instantiateMetered(wasm, kernel().imports, 1_000);
    exports.set!();
    exports.run!(5);
    expect(meter.refills).toBeGreaterThanOrEqual(10);
  });

  it('is table-driven: an entry for a WASI function with an i32 length prices it the same way', async () => {
    const wasm = await compileWat(`(module (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
      (memory 2) ${loop(`(drop (call $random_get (i32.const 0) (i32.const ${KIB64})))`)})`);
    let bytes = 0;
    const wasi = { wasi_snapshot_preview1: { random_get: (_at: number, length: number) => ((bytes += length), 0) } };
    const unpriced = await instantiateMetered(wasm, wasi, 1_000);
    unpriced.exports.run!(10);
    expect(unpriced.meter.refills).toBeLessThan(5);
    const importPrices = { wasi_snapshot_preview1: { random_get: { lengths: [1] } } };
    const priced = await instantiateMetered(wasm, wasi, 1_000, { importPrices });
    priced.exports.run!(10);
    expect(priced.meter.refills).toBeGreaterThanOrEqual(10);
    expect(bytes).toBe(20 * KIB64);
  });

  it('names the pricing functions, and leaves a module without priced imports as before (only the meter and charge added)', async () => {
    const wasm = await compileWat('(module (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64))) (func (export "f") (drop (call $alloc (i64.const 1)))))');
    const text = new TextDecoder().decode(WebAssembly.Module.customSections(new WebAssembly.Module(meterModule(wasm).bytes), 'name')[0]);
    for (const name of ['diaryx_meter_charge64', 'diaryx_meter_priced_alloc']) expect(text).toContain(name);
    const plain = await compileWat('(module (import "extism:host/env" "input_length" (func $n (result i64))) (func (export "f") (drop (call $n))))');
    const metered = new WebAssembly.Module(meterModule(plain).bytes);
    expect(WebAssembly.Module.customSections(metered, 'name')[0]).toBeDefined();
    expect(new TextDecoder().decode(WebAssembly.Module.customSections(metered, 'name')[0])).not.toContain('charge64');
  });

  it('refuses a kernel import whose type it cannot price (an i32 block address)', async () => {
    const wasm = await compileWat('(module (import "extism:host/env" "var_set" (func (param i32 i32))))');
    expect(() => meterModule(wasm)).toThrow(
      expect.objectContaining({ kind: 'unsupported_feature', message: expect.stringContaining('extism:host/env var_set') }),
    );
    // An import named like an Object.prototype member is not a price.
    const odd = await compileWat('(module (import "constructor" "name" (func)) (import "__proto__" "toString" (func)))');
    expect(() => meterModule(odd)).not.toThrow();
  });
});

describe('meterModule on damaged input', () => {
  // Bytes of a real module's code section changed at random: the rewriter must refuse with a
  // MeterError or produce a module, never throw anything else or hang; and when the damaged
  // module is still valid wasm, the rewrite must be valid too (never a wrong rewrite).
  it('property: a damaged code section is refused or rewritten validly, never crashes the rewriter', () => {
    const original = new Uint8Array(readFileSync(`${root}examples/daily/build/plugin.wasm`));
    const code = readSections(original).find((s) => s.id === 10)!;
    const codeStart = code.body.byteOffset - original.byteOffset;
    const damage = fc.array(fc.record({ at: fc.nat({ max: code.body.length - 1 }), byte: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 });
    let validRewrites = 0;
    fc.assert(
      fc.property(damage, (changes) => {
        const bytes = original.slice();
        for (const { at, byte } of changes) bytes[codeStart + at] = byte;
        let metered: Uint8Array;
        try {
          metered = meterModule(bytes).bytes;
        } catch (error) {
          expect(error).toBeInstanceOf(MeterError);
          return;
        }
        if (WebAssembly.validate(bytes as BufferSource)) {
          expect(WebAssembly.validate(metered as BufferSource)).toBe(true);
          validRewrites++;
        }
      }),
      { numRuns: 300 },
    );
    expect(validRewrites).toBeGreaterThan(0);
  });
});

describe('meterModule refuses what it does not know', () => {
  // (module (func nop atomic.fence)) written by hand: wabt would need the threads feature.
  const withOpcode = (code: number[]) =>
    writeModule([
      { id: 1, body: Uint8Array.of(1, 0x60, 0, 0) },
      { id: 3, body: Uint8Array.of(1, 0) },
      { id: 10, body: Uint8Array.of(1, code.length + 2, 0, ...code, 0x0b) },
    ]);

  it('names the opcode and the function (threads: atomic.fence)', () => {
    expect(() => meterModule(withOpcode([0x01, 0xfe, 0x03, 0x00]))).toThrow(
      expect.objectContaining({ kind: 'unsupported_opcode', message: expect.stringContaining('opcode 0xfe in function 0') }),
    );
  });

  it('names the function from the name section, and keeps the names (renumbered) in the rewrite', async () => {
    const wasm = await compileWat('(module (func $helper) (func $fenced (export "run") (call $helper) (atomic.fence)))', 'fenced.wat', { threads: true });
    expect(() => meterModule(wasm)).toThrow(/opcode 0xfe in function 1 \(fenced\)/);
    const named = meterModule(await compileWat('(module (import "env" "f" (func $imported)) (func $helper) (func $run (export "run") (call $helper)))'));
    const module = new WebAssembly.Module(named.bytes);
    expect(WebAssembly.Module.customSections(module, 'name')).toHaveLength(1);
    const text = new TextDecoder().decode(WebAssembly.Module.customSections(module, 'name')[0]);
    for (const name of ['imported', 'diaryx_meter_out_of_fuel', 'helper', 'run']) expect(text).toContain(name);
    expect(text.indexOf('imported')).toBeLessThan(text.indexOf('diaryx_meter_out_of_fuel'));
    expect(text.indexOf('diaryx_meter_out_of_fuel')).toBeLessThan(text.indexOf('helper'));
  });

  it('refuses exception handling (try) and GC prefixes', () => {
    expect(() => meterModule(withOpcode([0x06, 0x40, 0x0b]))).toThrow(/opcode 0x06 in function 0/);
    expect(() => meterModule(withOpcode([0xfb, 0x00]))).toThrow(/opcode 0xfb in function 0/);
    expect(() => meterModule(withOpcode([0xfc, 0x20]))).toThrow(/opcode 0xfc 32 in function 0/);
  });

  it('refuses what it cannot read: a block type, a value type in locals, a body without end, a truncated body', () => {
    expect(() => meterModule(withOpcode([0x02, 0x50, 0x0b]))).toThrow(/opcode block type -48 in function 0/);
    const locals = (types: number[]) =>
      writeModule([
        { id: 1, body: Uint8Array.of(1, 0x60, 0, 0) },
        { id: 3, body: Uint8Array.of(1, 0) },
        { id: 10, body: Uint8Array.of(1, types.length + 3, 1, 1, ...types, 0x0b) },
      ]);
    expect(() => meterModule(locals([0x7f]))).not.toThrow();
    expect(() => meterModule(locals([0x64]))).toThrow(expect.objectContaining({ kind: 'unsupported_feature', message: 'unsupported value type 0x64 in the locals of function 0' }));
    const noEnd = writeModule([
      { id: 1, body: Uint8Array.of(1, 0x60, 0, 0) },
      { id: 3, body: Uint8Array.of(1, 0) },
      { id: 10, body: Uint8Array.of(1, 2, 0, 0x01) },
    ]);
    expect(() => meterModule(noEnd)).toThrow(expect.objectContaining({ kind: 'malformed', message: 'malformed wasm: function 0 has no end' }));
    const truncated = writeModule([
      { id: 1, body: Uint8Array.of(1, 0x60, 0, 0) },
      { id: 3, body: Uint8Array.of(1, 0) },
      { id: 10, body: Uint8Array.of(1, 9, 0, 0x0b) },
    ]);
    expect(() => meterModule(truncated)).toThrow(expect.objectContaining({ kind: 'malformed', message: 'malformed wasm: function body 0 is truncated' }));
  });

  // Each empty loop (3 bytes) becomes a check of ~20 bytes: the output outgrows the room first
  // given for it, and the rewrite must start again with more rather than stop or cut it.
  it('rewrites a body that grows many times its size (10,000 empty loops) whole, and it runs', async () => {
    const loops = Array.from({ length: 10_000 }, () => '(loop)').join(' ');
    const wasm = await compileWat(`(module (func (export "run") (result i32) ${loops} (i32.const 7)))`);
    const metered = meterModule(wasm);
    expect(metered.checks).toBe(10_001);
    expect(metered.bytes.length).toBeGreaterThan(wasm.length * 5);
    const { exports, meter } = await instantiateMetered(wasm);
    expect(exports.run!()).toBe(7);
    expect(meter.refills).toBe(1);
  });

  it('refuses a function index that would wrap around, and 64-bit memories (the bulk charge takes i32 lengths)', () => {
    expect(() => meterModule(withOpcode([0x10, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(
      expect.objectContaining({ kind: 'malformed', message: expect.stringContaining('calls a function index out of range') }),
    );
    const memory64 = writeModule([
      { id: 1, body: Uint8Array.of(1, 0x60, 0, 0) },
      { id: 3, body: Uint8Array.of(1, 0) },
      { id: 5, body: Uint8Array.of(1, 0x04, 1) },
      { id: 10, body: Uint8Array.of(1, 2, 0, 0x0b) },
    ]);
    expect(() => meterModule(memory64)).toThrow(expect.objectContaining({ kind: 'unsupported_feature', message: expect.stringContaining('64-bit memory') }));
  });

  it('refuses a module importing WASI poll_oneoff: a sleep no fuel check interrupts', async () => {
    const sleeper = await compileWat('(module (import "wasi_snapshot_preview1" "poll_oneoff" (func (param i32 i32 i32 i32) (result i32))))');
    expect(() => meterModule(sleeper)).toThrow(expect.objectContaining({ kind: 'unsupported_feature', message: expect.stringContaining('poll_oneoff') }));
  });

  it('refuses bytes that are not wasm as malformed', () => {
    expect(() => meterModule(new TextEncoder().encode('not wasm at all'))).toThrow(MeterError);
  });
});
