import { compileWat, guestWat } from '@diaryx/test-utils';
import type { LoadedPlugin } from '@diaryx/loader';
import { hasJspi } from '@diaryx/loader';
import { describe, expect, it } from 'vitest';
import { loadTestPlugin } from './load-test-plugin.js';
import './vitest.js';

const MANIFEST = JSON.stringify({ id: 'loop', name: 'Loop', version: '1', description: 'd', capabilities: [] });

// `spin` never returns; `on_event` and `init` fail with error_set; `say` logs at info.
const guest = compileWat(
  guestWat({
    manifest: MANIFEST,
    data: { oops: 'on_event broke', said: 'hello from the guest' },
    exports: {
      spin: '(loop $l (br $l)) (i32.const 0)',
      on_event: '(call $fail (global.get $oops_ptr) (global.get $oops_len)) (i32.const 1)',
      init: '(call $fail (global.get $oops_ptr) (global.get $oops_len)) (i32.const 1)',
      say: '(call $log_info (call $to_block (global.get $said_ptr) (global.get $said_len))) (i32.const 0)',
    },
    extraImports: '(import "extism:host/env" "log_info" (func $log_info (param i64)))',
  }),
);

describe('loadTestPlugin: never hang', () => {
  it("an endless loop fails its test fast, naming the export and the deadline (default 'auto': metered on every runtime)", async () => {
    const { plugin } = await loadTestPlugin(await guest, { timeoutMs: 500 });
    const started = Date.now();
    await expect(plugin.call('spin')).rejects.toThrow(/export `spin` ran longer than 500 ms/);
    expect(Date.now() - started).toBeLessThan(20_000);
    // With JSPI the loader's own 'auto' chose it; without, the test kit asks for metered itself.
    expect(plugin.runtime).toMatchObject({ mode: 'metered', automatic: hasJspi() });
  });

  it("a call's own options reach the loader: its timeoutMs replaces the test's deadline", async () => {
    const { plugin } = await loadTestPlugin(await guest, { timeoutMs: 20_000, failFastAfterTimeout: false });
    await expect(plugin.call('spin', '', { timeoutMs: 200 })).rejects.toThrow(/export `spin` ran longer than 200 ms/);
  });

  it.each(['metered', 'worker'] as const)('mode %s stops an endless loop at the same deadline, and the plugin answers its next call', async (mode) => {
    // failFastAfterTimeout: false: this test wants the deadline itself, not the earlier test's timeout.
    const { plugin } = await loadTestPlugin(await guest, { mode, timeoutMs: 500, failFastAfterTimeout: false });
    expect(plugin.runtime.mode).toBe(mode);
    await expect(plugin.call('spin')).rejects.toThrow(/export `spin` ran longer than 500 ms/);
    await expect(plugin.call('say')).resolves.toBeDefined();
  });
});

describe('loadTestPlugin: never swallow', () => {
  it("strict: false logs a lifecycle failure into host.logs and swallows it (the app's behaviour)", async () => {
    const { plugin, host } = await loadTestPlugin(await guest, { strict: false });
    await plugin.onEvent({ event_type: 'file_saved', payload: {} });
    expect(host).toHaveLogged('warn', 'on_event broke');
  });

  it('strict by default: a failure in init or on_event rejects in the test', async () => {
    const { plugin } = await loadTestPlugin(await guest);
    await expect(plugin.onEvent({ event_type: 'file_saved', payload: {} })).rejects.toThrow(/`on_event` failed: .*on_event broke/);
    await expect(loadTestPlugin(await guest, { init: true })).rejects.toThrow(/`init` failed/);
  });

  it("the guest's own logs land in host.logs", async () => {
    const { plugin, host } = await loadTestPlugin(await guest);
    await plugin.call('say');
    expect(host).toHaveLogged('info', '[plugin loop] hello from the guest');
    expect(() => expect(host).toHaveLogged('error', 'hello')).toThrow(/expected a error log line matching hello; the log has:\n(?: {2}.*\n)* {2}info: \[plugin loop\] hello/);
  });
});

describe('loadTestPlugin: plugins close themselves', () => {
  let fromFirstTest: LoadedPlugin | undefined;

  it('a plugin loaded in a test ...', async () => {
    ({ plugin: fromFirstTest } = await loadTestPlugin(await guest));
    expect(fromFirstTest.hasExport('say')).toBe(true);
  });

  it('... is closed once that test has finished', async () => {
    await expect(fromFirstTest!.call('say')).rejects.toMatchObject({ kind: 'closed' });
  });

  it('autoClose: false leaves it open', async () => {
    const { plugin } = await loadTestPlugin(await guest, { autoClose: false });
    await plugin.close();
    await expect(plugin.call('say')).rejects.toMatchObject({ kind: 'closed' });
  });
});
