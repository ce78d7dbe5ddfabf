import { fileURLToPath } from 'node:url';
import { createHostContext } from '@diaryx/host-fns';
import { loadPlugin } from '@diaryx/loader';
import { loadTestPlugin } from '@diaryx/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin } from './build.js';

let wasm: Uint8Array;
beforeAll(async () => {
  ({ wasm } = await buildPlugin({ entry: fileURLToPath(new URL('../test/fixtures/semantics.ts', import.meta.url)) }));
});

describe.each([false, true])('a TypeScript plugin through the real loader (worker: %s)', (runInWorker) => {
  const load = async () => (await loadTestPlugin(wasm, { runInWorker, timeoutMs: 2_000 })).plugin;

  it('returns non-ASCII JSON byte for byte', async () => {
    const plugin = await load();
    try {
      expect(plugin.manifest.name).toBe('Semantics ✓');
      expect(plugin.manifest.description).toBe('naïve — 日本語 🎉');
      const response = await plugin.handleCommand('echo', { text: 'Grüße 🎉 \u0000 "quoted"' });
      expect(response).toMatchObject({ success: true, data: { text: 'Grüße 🎉 \u0000 "quoted"' } });
    } finally {
      await plugin.close();
    }
  });

  it('passes raw bytes through unchanged, invalid UTF-8 included', async () => {
    const plugin = await load();
    try {
      const bytes = Uint8Array.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xf0, 0x9f, 0x8e, 0x89, 0x41]);
      expect(await plugin.call('echo_bytes', bytes)).toEqual(bytes);
    } finally {
      await plugin.close();
    }
  });

  it('reports a throw as a failed call with the message and the JavaScript stack', async () => {
    const plugin = await load();
    try {
      const error = await plugin.handleCommand('throw', { text: 'ü' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'guest_error', details: { guestMessage: expect.stringContaining('TypeError: thrown on purpose: ü') } });
      expect((error as Error).message).toMatch(/TypeError: thrown on purpose: ü\n\s+at handle_command \(.*semantics\.ts \(bundled\):\d+/);
      expect(await plugin.handleCommand('echo', { text: 'still alive' })).toMatchObject({ success: true });
    } finally {
      await plugin.close();
    }
  });

  it('awaits an export’s Promise: resolved → output, rejected → failed call, never settled → clear error', async () => {
    const plugin = await load();
    try {
      expect(new TextDecoder().decode((await plugin.call('awaited', 'x'))!)).toBe('awaited x');
      await expect(plugin.call('rejected')).rejects.toThrow(/Error: rejected on purpose/);
      await expect(plugin.call('never_settles')).rejects.toThrow(/never settled: this runtime has no event loop/);
    } finally {
      await plugin.close();
    }
  });

  it('offers the @extism/js-pdk globals: TextEncoder/TextDecoder, Memory JSON, base64, Var bytes', async () => {
    const plugin = await load();
    try {
      expect((await plugin.handleCommand('api')).data).toEqual({
        encodedLength: Buffer.byteLength('Grüße 🎉'),
        decoded: 'Grüße 🎉',
        roundTrip: { nested: ['ü', 1] },
        base64: Buffer.from('Grüße 🎉').toString('base64'),
        fromBase64: 'Grüße 🎉',
        varBytes: Buffer.byteLength('Grüße 🎉'),
      });
    } finally {
      await plugin.close();
    }
  });

  it('turns deep recursion into a catchable JavaScript error, not a wasm trap', async () => {
    const plugin = await load();
    try {
      expect(await plugin.handleCommand('recurse', { n: 500 })).toEqual({ success: true, data: 500 });
      expect(await plugin.handleCommand('recurse', { n: 1_000_000 })).toEqual({
        success: false,
        error: 'InternalError: stack overflow',
        error_code: 'caught',
      });
    } finally {
      await plugin.close();
    }
  });

  it('has Math.random from the host’s entropy (not frozen by the snapshot), the host clock, Var and Config', async () => {
    const plugin = await load();
    try {
      const a = (await plugin.handleCommand('echo', {})).data as { random: number; now: number };
      const b = (await plugin.handleCommand('echo', {})).data as { random: number; now: number };
      expect(a.random).not.toBe(b.random);
      expect(Math.abs(a.now - Date.now())).toBeLessThan(60_000);
      // Config.get finds nothing: Diaryx hosts pass no Extism config (data null is dropped, as in Rust).
      expect(await plugin.handleCommand('config')).toEqual({ success: true });
      expect((await plugin.handleCommand('vars')).data).toBe(1);
      expect((await plugin.handleCommand('vars')).data).toBe(2);
    } finally {
      await plugin.close();
    }
  });
});

describe('limits apply as to any plugin', () => {
  it('an endless JavaScript loop is stopped by the loader’s deadline; the plugin answers next', async () => {
    const { plugin } = await loadTestPlugin(wasm, { runInWorker: true, timeoutMs: 500 });
    try {
      await expect(plugin.handleCommand('loop')).rejects.toMatchObject({ kind: 'timeout' });
      expect(await plugin.handleCommand('echo', { text: 'after' })).toMatchObject({ success: true, data: { text: 'after' } });
    } finally {
      await plugin.close();
    }
  });

  it('an allocation bomb hits the memory cap and fails the call; the host is unharmed', async () => {
    const plugin = await loadPlugin(wasm, createHostContext(), { runInWorker: false, maxMemoryPages: 1024 });
    try {
      await expect(plugin.handleCommand('allocate')).rejects.toMatchObject({ kind: 'guest_error', message: expect.stringMatching(/out of memory/) });
      expect(await plugin.handleCommand('echo', { text: 'after' })).toMatchObject({ success: true });
    } finally {
      await plugin.close();
    }
  });
});
