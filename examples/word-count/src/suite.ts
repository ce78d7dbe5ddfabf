import { guestEvents } from '@diaryx/loader';
import { loadTestPlugin } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { describe, expect, it } from 'vitest';

/**
 * The word-count plugin's behaviour, run against a built plugin.wasm: the AssemblyScript plugin
 * and its TypeScript twin (examples/word-count-ts) must both pass it unchanged.
 */
export function wordCountSuite(name: string, wasm: string): void {
describe(name, () => {
  it('counts one file, non-ASCII text counted by code point', async () => {
    const { plugin } = await loadTestPlugin(wasm, { files: { 'notes/café.md': 'Un café crème — naïve 🎉\nsecond line' } });
    expect(await plugin.handleCommand('word-count', { path: 'notes/café.md' })).toEqual({
      success: true,
      data: { path: 'notes/café.md', counts: { characters: 35, lines: 2, words: 8 } },
    });
  });

  it('counts every markdown file of the workspace when no path is given', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, {
      files: { 'a.md': 'one two', 'sub/b.md': 'three', 'image.png': 'not counted' },
    });
    expect(await plugin.handleCommand('word-count')).toEqual({
      success: true,
      data: { scope: 'workspace', counts: { characters: 12, lines: 2, words: 3 } },
    });
    expect(host).toHaveCalledHost('host_list_files', { prefix: '' });
  });

  it('reports a missing file as a command error, not a trap', async () => {
    const { plugin } = await loadTestPlugin(wasm);
    const response = await plugin.handleCommand('word-count', { path: 'missing.md' });
    expect(response.success).toBe(false);
    expect(response.error).toMatch(/^cannot read missing.md: .*host_read_file/);
  });

  it('reports a denied read as a command error', async () => {
    const { plugin } = await loadTestPlugin(wasm, { permissions: 'deny-all', files: { 'a.md': 'x' } });
    const response = await plugin.handleCommand('word-count', { path: 'a.md' });
    expect(response).toMatchObject({ success: false, error: expect.stringContaining('Permission denied') });
  });

  it('emits word_count_updated when a file is saved', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, { files: { 'notes/a.md': 'four little words here' } });
    await plugin.onEvent(guestEvents.fileSaved('notes/a.md'));
    expect(host).toHaveEmitted('word_count_updated', { path: 'notes/a.md', words: 4 });
  });

  it('declares its command and asks for read_files with a reason', async () => {
    const { plugin } = await loadTestPlugin(wasm);
    expect(plugin.manifest.commands).toEqual(['word-count']);
    expect(plugin.manifest.requested_permissions?.reasons).toEqual({ read_files: 'to count the words of your notes' });
    expect(await plugin.handleCommand('other')).toMatchObject({ success: false, error_code: 'command_not_declared' });
  });

  it('works the same in a worker', async () => {
    const { plugin } = await loadTestPlugin(wasm, { files: { 'a.md': 'one two three' }, runInWorker: true });
    try {
      expect(await plugin.handleCommand('word-count', { path: 'a.md' })).toMatchObject({ data: { counts: { words: 3 } } });
    } finally {
      await plugin.close();
    }
  });
});
}
