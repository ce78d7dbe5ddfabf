import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest, largestGapWhile } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPlugin } from '../node/load-plugin.js';
import type { ResolvedPluginMode } from '../options.js';
import { hasJspi } from '../runtime/jspi.js';

// Issue 25: no import is a free pass around the meter. A guest looping on a WASI import that
// takes a length, with lengths as large as its memory allows, is stopped at its deadline (the
// kit's WASI checks it in every call and works in chunks) and, with JSPI, never holds the
// event loop for long. Before, each such call weighed 256 units whatever its length, WASI calls
// were not checked against the deadline, and random_get of 64-128 MiB stopped 1.2 s to 94.6 s
// late. Extism vars are capped too (1 MiB in all, Rust Extism's default).

const DEADLINE_MS = 1_500;
const MARGIN_MS: Record<'metered' | 'worker', number> = { metered: 1_000, worker: 4_000 };
// Generous: two cores shared with the rest of the suite (the bench measures the real gap, ~5 ms).
const MAX_GAP_MS = 900;
const BIG = 64 * 1024 * 1024;
// 1 025 pages: room for a 64 MiB buffer after the guest's own data.
const PAGES = 1_025;
const IOVECS_AT = 65_536;
const IOVEC_COUNT = 1_000_000;

/** Fills IOVEC_COUNT iovecs at IOVECS_AT, each the whole 64 MiB buffer at 0. */
const FILL_IOVECS = `(func $fill_iovecs (local $i i32)
  (loop $l
    (i32.store (i32.add (i32.const ${IOVECS_AT}) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0))
    (i32.store (i32.add (i32.const ${IOVECS_AT + 4}) (i32.shl (local.get $i) (i32.const 3))) (i32.const ${BIG - IOVECS_AT * 2}))
    (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${IOVEC_COUNT})))))`;

interface WasiAttack {
  name: string;
  signature: string;
  /** The call inside the loop (its i32 result dropped). */
  call: string;
}

const ATTACKS: WasiAttack[] = [
  { name: 'random_get', signature: '(param i32 i32) (result i32)', call: `(call $wasi (i32.const 0) (i32.const ${BIG}))` },
  { name: 'fd_write', signature: '(param i32 i32 i32 i32) (result i32)', call: `(call $wasi (i32.const 1) (i32.const ${IOVECS_AT}) (i32.const ${IOVEC_COUNT}) (i32.const 8))` },
  { name: 'fd_read', signature: '(param i32 i32 i32 i32) (result i32)', call: `(call $wasi (i32.const 0) (i32.const ${IOVECS_AT}) (i32.const ${IOVEC_COUNT}) (i32.const 8))` },
  { name: 'fd_pwrite', signature: '(param i32 i32 i32 i64 i32) (result i32)', call: `(call $wasi (i32.const 1) (i32.const ${IOVECS_AT}) (i32.const ${IOVEC_COUNT}) (i64.const 0) (i32.const 8))` },
  { name: 'fd_pread', signature: '(param i32 i32 i32 i64 i32) (result i32)', call: `(call $wasi (i32.const 0) (i32.const ${IOVECS_AT}) (i32.const ${IOVEC_COUNT}) (i64.const 0) (i32.const 8))` },
  { name: 'fd_readdir', signature: '(param i32 i32 i32 i64 i32) (result i32)', call: `(call $wasi (i32.const 3) (i32.const 0) (i32.const ${BIG}) (i64.const 0) (i32.const 8))` },
  { name: 'fd_prestat_dir_name', signature: '(param i32 i32 i32) (result i32)', call: `(call $wasi (i32.const 3) (i32.const 0) (i32.const ${BIG}))` },
  { name: 'path_open', signature: '(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)', call: `(call $wasi (i32.const 3) (i32.const 0) (i32.const 0) (i32.const ${BIG}) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8))` },
  { name: 'path_readlink', signature: '(param i32 i32 i32 i32 i32 i32) (result i32)', call: `(call $wasi (i32.const 3) (i32.const 0) (i32.const ${BIG}) (i32.const 0) (i32.const ${BIG}) (i32.const 8))` },
  { name: 'sock_send', signature: '(param i32 i32 i32 i32 i32) (result i32)', call: `(call $wasi (i32.const 3) (i32.const ${IOVECS_AT}) (i32.const ${IOVEC_COUNT}) (i32.const 0) (i32.const 8))` },
  { name: 'sock_recv', signature: '(param i32 i32 i32 i32 i32 i32) (result i32)', call: `(call $wasi (i32.const 3) (i32.const ${IOVECS_AT}) (i32.const ${IOVEC_COUNT}) (i32.const 0) (i32.const 8) (i32.const 12))` },
];

