import { fileURLToPath } from 'node:url';
import { loadTestPlugin } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin } from './build.js';

let wasm: Uint8Array;
let hostFunctions: string[];
beforeAll(async () => {
  ({ wasm, hostFunctions } = await buildPlugin({ entry: fileURLToPath(new URL('../test/fixtures/define-plugin.ts', import.meta.url)) }));
}, 120_000);

describe('the TypeScript SDK: definePlugin, config and storage helpers, through the real loader', () => {
  it('definePlugin exports the protocol functions and fills commands from the handlers', async () => {
    const { plugin } = await loadTestPlugin(wasm);
    try {
      for (const name of ['manifest', 'handle_command', 'on_event', 'init', 'set_config', 'get_config']) expect(plugin.hasExport(name)).toBe(true);
      expect(plugin.manifest.commands).toEqual(['greet', 'count', 'forget', 'fail', 'settings', 'later', 'laterFail', 'stuck', 'tally']);
      expect(plugin.manifest.capabilities).toEqual(['file_events', 'custom_commands']);
    } finally {
      await plugin.close();
    }
  });

  it('the build records the host functions the code references (the runtime imports all 31)', () => {
    expect(hostFunctions).toEqual(['host_storage_get', 'host_storage_set']);
    const module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    const [section] = WebAssembly.Module.customSections(module, 'diaryx.host_functions');
    expect(JSON.parse(new TextDecoder().decode(section))).toEqual(hostFunctions);
  });

  it("loadTestPlugin's config reaches the plugin without init(), through set_config", async () => {
    const { plugin } = await loadTestPlugin(wasm, { config: { greeting: 'hi' } });
    try {
      expect(await plugin.handleCommand('greet', { name: 'Ada' })).toEqual({ success: true, data: 'hi Ada' });
      expect(new TextDecoder().decode((await plugin.call('get_config', '')) ?? new Uint8Array())).toBe('{"greeting":"hi"}');
    } finally {
      await plugin.close();
    }
  });

  it('without a config, config() is null and get_config answers {}', async () => {
    const { plugin } = await loadTestPlugin(wasm);
    try {
      expect(await plugin.handleCommand('greet', {})).toEqual({ success: true, data: 'hello you' });
      expect(await plugin.handleCommand('settings', {})).toEqual({ success: true }) // data null: the loader leaves it out;
      expect(new TextDecoder().decode((await plugin.call('get_config', '')) ?? new Uint8Array())).toBe('{}');
      await plugin.setConfig({ greeting: 'hey' });
      expect(await plugin.handleCommand('greet', { name: 'Bo' })).toEqual({ success: true, data: 'hey Bo' });
    } finally {
      await plugin.close();
    }
  });

  it('events reach onEvent; JSON storage helpers keep state; storageDelete makes storageGet null', async () => {
    const { plugin, host } = await loadTestPlugin(wasm);
    try {
      await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } });
      await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'b.md' } });
      expect(await plugin.handleCommand('count', {})).toEqual({ success: true, data: 2 });
      expect(host.storage.values.has(`${plugin.id}:saved`)).toBe(true);
      expect(await plugin.handleCommand('forget', {})).toEqual({ success: true }) // data null: the loader leaves it out;
      expect(await plugin.handleCommand('count', {})).toEqual({ success: true, data: 0 });
    } finally {
      await plugin.close();
    }
  });

  it('a CommandError answers success:false with its code', async () => {
    const { plugin } = await loadTestPlugin(wasm);
    try {
      expect(await plugin.handleCommand('fail', {})).toEqual({ success: false, error: 'failed on purpose', error_code: 'on_purpose' });
    } finally {
      await plugin.close();
    }
  });

  it('an async command handler answers with what it resolves to (not {}), and a rejected CommandError is success: false', async () => {
    const { plugin } = await loadTestPlugin(wasm);
    expect(await plugin.handleCommand('later', { name: 'Ada' })).toEqual({ success: true, data: 'later Ada' });
    expect(await plugin.handleCommand('laterFail', {})).toEqual({ success: false, error: 'failed later', error_code: 'later' });
  });

  it('an async onEvent runs to its end before the call returns', async () => {
    const { plugin, host } = await loadTestPlugin(wasm);
    await plugin.onEvent({ event_type: 'file_created', payload: { path: 'new.md' } });
    expect(host).toHaveStored('created', '"new.md"');
  });

  it('a handler that waits on what never happens fails the call, saying there is no event loop', async () => {
    const { plugin } = await loadTestPlugin(wasm);
    await expect(plugin.handleCommand('stuck', {})).rejects.toThrow(/returned a Promise that never settled: this runtime has no event loop/);
  });

  it('storageGetJson on a corrupt stored value fails the call naming the key and the fix, and the value survives (it returned the fallback, which the plugin then wrote over it)', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, { storage: { tally: '{"broken' } });
    await expect(plugin.handleCommand('tally', {})).rejects.toThrow(
      /StorageJsonError: storageGetJson\('tally'\): the stored value is not JSON \(.*\); it was left as it is: read it with storageGet\('tally'\)/,
    );
    expect(host).toHaveStored('tally', '{"broken');
    const fresh = await loadTestPlugin(wasm);
    expect(await fresh.plugin.handleCommand('tally', {})).toEqual({ success: true, data: 1 });
  });
});
