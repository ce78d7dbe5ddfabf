// How to keep the fuel: the tight loop (three instructions a turn, 100 million turns) metered by
// hand three ways, against the bare loop, the runs interleaved so that the machine's load
// drifts alike for all. `meterModule` emits the first (a mutable global).
import { compileWat } from '@diaryx/test-utils';

const TURNS = 100_000_000;
const LOOP = `(br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const ${TURNS})))`;
const IMPORT = '(import "m" "out" (func $out (result i32)))';

const VARIANTS: Record<string, string> = {
  bare: `(module (func (export "run") (result i32) (local i32) (loop $l ${LOOP}) (local.get 0)))`,
  'a mutable global (what meterModule emits)': `(module ${IMPORT} (global $fuel (mut i32) (i32.const 0))
    (func (export "run") (result i32) (local i32)
      (loop $l
        (global.set $fuel (i32.sub (global.get $fuel) (i32.const 6)))
        (if (i32.lt_s (global.get $fuel) (i32.const 0)) (then (global.set $fuel (call $out))))
        ${LOOP})
      (local.get 0)))`,
  'a local, written back to the global around calls': `(module ${IMPORT} (global $fuel (mut i32) (i32.const 0))
    (func (export "run") (result i32) (local i32) (local $f i32)
      (local.set $f (global.get $fuel))
      (loop $l
        (local.set $f (i32.sub (local.get $f) (i32.const 6)))
        (if (i32.lt_s (local.get $f) (i32.const 0)) (then (global.set $fuel (local.get $f)) (local.set $f (call $out))))
        ${LOOP})
      (global.set $fuel (local.get $f))
      (local.get 0)))`,
  'a counter in linear memory': `(module ${IMPORT} (memory 1)
    (func (export "run") (result i32) (local i32)
      (loop $l
        (i32.store (i32.const 0) (i32.sub (i32.load (i32.const 0)) (i32.const 6)))
        (if (i32.lt_s (i32.load (i32.const 0)) (i32.const 0)) (then (i32.store (i32.const 0) (call $out))))
        ${LOOP})
      (local.get 0)))`,
};

/** Rows of the bench report: each way's time and its ratio to the bare loop (median of 11 rounds). */
export async function fuelAlternatives(): Promise<string[]> {
  const runs: Array<[string, () => number]> = [];
  for (const [name, wat] of Object.entries(VARIANTS)) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(await compileWat(wat)), { m: { out: () => 1 << 30 } });
    runs.push([name, instance.exports.run as () => number]);
  }
  const samples = new Map<string, number[]>(runs.map(([name]) => [name, []]));
  for (let round = 0; round < 13; round++) {
    for (const [name, run] of runs) {
      const started = performance.now();
      run();
      // The first two rounds warm up the engine's tiers.
      if (round >= 2) samples.get(name)!.push(performance.now() - started);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bare = median(samples.get('bare')!);
  return runs
    .filter(([name]) => name !== 'bare')
    .map(([name]) => {
      const ms = median(samples.get(name)!);
      return `| fuel kept in ${name}: tight loop, 100 M turns | ${ms.toFixed(1)} ms | ${bare.toFixed(1)} ms bare | ${(ms / bare).toFixed(2)}× | reported |`;
    });
}