function attacker(attack: WasiAttack) {
  return compileWat(
    guestWat({
      manifest: hostileManifest(`wasi-${attack.name.replaceAll('_', '-')}`),
      memoryPages: PAGES,
      extraImports: `(import "wasi_snapshot_preview1" "${attack.name}" (func $wasi ${attack.signature}))`,
      extra: FILL_IOVECS,
      exports: { handle_command: `(call $fill_iovecs) (loop $l (drop ${attack.call}) (br $l)) (i32.const 0)` },
    }),
  );
}

// Metered mode runs the kit's WASI, so every function is tried there; a worker runs the engine's
// WASI and is terminated at the deadline whatever it does, so the two that do real work suffice.
const CASES = [
  ...ATTACKS.map((attack) => ['metered', attack.name, attack] as const),
  ...ATTACKS.filter((attack) => attack.name === 'random_get' || attack.name === 'fd_write').map((attack) => ['worker', attack.name, attack] as const),
];

describe('every WASI import that takes a length is priced by its work and checked against the deadline', () => {
  describe('in metered and worker mode', () => {
    it.each(CASES)('%s: a loop on %s with huge lengths stops at its deadline', async (mode, _name, attack) => {
      const plugin = await loadPlugin(await attacker(attack), createHostContext(), {
        name: `wasi-${attack.name}`,
        mode,
        timeoutMs: DEADLINE_MS,
        manifestTimeoutMs: 5_000,
      });
      try {
        const started = performance.now();
        const { gap, settled } = await largestGapWhile(() => plugin.handleCommand('run'));
        const took = performance.now() - started;
        expect(settled.status).toBe('rejected');
        expect((settled as PromiseRejectedResult).reason).toMatchObject({ kind: 'timeout' });
        expect(took).toBeLessThan(DEADLINE_MS + MARGIN_MS[mode]);
        // Without JSPI a metered call holds the thread until its deadline (documented).
        if (mode === 'worker' || hasJspi()) expect(gap).toBeLessThan(MAX_GAP_MS);
      } finally {
        await plugin.close();
      }
    });
  });
});

describe('Extism vars are capped at 1 MiB in all (Rust Extism default), in every mode', () => {
  const varBomb = () =>
    compileWat(
      guestWat({
        manifest: hostileManifest('var-bomb'),
        extraImports: '(import "extism:host/env" "var_set" (func $var_set (param i64 i64)))',
        data: { a: 'a', b: 'b' },
        exports: {
          // Two vars of 600 KiB each: 1.2 MiB in all.
          handle_command: `(call $var_set (call $to_block (global.get $a_ptr) (global.get $a_len)) (call $alloc (i64.const 614400)))
            (call $var_set (call $to_block (global.get $b_ptr) (global.get $b_len)) (call $alloc (i64.const 614400)))
            (i32.const 0)`,
          one: `(call $var_set (call $to_block (global.get $a_ptr) (global.get $a_len)) (call $alloc (i64.const 614400))) (i32.const 0)`,
        },
      }),
    );

  it.each(['metered', 'in-process'] as ResolvedPluginMode[])('%s: the second 600 KiB var fails the call; one fits', async (mode) => {
    const plugin = await loadPlugin(await varBomb(), createHostContext(), { name: 'var-bomb', mode });
    try {
      await expect(plugin.call('one')).resolves.toBeNull();
      await expect(plugin.handleCommand('run')).rejects.toMatchObject({ message: expect.stringMatching(/var memory limit exceeded: \d+ bytes requested, 1048576 allowed/) });
    } finally {
      await plugin.close();
    }
  });

  // rc13's worker keeps vars in the worker's own context, which logs a refused var_set at error
  // and goes on (the call does not fail): the cap holds, the plugin is told through its log.
  it('worker: the second 600 KiB var is refused and logged at error', async () => {
    const errors: string[] = [];
    const logger = { error: (m: string) => void errors.push(m), warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };
    const plugin = await loadPlugin(await varBomb(), createHostContext(), { name: 'var-bomb', mode: 'worker', logger });
    try {
      await plugin.call('one');
      await plugin.call('handle_command', '{}');
      expect(errors).toContainEqual(expect.stringMatching(/\[plugin var-bomb\] var memory limit exceeded: \d+ bytes requested, 1048576 allowed/));
    } finally {
      await plugin.close();
    }
  });
});
