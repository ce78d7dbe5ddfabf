import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPlugin } from '../node/load-plugin.js';
import { hasJspi } from '../runtime/jspi.js';

// Attacks on the metered mode's accounting (an adversarial review of it found each of these
// running seconds to hours past a 200 ms deadline on the host's own thread): instructions whose
// time grows with an operand (bulk memory), code that buys a large refill cheaply and then spends
// it on expensive work, loops of calls into the host's kernel, and a WASI sleep.

const DEADLINE_MS = 200;
// A metered call is stopped within the deadline plus this; generous for two loaded cores.
const MARGIN_MS = 1_500;
const PAGES = 64;

const NOPS = '(nop) '.repeat(100_000);
const wat = guestWat({
  manifest: hostileManifest('meter-attacks'),
  memoryPages: PAGES,
  data: { answer: '{"success":true,"data":"still here"}' },
  exports: {
    // ~100k units of fuel an iteration that cost almost no time: drives an adaptive refill up.
    ramp: `(local $i i32) (loop $l ${NOPS} (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 20000)))) (i32.const 0)`,
    fill: `(loop $l (memory.fill (i32.const 0) (i32.const 0) (i32.const ${PAGES * 65536})) (br $l)) (i32.const 0)`,
    copy: `(loop $l (memory.copy (i32.const 0) (i32.const ${(PAGES / 2) * 65536}) (i32.const ${(PAGES / 2) * 65536})) (br $l)) (i32.const 0)`,
    kernel: '(loop $l (drop (call $input_length)) (br $l)) (i32.const 0)',
    plain: '(loop $l (br $l)) (i32.const 0)',
    answer: '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)',
  },
});

async function stoppedAtDeadline(plugin: Awaited<ReturnType<typeof loadPlugin>>, exportName: string): Promise<void> {
  const started = performance.now();
  await expect(plugin.call(exportName)).rejects.toMatchObject({ kind: 'timeout' });
  const took = performance.now() - started;
  expect(took).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
  expect(took, `${exportName} ran ${took.toFixed(0)} ms against a ${DEADLINE_MS} ms deadline`).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  expect(new TextDecoder().decode((await plugin.call('answer')) ?? new Uint8Array())).toContain('still here');
}

describe('hostile: the metered mode cannot be outrun', () => {
  it.each(['fill', 'copy', 'kernel', 'plain'])('%s, after a call that bought the largest refill, stops at the deadline', async (exportName) => {
    const plugin = await loadPlugin(await compileWat(wat), createHostContext(), { mode: 'metered', asyncHostServices: false, name: 'meter-attacks', timeoutMs: DEADLINE_MS });
    try {
      await plugin.call('ramp').catch(() => undefined);
      await stoppedAtDeadline(plugin, exportName);
    } finally {
      await plugin.close();
    }
  });

  it('a bulk-memory loop on a fresh plugin stops at the deadline too', async () => {
    const plugin = await loadPlugin(await compileWat(wat), createHostContext(), { mode: 'metered', asyncHostServices: false, name: 'meter-attacks', timeoutMs: DEADLINE_MS });
    try {
      await stoppedAtDeadline(plugin, 'fill');
    } finally {
      await plugin.close();
    }
  });
});

describe('hostile: what the meter cannot interrupt runs in a worker', () => {
  const sleeper = () =>
    compileWat(
      guestWat({
        manifest: hostileManifest('sleeper'),
        data: { answer: '{"success":true,"data":"awake"}' },
        exports: { answer: '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)' },
        extraImports: '(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))',
      }),
    );

  it("mode 'metered' refuses a module importing WASI poll_oneoff (a sleep on the host's thread), naming it", async () => {
    await expect(loadPlugin(await sleeper(), createHostContext(), { mode: 'metered', name: 'sleeper' })).rejects.toMatchObject({
      kind: 'plugin_create',
      message: expect.stringContaining('wasi_snapshot_preview1 poll_oneoff'),
    });
  });

  // A worker blocked in the sleep cannot be terminated before it wakes: the deadline must still
  // fail the call at once, and the next call be answered by a fresh worker.
  it('in a worker, a call sleeping past its deadline fails at the deadline and the next call is answered', async () => {
    const sleeping = await compileWat(
      guestWat({
        manifest: hostileManifest('sleeper'),
        data: { answer: '{"success":true,"data":"awake"}' },
        extraImports: '(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))',
        exports: {
          answer: '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)',
          // One relative clock subscription of 4 s: the worker's thread sleeps in the host.
          sleep: `(i64.store (i32.const 8192) (i64.const 1)) (i32.store8 (i32.const 8200) (i32.const 0))
            (i32.store (i32.const 8208) (i32.const 1)) (i64.store (i32.const 8216) (i64.const 4000000000))
            (i64.store (i32.const 8224) (i64.const 0)) (i32.store16 (i32.const 8232) (i32.const 0))
            (drop (call $poll (i32.const 8192) (i32.const 8448) (i32.const 1) (i32.const 8704))) (i32.const 0)`,
        },
      }),
    );
    const plugin = await loadPlugin(sleeping, createHostContext(), { mode: 'worker', name: 'sleeper', timeoutMs: DEADLINE_MS });
    try {
      const started = performance.now();
      await expect(plugin.call('sleep')).rejects.toMatchObject({ kind: 'timeout' });
      expect(performance.now() - started).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      expect(new TextDecoder().decode((await plugin.call('answer')) ?? new Uint8Array())).toContain('awake');
    } finally {
      await plugin.close();
    }
  });

  it("mode 'auto' runs it in a worker and says why", async () => {
    const plugin = await loadPlugin(await sleeper(), createHostContext(), { mode: 'auto', asyncHostServices: false, name: 'sleeper' });
    try {
      // Without JSPI 'auto' picks a worker before looking at the module (a metered plugin could not yield).
      expect(plugin.runtime).toMatchObject({ mode: 'worker', reason: expect.stringContaining(hasJspi() ? 'poll_oneoff' : 'no JSPI') });
      expect(new TextDecoder().decode((await plugin.call('answer')) ?? new Uint8Array())).toContain('awake');
    } finally {
      await plugin.close();
    }
  });
});
