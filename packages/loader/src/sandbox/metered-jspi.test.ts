import { allowAll, createHostContext, type PluginStorage } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPlugin } from '../node/load-plugin.js';
import { hasJspi } from '../runtime/jspi.js';

// Async host services without a worker: JSPI (WebAssembly.Suspending) where the runtime has it
// (Node 26, Chromium 137+; Node 24 behind --experimental-wasm-jspi). Node 20 and 22 lack it:
// there the JSPI cases are skipped and the fallback cases run, so each runtime checks its side.

const GREETING = 'hello, later';

function guest(): Promise<Uint8Array> {
  return compileWat(
    guestWat({
      manifest: hostileManifest('jspi'),
      hostImports: ['host_storage_get'],
      data: { key: '{"key":"greeting"}', answer: '{"success":true,"data":"still here"}' },
      exports: {
        get: '(call $output_handle (call $host_storage_get (call $to_block (global.get $key_ptr) (global.get $key_len)))) (i32.const 0)',
        answer: '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)',
      },
    }),
  );
}

/** A storage service that answers after a timer, or never. */
function asyncStorage(delayMs: number | null): PluginStorage {
  return {
    get: (key) =>
      new Promise((resolve) => {
        if (delayMs !== null) setTimeout(() => resolve(key === 'jspi:greeting' ? new TextEncoder().encode(GREETING) : null), delayMs);
      }),
    set: () => undefined,
    delete: () => undefined,
  };
}

const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());

describe('mode auto and JSPI', () => {
  it("mode 'auto' picks metered where the runtime has JSPI, the worker otherwise, and says why", async () => {
    const plugin = await loadPlugin(await guest(), createHostContext(), { mode: 'auto', name: 'auto' });
    try {
      expect(plugin.runtime).toMatchObject({
        mode: hasJspi() ? 'metered' : 'worker',
        asyncHostServices: true,
        reason: expect.stringMatching(hasJspi() ? /has JSPI/ : /no JSPI/),
      });
    } finally {
      await plugin.close();
    }
  });

  it("the default mode is 'auto' (no option given), and runInWorker still picks a mode of its own", async () => {
    const byDefault = await loadPlugin(await guest(), createHostContext(), { name: 'default' });
    const inWorker = await loadPlugin(await guest(), createHostContext(), { name: 'worker', runInWorker: true });
    try {
      expect(byDefault.runtime).toMatchObject({ mode: hasJspi() ? 'metered' : 'worker', automatic: true });
      expect(inWorker.runtime).toMatchObject({ mode: 'worker', automatic: false, reason: 'runInWorker: true' });
    } finally {
      await Promise.all([byDefault.close(), inWorker.close()]);
    }
  });

  // atomic.fence (threads) is valid wasm the metering rewriter does not decode.
  const fenced = () =>
    compileWat(
      guestWat({
        manifest: hostileManifest('fenced'),
        data: { answer: '{"success":true,"data":"fenced"}' },
        exports: { answer: '(atomic.fence) (call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)' },
      }),
      'fenced.wat',
      { threads: true },
    );

  // Where the runtime has JSPI, that is ('auto' uses a worker for everything without it).
  it.runIf(hasJspi())("mode 'auto' runs a module the rewriter cannot meter in a worker (with a deadline), and says why, in plugin.runtime and the log", async () => {
    const debug: string[] = [];
    const logger = { error: () => undefined, warn: () => undefined, info: () => undefined, trace: () => undefined, debug: (m: string) => void debug.push(m) };
    const plugin = await loadPlugin(await fenced(), createHostContext(), { mode: 'auto', asyncHostServices: false, name: 'fenced', logger });
    try {
      expect(debug).toContainEqual(expect.stringMatching(/\[plugin fenced\] runs in mode worker \(mode 'auto': the module cannot be metered \(unsupported opcode 0xfe/));
      expect(plugin.runtime).toMatchObject({ mode: 'worker', automatic: true, reason: expect.stringMatching(/cannot be metered \(unsupported opcode 0xfe in function \d+/) });
      expect(text(await plugin.call('answer'))).toContain('fenced');
    } finally {
      await plugin.close();
    }
  });

  it("mode 'metered' refuses that module, naming the opcode and the way out", async () => {
    await expect(loadPlugin(await fenced(), createHostContext(), { mode: 'metered', name: 'fenced' })).rejects.toMatchObject({
      kind: 'plugin_create',
      message: expect.stringMatching(/unsupported opcode 0xfe in function \d+.*mode: 'worker'/),
    });
  });

  it("mode 'auto' with asyncHostServices: false is metered (plain host imports) with JSPI, and a worker without it (issue 25: a metered plugin could not give the thread back)", async () => {
    const host = createHostContext({ storage: asyncStorage(5), permissions: allowAll });
    const plugin = await loadPlugin(await guest(), host, { mode: 'auto', asyncHostServices: false, name: 'jspi' });
    try {
      if (hasJspi()) {
        expect(plugin.runtime).toMatchObject({ mode: 'metered', asyncHostServices: false, sliceMs: 5 });
        await expect(plugin.call('get')).rejects.toMatchObject({ kind: 'host_trap', message: expect.stringMatching(/returned a Promise/) });
      } else {
        expect(plugin.runtime).toMatchObject({ mode: 'worker', sliceMs: null, reason: expect.stringMatching(/no JSPI/) });
      }
      expect(text(await plugin.call('answer'))).toContain('still here');
    } finally {
      await plugin.close();
    }
  });

  it.runIf(hasJspi())('with JSPI, a metered plugin awaits an async host service in-process', async () => {
    const host = createHostContext({ storage: asyncStorage(20), permissions: allowAll });
    const plugin = await loadPlugin(await guest(), host, { mode: 'metered', name: 'jspi' });
    try {
      expect(plugin.runtime).toMatchObject({ mode: 'metered', asyncHostServices: true });
      const output = text(await plugin.call('get'));
      expect(output).toContain(Buffer.from(GREETING).toString('base64'));
    } finally {
      await plugin.close();
    }
  });

  it.runIf(hasJspi())('with JSPI, a host service that never answers is stopped at the deadline; the plugin answers next', async () => {
    const host = createHostContext({ storage: asyncStorage(null), permissions: allowAll });
    const plugin = await loadPlugin(await guest(), host, { mode: 'metered', name: 'jspi', timeoutMs: 300 });
    try {
      const started = performance.now();
      await expect(plugin.call('get')).rejects.toMatchObject({ kind: 'timeout' });
      expect(performance.now() - started).toBeLessThan(1_300);
      expect(text(await plugin.call('answer'))).toContain('still here');
    } finally {
      await plugin.close();
    }
  });

  it.runIf(!hasJspi())('without JSPI, a metered plugin whose host service returns a Promise fails that call and answers next', async () => {
    const host = createHostContext({ storage: asyncStorage(5), permissions: allowAll });
    const plugin = await loadPlugin(await guest(), host, { mode: 'metered', name: 'jspi' });
    try {
      expect(plugin.runtime).toMatchObject({ mode: 'metered', asyncHostServices: false });
      await expect(plugin.call('get')).rejects.toMatchObject({ kind: 'host_trap', message: expect.stringMatching(/returned a Promise/) });
      expect(text(await plugin.call('answer'))).toContain('still here');
    } finally {
      await plugin.close();
    }
  });
});
