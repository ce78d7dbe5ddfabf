import { createHostContext } from '@diaryx/host-fns';
import { compileWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import * as core from './core.js';
import { loadPluginFromBytes } from './load-plugin-from-bytes.js';
import { manifestJson, recorderWat } from './test-support/fixtures.js';
import { createRecordingEmitter } from './test-support/recording.js';

async function recorderBytes(): Promise<Uint8Array> {
  return compileWat(recorderWat(manifestJson()));
}

describe('loadPluginFromBytes (the portable entry)', () => {
  it('starts from options.config, persists setConfig through saveConfig, then notifies the guest', async () => {
    const { emitter, events } = createRecordingEmitter();
    const saved: unknown[] = [];
    const plugin = await loadPluginFromBytes(await recorderBytes(), createHostContext({ events: emitter }), {
      runInWorker: false,
      config: { theme: 'dark' },
      saveConfig: async (config) => void saved.push(config),
    });
    expect(plugin.configPath).toBeNull();
    await plugin.init();
    await plugin.setConfig({ theme: 'light' });
    expect(saved).toEqual([{ theme: 'light' }]);
    expect(events).toEqual(['{"theme":"dark"}', '{"workspace_root":null}', '{"theme":"light"}']);
    expect(plugin.getConfig()).toEqual({ theme: 'light' });
  });

  it('a rejected saveConfig fails with config_write, keeps the old config and does not tell the guest', async () => {
    const { emitter, events } = createRecordingEmitter();
    const plugin = await loadPluginFromBytes(await recorderBytes(), createHostContext({ events: emitter }), {
      runInWorker: false,
      config: { a: 1 },
      saveConfig: () => Promise.reject(new Error('quota exceeded')),
    });
    await expect(plugin.setConfig({ a: 2 })).rejects.toMatchObject({
      kind: 'config_write',
      message: "Plugin 'test.plugin': Failed to write config: quota exceeded",
    });
    expect(plugin.getConfig()).toEqual({ a: 1 });
    expect(events).toEqual([]);
  });

  it('names a plugin without a manifest export by options.name', async () => {
    const bytes = await compileWat('(module (memory (export "memory") 1))');
    await expect(loadPluginFromBytes(bytes, createHostContext(), { runInWorker: false, name: 'my-upload' })).rejects.toMatchObject({
      kind: 'manifest_call',
      message: expect.stringContaining("plugin 'my-upload'"),
    });
  });

  it('the core entry exports no Node-only loader (those live in the Node entry)', () => {
    expect(Object.keys(core)).toContain('loadPluginFromBytes');
    expect(Object.keys(core)).not.toContain('loadPlugin');
    expect(Object.keys(core)).not.toContain('loadPluginsFromDir');
  });
});
