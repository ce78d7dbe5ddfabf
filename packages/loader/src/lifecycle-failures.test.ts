import { createHostContext, type HostLogger } from '@diaryx/host-fns';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from './load-plugin-from-bytes.js';
import { manifestJson } from './test-support/fixtures.js';

// Every lifecycle export of this guest fails with error_set.
async function failingLifecycle(): Promise<Uint8Array> {
  const fail = '(call $fail (global.get $oops_ptr) (global.get $oops_len)) (i32.const 1)';
  return compileWat(
    guestWat({
      manifest: manifestJson(),
      data: { oops: 'lifecycle broke' },
      exports: { init: fail, set_config: fail, on_event: fail, shutdown: fail },
    }),
  );
}

function recordingLogger(): { logger: HostLogger; warnings: string[] } {
  const warnings: string[] = [];
  const none = () => undefined;
  return { logger: { error: none, warn: (m) => void warnings.push(m), info: none, debug: none, trace: none }, warnings };
}

describe('lifecycle failures', () => {
  it("are logged at warn and swallowed by default (Rust's ignore + log)", async () => {
    const { logger, warnings } = recordingLogger();
    const plugin = await loadPluginFromBytes(await failingLifecycle(), createHostContext(), { runInWorker: false, logger, config: { a: 1 } });
    await plugin.init();
    await plugin.onEvent({ event_type: 'file_saved', payload: {} });
    await plugin.setConfig({ a: 2 });
    await plugin.shutdown();
    await plugin.close();
    expect(warnings).toHaveLength(5);
    expect(warnings.every((w) => w.includes('lifecycle broke'))).toBe(true);
  });

  it.each([
    ['init', (p: Awaited<ReturnType<typeof loadPluginFromBytes>>) => p.init()],
    ['on_event', (p: Awaited<ReturnType<typeof loadPluginFromBytes>>) => p.onEvent({ event_type: 'file_saved', payload: {} })],
    ['set_config', (p: Awaited<ReturnType<typeof loadPluginFromBytes>>) => p.setConfig({ a: 2 })],
    ['shutdown', (p: Awaited<ReturnType<typeof loadPluginFromBytes>>) => p.shutdown()],
  ])("reject with the guest's error in %s when lifecycleFailures is 'throw'", async (exportName, run) => {
    const { logger, warnings } = recordingLogger();
    const plugin = await loadPluginFromBytes(await failingLifecycle(), createHostContext(), { runInWorker: false, logger, lifecycleFailures: 'throw' });
    try {
      await expect(run(plugin)).rejects.toMatchObject({ kind: 'guest_error', exportName, details: { guestMessage: 'lifecycle broke' } });
      expect(warnings).toHaveLength(1);
    } finally {
      await plugin.close();
    }
  });

  it('refuses a lifecycleFailures value it does not know', async () => {
    await expect(
      loadPluginFromBytes(await failingLifecycle(), createHostContext(), { lifecycleFailures: 'loud' as 'throw' }),
    ).rejects.toThrow(/lifecycleFailures/);
  });
});

describe('await using', () => {
  it('closes the plugin at the end of the block', async () => {
    let escaped: Awaited<ReturnType<typeof loadPluginFromBytes>> | undefined;
    {
      await using plugin = await loadPluginFromBytes(await failingLifecycle(), createHostContext(), { runInWorker: false });
      escaped = plugin;
      expect(plugin.hasExport('init')).toBe(true);
    }
    await expect(escaped.call('init')).rejects.toMatchObject({ kind: 'closed' });
  });
});
