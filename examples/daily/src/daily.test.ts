import { fileURLToPath } from 'node:url';
import { guestEvents } from '@diaryx/loader';
import { loadTestPlugin } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { describe, expect, it } from 'vitest';

const wasm = fileURLToPath(new URL('../build/plugin.wasm', import.meta.url));
const granted = {
  read_files: { include: ['all'], exclude: [] },
  create_files: { include: ['Daily'], exclude: [] },
  plugin_storage: { include: ['all'], exclude: [] },
};

describe('daily example', () => {
  it('creates today\'s entry at a date-based path from the default template, using the host clock', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, { now: '2024-03-09T23:30:00Z', utcOffsetMinutes: 120, permissions: granted });
    expect(await plugin.handleCommand('open-today')).toEqual({
      success: true,
      data: { path: 'Daily/2024/03/2024-03-10.md', created: true },
    });
    expect(host).toHaveFile('Daily/2024/03/2024-03-10.md', '# 2024-03-10\n\n');
  });

  it('opens an existing entry without overwriting it', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, {
      now: '2024-03-10T08:00:00Z',
      permissions: granted,
      files: { 'Daily/2024/03/2024-03-10.md': 'my notes' },
    });
    expect(await plugin.handleCommand('open-today')).toEqual({ success: true, data: { path: 'Daily/2024/03/2024-03-10.md', created: false } });
    expect(host).toHaveFile('Daily/2024/03/2024-03-10.md', 'my notes');
  });

  it('uses the template kept in plugin storage and the folder from its config', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, {
      now: '2024-03-10T08:00:00Z',
      permissions: { ...granted, create_files: { include: ['Journal'], exclude: [] } },
      config: { folder: 'Journal' },
    });
    await plugin.init({ workspace_root: '/ws' });
    expect(await plugin.handleCommand('set-template', { template: '## {{date}}\n- [ ] plan' })).toEqual({ success: true });
    expect(host.storage.text('diaryx.example.daily:template')).toBe('## {{date}}\n- [ ] plan');
    await plugin.handleCommand('open-today');
    expect(host).toHaveFile('Journal/2024/03/2024-03-10.md', '## 2024-03-10\n- [ ] plan');
  });

  it('remembers the workspace root from workspace_opened', async () => {
    const { plugin } = await loadTestPlugin(wasm, { permissions: granted });
    await plugin.onEvent(guestEvents.workspaceOpened('/Users/me/journal'));
    expect(await plugin.handleCommand('get-settings')).toEqual({
      success: true,
      data: { folder: 'Daily', template: '# {{date}}\n\n', workspace_root: '/Users/me/journal' },
    });
  });

  it('without create_files it fails with the permission named and writes nothing', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, { now: '2024-03-10T08:00:00Z', permissions: { read_files: granted.read_files } });
    await expect(plugin.handleCommand('open-today')).rejects.toMatchObject({
      kind: 'host_trap',
      message: expect.stringContaining("create_files on 'Daily/2024/03/2024-03-10.md'"),
    });
    expect(host.files()).toEqual({});
    expect(host).toHaveCalledHost('host_write_file');
    expect(host.calls.find((c) => c.name === 'host_write_file')!.outcome).toBe('denied');
  });

  it('answers a bad set-template with a config_error', async () => {
    const { plugin } = await loadTestPlugin(wasm, { permissions: granted });
    expect(await plugin.handleCommand('set-template', {})).toEqual({
      success: false,
      error: 'set-template needs params.template',
      error_code: 'config_error',
    });
  });
});
