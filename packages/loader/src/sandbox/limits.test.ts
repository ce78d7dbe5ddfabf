import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPlugin } from '../node/load-plugin.js';
import { manifestJson } from '../test-support/fixtures.js';

describe('limits on by default (worker mode)', () => {
  it('an endless manifest fails the load after manifestTimeoutMs, not the command timeout', async () => {
    const wasm = await compileWat(guestWat({ manifest: manifestJson(), exports: { manifest: '(loop $l (br $l)) (i32.const 0)' } }));
    const started = Date.now();
    // 3 s: also the worker's start-up deadline, which a loaded two-core machine can take 300 ms to meet.
    await expect(loadPlugin(wasm, createHostContext(), { manifestTimeoutMs: 3_000, timeoutMs: 60_000, name: 'spin' })).rejects.toMatchObject({
      kind: 'manifest_call',
      message: expect.stringMatching(/Failed to get manifest from plugin 'spin': .*timeout/),
    });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a memory grow bomb stops at the cap and the call ends', async () => {
    const wasm = await compileWat(
      guestWat({
        manifest: manifestJson(),
        exports: {
          grow: `(block $done (loop $l (br_if $done (i32.eq (memory.grow (i32.const 16)) (i32.const -1))) (br $l)))
                 (i32.const 0)`,
        },
      }),
    );
    const plugin = await loadPlugin(wasm, createHostContext(), { maxMemoryPages: 256 });
    try {
      const started = Date.now();
      await expect(plugin.call('grow')).resolves.toBeNull();
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await plugin.close();
    }
  });

  it('refuses an input larger than maxInputBytes without calling the guest', async () => {
    const wasm = await compileWat(guestWat({ manifest: manifestJson(), exports: { on_event: 'unreachable' } }));
    const plugin = await loadPlugin(wasm, createHostContext(), { runInWorker: false, maxInputBytes: 1024 });
    await expect(plugin.call('on_event', 'x'.repeat(2048))).rejects.toMatchObject({
      kind: 'input_too_large',
      message: expect.stringContaining('2048 bytes, more than maxInputBytes (1024)'),
    });
  });

  it('a module whose memory minimum exceeds the cap is refused with plugin_create', async () => {
    const wasm = await compileWat(guestWat({ manifest: manifestJson(), memoryPages: 300 }));
    await expect(loadPlugin(wasm, createHostContext(), { runInWorker: false, maxMemoryPages: 256, name: 'big' })).rejects.toMatchObject({
      kind: 'plugin_create',
      message: expect.stringContaining("Failed to create Extism plugin 'big': the module needs at least 300 pages"),
    });
  });
});
