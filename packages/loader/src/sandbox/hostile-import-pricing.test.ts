import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugin } from '../node/load-plugin.js';
import type { LoadedPlugin } from '../loaded-plugin.js';

// Calls into the Extism kernel whose work grows with a length: `alloc` of a large block (its
// buffer, and rc13's sum over every block at each call), `var_set` (a copy of the whole value
// block). Weighed 256 units a call whatever they moved, a loop of `var_set` of a 64 MiB block ran
// 10.4 s against a 1 s deadline (about 80 calls of ~40 ms before the first refill asked the
// clock). Priced by their bytes, each call of a large block costs more than a refill: the host
// checks the deadline before the next one. (The `alloc` loops stopped in time before too: a fresh
// zeroed buffer is mapped, not written; they guard the pricing of `alloc` itself.)

const DEADLINE_MS = 1_000;
// Generous for two busy cores: one call of a 64 MiB block takes tens of milliseconds.
const MARGIN_MS = 1_000;
const BLOCK = 64 * 1024 * 1024;

const wat = guestWat({
  manifest: hostileManifest('kernel-loops'),
  data: { key: 'k', answer: '{"success":true,"data":"still here"}' },
  extraImports: `(import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))`,
  exports: {
    alloc_freed: `(loop $l (call $free (call $alloc (i64.const ${BLOCK}))) (br $l)) (i32.const 0)`,
    alloc_kept: `(loop $l (drop (call $alloc (i64.const ${BLOCK}))) (br $l)) (i32.const 0)`,
    alloc_small_kept: '(loop $l (drop (call $alloc (i64.const 1))) (br $l)) (i32.const 0)',
    var_set: `(local $key i64) (local $value i64)
      (local.set $key (call $to_block (global.get $key_ptr) (global.get $key_len)))
      (local.set $value (call $alloc (i64.const ${BLOCK})))
      (loop $l (call $var_set (local.get $key) (local.get $value)) (br $l)) (i32.const 0)`,
    answer: '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)',
  },
});

describe('hostile: a loop of kernel calls on large blocks stops at its deadline (metered)', () => {
  let plugin: LoadedPlugin;
  beforeAll(async () => {
    plugin = await loadPlugin(await compileWat(wat), createHostContext(), { mode: 'metered', asyncHostServices: false, name: 'kernel-loops', timeoutMs: DEADLINE_MS });
  });
  afterAll(() => plugin.close());

  it.each(['alloc_freed', 'alloc_kept', 'alloc_small_kept', 'var_set'])('%s stops within the margin of a 1 s deadline, and the plugin answers next', async (exportName) => {
    const started = performance.now();
    const error = await plugin.call(exportName).then(
      () => null,
      (e: unknown) => e,
    );
    const took = performance.now() - started;
    // Blocks that are kept stay allocated until the call ends: where the system refuses to map
    // more, the loop fails before its deadline instead (a failed call), which is a stop too.
    expect(error, 'the endless loop cannot succeed').toMatchObject({ kind: exportName === 'alloc_kept' ? expect.any(String) : 'timeout' });
    expect(took, `${exportName} ran ${took.toFixed(0)} ms against a ${DEADLINE_MS} ms deadline`).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    expect(new TextDecoder().decode((await plugin.call('answer')) ?? new Uint8Array())).toContain('still here');
  });
});
