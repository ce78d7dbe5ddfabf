// A timeout names where the guest was: its wasm function, named from the name section, when the
// deadline trap is thrown from inside it (metered mode). The JavaScript side (js-runtime plugins)
// is tested in packages/js-runtime/src/timeout-location.test.ts.
import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';
import { guestLocation, wasmFrameOf, withGuestStack } from './guest-location.js';

/** A plugin whose handle_command calls `$spin_forever`, which loops; named, or without a name section. */
async function spinner(names: boolean): Promise<Uint8Array> {
  const wat = guestWat({
    manifest: hostileManifest('spinner'),
    extra: '(func $spin_forever (loop $again (br $again)))',
    exports: { handle_command: '(call $spin_forever) (i32.const 0)' },
  });
  const bytes = await compileWat(wat);
  if (names) return bytes;
  // The same module without its name section (as asc -O3 or a stripped Rust build gives).
  const { readSections, writeModule } = await import('@diaryx/wasm');
  const isName = (body: Uint8Array) => body[0] === 4 && new TextDecoder().decode(body.subarray(1, 5)) === 'name';
  return writeModule(readSections(bytes).filter((s) => !(s.id === 0 && isName(s.body))));
}

describe('a timeout names where the guest was', () => {
  it('metered: the wasm function the guest was looping in, by its name-section name', async () => {
    const plugin = await loadPluginFromBytes(await spinner(true), createHostContext({}), { mode: 'metered', asyncHostServices: false, timeoutMs: 200 });
    try {
      const error = (await plugin.handleCommand('run').catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/^Plugin call timed out: plugin 'spinner' export `handle_command` ran longer than 200 ms \(raise the loader option timeoutMs, or the call's own timeoutMs, if this plugin needs more time\); the plugin was in `spin_forever` \(wasm function \d+, offset 0x[0-9a-f]+\)$/);
    } finally {
      await plugin.close();
    }
  });

  it('metered, without a name section: the function index, and how to get names', async () => {
    const plugin = await loadPluginFromBytes(await spinner(false), createHostContext({}), { mode: 'metered', asyncHostServices: false, timeoutMs: 200 });
    try {
      const error = (await plugin.handleCommand('run').catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/; the plugin was in wasm function \d+, offset 0x[0-9a-f]+ \(the module has no name section: build it with names, e\.g\. asc --debug/);
    } finally {
      await plugin.close();
    }
  });

  it('worker: the worker is terminated, so the message says only what ran too long', async () => {
    const plugin = await loadPluginFromBytes(await spinner(true), createHostContext({}), { mode: 'worker', timeoutMs: 200 });
    try {
      const error = (await plugin.handleCommand('run').catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/ran longer than 200 ms \(raise the loader option timeoutMs, or the call's own timeoutMs, if this plugin needs more time\)$/);
    } finally {
      await plugin.close();
    }
  });
});

describe('guestLocation: reading the stopping error', () => {
  const trap = (stack: string) => Object.assign(new Error('EXTISM: call canceled due to timeout'), { stack });

  it('takes the innermost wasm frame of the cause chain, named or not', () => {
    const outer = new Error('timed out', {
      cause: trap('Error: x\n    at stop (fuel-meter.ts:40:11)\n    at assembly/index/weekdayOf (wasm://wasm/ffd7fcbe:wasm-function[14]:0x2f5)\n    at wasm://wasm/ffd7fcbe:wasm-function[16]:0x33d'),
    });
    expect(wasmFrameOf(outer)).toEqual({ index: 14, name: 'assembly/index/weekdayOf', offset: 0x2f5 });
    expect(wasmFrameOf(trap('Error\n    at wasm://wasm/0a1b:wasm-function[3]:0x10'))).toEqual({ index: 3, name: null, offset: 0x10 });
    expect(wasmFrameOf(new Error('no wasm here'))).toBeNull();
  });

  it('prefers the JavaScript stack a js-runtime guest gave, and never names an interpreter frame', () => {
    const error = trap('Error\n    at wasm://wasm/0a1b:wasm-function[300]:0x9999');
    expect(guestLocation(error, true)).toBeNull();
    withGuestStack(error, '    at spin (src/index.ts (bundled):40:5)');
    expect(guestLocation(new Error('outer', { cause: error }), true)).toBe('the plugin was at:\n    at spin (src/index.ts (bundled):40:5)');
  });
});
