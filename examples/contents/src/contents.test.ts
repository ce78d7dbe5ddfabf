import { fileURLToPath } from 'node:url';
import { guestEvents } from '@diaryx/loader';
import { createFakeHost, loadTestPlugin } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { describe, expect, it } from 'vitest';

const wasm = fileURLToPath(new URL('../build/plugin.wasm', import.meta.url));
const README = '---\ntitle: Journal\ncontents: []\n---\n# Journal\n';

describe('contents example: absolute paths from workspace_root, as Diaryx\'s first-party plugins send them', () => {
  it('joins the root init handed out with relative paths, and the fake host serves them (§13 D3)', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, { files: { 'README.md': README, 'notes/a.md': 'a' }, init: true });
    expect(host.workspaceRoot).toBe('/workspace');
    expect(await plugin.handleCommand('add-to-contents', { path: 'notes/a.md' })).toEqual({
      success: true,
      data: { index: '/workspace/README.md', added: 'notes/a.md' },
    });
    expect(host).toHaveFile('README.md', '---\ntitle: Journal\ncontents:\n  - "notes/a.md"\n---\n# Journal\n');
    expect(host).toHaveCalledHost('host_read_file', { path: '/workspace/README.md' });
    expect(host).toHaveCalledHost('host_file_exists', { path: '/workspace/notes/a.md' });
  });

  it('reaches every file host function with <root>/… paths, under a root set by the workspaceRoot option', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, { workspaceRoot: '/Users/me/journal', init: true });
    const response = await plugin.handleCommand('tour');
    expect(response).toMatchObject({
      success: true,
      data: {
        root: '/Users/me/journal',
        read: '# Contents\n',
        binary_length: 3,
        // §4.6: entries are joined to the prefix as the guest wrote it, so they stay absolute
        listed: ['/Users/me/journal/tour/a.md', '/Users/me/journal/tour/b.bin'],
        metadata: { exists: true, size_bytes: 11 },
        hash: '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81',
        exists_after_delete: false,
        delete: '',
      },
    });
    const names = new Set(host.calls.map((c) => c.name));
    for (const fn of ['host_write_file', 'host_read_file', 'host_write_binary', 'host_read_binary', 'host_list_files', 'host_file_metadata', 'host_hash_file', 'host_delete_file', 'host_file_exists']) {
      expect(names, fn).toContain(fn);
    }
    expect(host.calls.filter((c) => c.outcome !== 'ok')).toEqual([]);
    expect(host.files()).toEqual({ 'tour/a.md': '# Contents\n' });
  });

  it('is refused an absolute path outside the declared root, as before (§13 D3)', async () => {
    const { plugin } = await loadTestPlugin(wasm, { files: { 'README.md': README } });
    await plugin.init({ workspace_root: '/elsewhere' });
    await expect(plugin.handleCommand('tour')).rejects.toThrow("Absolute path outside the workspace not allowed: '/elsewhere/tour/a.md'");
  });

  it('takes the root from the host\'s workspace_opened event and reads <root>/README.md there', async () => {
    const host = createFakeHost({ files: { 'README.md': README } });
    // strict: false, as the app: the failing on_event below is logged, not raised.
    const { plugin } = await loadTestPlugin(wasm, { host, strict: false });
    await plugin.call('on_event', JSON.stringify(host.sampleEvents[0]));
    expect(host).toHaveCalledHost('host_read_file', { path: '/workspace/README.md' });
    expect(host.calls.at(-1)?.outcome).toBe('ok');
    await plugin.onEvent(guestEvents.workspaceOpened('/ws'));
    expect(host.calls.at(-1)?.outcome).toBe('trap');
  });

  it('answers its own typed config from get_config and refuses a config it does not know', async () => {
    // strict: false, as the app: the refused set_config below is logged, not raised.
    const { plugin } = await loadTestPlugin(wasm, { config: { heading: 'Index' }, strict: false });
    await plugin.init();
    const read = async () => JSON.parse(new TextDecoder().decode((await plugin.call('get_config'))!)) as unknown;
    expect(await read()).toEqual({ heading: 'Index' });
    await plugin.setConfig({ diaryx_check: 'probe' });
    expect(plugin.getConfig()).toEqual({ diaryx_check: 'probe' });
    expect(await read()).toEqual({ heading: 'Index' });
    await expect(plugin.call('set_config', '{"other":1}')).rejects.toThrow('unknown field `other`');
  });
});
