import { fileURLToPath } from 'node:url';
import { createHostContext } from '@diaryx/host-fns';
import { loadPlugin, type PluginMode } from '@diaryx/loader';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin } from './build.js';

// QuickJS-interpreted JavaScript in every mode with a deadline: the interpreter's own loops
// carry the fuel checks, so an endless JavaScript loop stops in metered mode as in a worker.

let wasm: Uint8Array;
beforeAll(async () => {
  ({ wasm } = await buildPlugin({ entry: fileURLToPath(new URL('../test/fixtures/semantics.ts', import.meta.url)) }));
});

const DEADLINE_MS = 500;

describe.each(['worker', 'metered'] as PluginMode[])('JavaScript runaways, mode %s', (mode) => {
  it('an endless JavaScript loop is stopped at the deadline; the plugin answers next', async () => {
    const plugin = await loadPlugin(wasm, createHostContext(), { mode, timeoutMs: DEADLINE_MS, manifestTimeoutMs: 10_000, name: 'js-loop' });
    try {
      const started = performance.now();
      await expect(plugin.handleCommand('loop')).rejects.toMatchObject({ kind: 'timeout' });
      const ms = performance.now() - started;
      expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
      expect(ms).toBeLessThan(DEADLINE_MS + (mode === 'worker' ? 4_000 : 1_000));
      expect(await plugin.handleCommand('echo', { text: 'after' })).toMatchObject({ success: true, data: { text: 'after' } });
    } finally {
      await plugin.close();
    }
  });

  it('deep JavaScript recursion fails the call and the plugin answers next', async () => {
    const plugin = await loadPlugin(wasm, createHostContext(), { mode, timeoutMs: 10_000, name: 'js-recurse' });
    try {
      const response = await plugin.handleCommand('recurse', { n: 1_000_000 }).catch((error: unknown) => error);
      expect(response).toMatchObject({ success: false });
      expect(await plugin.handleCommand('echo', { text: 'after' })).toMatchObject({ success: true });
    } finally {
      await plugin.close();
    }
  });
});
