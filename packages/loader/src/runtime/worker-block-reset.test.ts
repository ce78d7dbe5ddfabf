import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';

// In worker mode every block a call makes is shipped back to the host and kept in the SDK's
// block list until a reset. The loader resets after a call that shipped much (not after every
// call: a reset is a round trip), whether the call succeeded or failed; host memory stays flat.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ALLOC_UNTIL_CAP = '(block $d (loop $l (br_if $d (i64.eqz (call $alloc (i64.const 1048576)))) (br $l)))';

async function hostMiB(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  gc();
  return process.memoryUsage().arrayBuffers / 2 ** 20;
}

describe('worker mode: the blocks a call ships back do not pile up in the host', () => {
  it.each([
    ['succeeds', 'bomb', null],
    ['returns a non-zero status', 'bomb_status', /non-zero status/],
    ['traps', 'bomb_trap', /unreachable/],
  ] as const)('an export that allocates up to the cap and %s, called 8 times', async (_label, exportName, failure) => {
    const wasm = await compileWat(
      guestWat({
        manifest: hostileManifest('block-piler'),
        exports: {
          bomb: `${ALLOC_UNTIL_CAP} (i32.const 0)`,
          bomb_status: `${ALLOC_UNTIL_CAP} (i32.const 3)`,
          bomb_trap: `${ALLOC_UNTIL_CAP} unreachable`,
        },
      }),
    );
    // 512 pages: the kernel's blocks stop at 32 MiB per call.
    const plugin = await loadPluginFromBytes(wasm, createHostContext(), { runInWorker: true, maxMemoryPages: 512, timeoutMs: 30_000 });
    try {
      const before = await hostMiB();
      for (let i = 0; i < 8; i++) {
        const call = plugin.call(exportName);
        if (failure) await expect(call).rejects.toThrow(failure);
        else await expect(call).resolves.toBeNull();
      }
      // Without a reset the host would hold 8 × 32 MiB; a call's worth may wait for the collector.
      expect((await hostMiB()) - before).toBeLessThan(96);
    } finally {
      await plugin.close();
    }
  });
});
