// What check and inspect now show that they passed silently before: a UI element the loader
// drops, a slot the target Diaryx does not know, a host function whose permission the manifest
// does not request; and the one-line errors of a missing file and run's advice for a denial.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { runConformance } from './conformance.js';
import { inspectPlugin } from './inspect.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const diaryxPlugin = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

/** A plugin with this manifest (fields merged into a minimal one) whose commands call `hostImports` once each. */
async function plugin(manifest: Record<string, unknown>, hostImports: string[] = []): Promise<string> {
  const text = JSON.stringify({ id: 'test.ui', name: 'UI', version: '1.0.0', description: 'settings', capabilities: [], ...manifest });
  const wat = guestWat({
    manifest: text,
    hostImports,
    data: { ok: '{"success":true}' },
    exports: { handle_command: '(call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)' },
  });
  const path = join(mkdtempSync(join(tmpdir(), 'diaryx-ui-')), 'plugin.wasm');
  writeFileSync(path, await compileWat(wat));
  return path;
}

const tab = (fields: unknown[]) => ({ slot: 'SettingsTab', id: 'sync', label: 'Sync', fields });
const ELEMENTS = 'ui and cli elements are shown by Diaryx 1.4.1';
const PERMISSIONS = 'the host functions it uses have their permission requested';

describe('check: the manifest as the app will read it', () => {
  it('fails on a settings field the loader would drop (a type that does not exist), naming the element and the field', async () => {
    const results = await runConformance(await plugin({ ui: [tab([{ type: 'TextInput', key: 'server', label: 'Server' }])] }), { randomRuns: 2 });
    const result = results.find((r) => r.name === ELEMENTS);
    expect(result).toMatchObject({ status: 'fail' });
    expect(result!.detail).toContain("ui[0] (SettingsTab 'sync'): field fields[0].type: unknown variant `TextInput`");
  });

  it('fails on a field without its label', async () => {
    const results = await runConformance(await plugin({ ui: [tab([{ type: 'Toggle', key: 'auto' }])] }), { randomRuns: 2 });
    expect(results.find((r) => r.name === ELEMENTS)?.detail).toContain("ui[0] (SettingsTab 'sync'): field fields[0]: missing field `label`");
  });

  it('warns (does not fail) on a slot the target does not know, naming the slot; --app-version names the target', async () => {
    const path = await plugin({ ui: [{ slot: 'BlockPickerItem', id: 'callout', label: 'Callout' }] });
    const results = await runConformance(path, { randomRuns: 2 });
    expect(results.find((r) => r.name === ELEMENTS)).toMatchObject({ status: 'warn', detail: expect.stringContaining('the slot `BlockPickerItem` is not known to Diaryx 1.4.1') });
    expect(results.filter((r) => r.status === 'fail').map((r) => r.name)).not.toContain(ELEMENTS);
    const later = await runConformance(path, { randomRuns: 2, appVersion: '1.6.1' });
    expect(later.find((r) => r.name === 'ui and cli elements are shown by Diaryx 1.6.1')?.detail).toContain('not known to Diaryx 1.6.1');
  });

  it('fails on a host function whose permission the manifest does not request, and warns for plugin_storage', async () => {
    const results = await runConformance(await plugin({}, ['host_read_file', 'host_storage_get']), { randomRuns: 2 });
    const result = results.find((r) => r.name === PERMISSIONS);
    expect(result).toMatchObject({ status: 'fail' });
    expect(result!.detail).toContain('host_read_file needs read_files, which the manifest does not request, so Diaryx denies it; add "read_files"');
    expect(result!.detail).toContain('host_storage_get needs plugin_storage, which the manifest does not request: Diaryx grants it unless the workspace excludes it');
    const storageOnly = await runConformance(await plugin({}, ['host_storage_get']), { randomRuns: 2 });
    expect(storageOnly.find((r) => r.name === PERMISSIONS)?.status).toBe('warn');
  });

  it('the text output marks a warning with ! and counts it without failing', async () => {
    const out = diaryxPlugin('check', await plugin({ capabilities: ['custom_commands'], commands: ['x'] }, ['host_storage_get']), '--runs', '2');
    expect(out.stdout).toMatch(/^! the host functions it uses have their permission requested — host_storage_get needs plugin_storage/m);
    expect(out.stdout).toMatch(/with warnings/);
  });

  it('fails a manifest whose commands lack the custom_commands capability (Diaryx never routes them)', async () => {
    const results = await runConformance(await plugin({ capabilities: [], commands: ['count'] }), { randomRuns: 2 });
    expect(results.find((r) => r.name === 'manifest is valid and complete')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('declares commands without the custom_commands capability (Diaryx never routes them)'),
    });
  });

  it('a missing file is one line and exit code 2, not a stack trace', () => {
    for (const command of ['check', 'inspect']) {
      const out = diaryxPlugin(command, '/nonexistent/plugin.wasm');
      expect(out.status, command).toBe(2);
      expect(out.stderr.trim().split('\n'), command).toEqual(['error /nonexistent/plugin.wasm does not exist: give a plugin.wasm (build the plugin first, e.g. npm run build)']);
    }
  });
});

describe('inspect: the UI contributions', () => {
  it('lists each UI element with its fields, and says which one Diaryx would drop', async () => {
    const path = await plugin({
      capabilities: ['custom_commands'],
      commands: ['count'],
      ui: [
        tab([{ type: 'Text', key: 'server', label: 'Server' }, { type: 'Toggle', key: 'auto', label: 'Auto' }]),
        { slot: 'CommandPaletteItem', id: 'count', label: 'Count words', plugin_command: 'count' },
        tab([{ type: 'TextInput', key: 'x', label: 'X' }]),
      ],
    });
    const report = await inspectPlugin(path);
    expect(report.ui).toEqual([
      `SettingsTab 'sync' "Sync" fields: Text server, Toggle auto`,
      `CommandPaletteItem 'count' "Count words" → command count`,
      `SettingsTab 'sync' "Sync" fields: TextInput x`,
    ]);
    expect(report.compatibility).toEqual([expect.stringContaining("ui[2] (SettingsTab 'sync'): field fields[0].type: unknown variant `TextInput`")]);
    const text = diaryxPlugin('inspect', path);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain(`ui: \n  SettingsTab 'sync' "Sync" fields: Text server, Toggle auto\n  CommandPaletteItem 'count' "Count words" → command count\n✗ SettingsTab 'sync' "Sync" fields: TextInput x\n`);
  });
});

describe('run: a denial names the flag that grants it', () => {
  it("advises --allow, not the end user's root-frontmatter edit", async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-run-ws-'));
    writeFileSync(join(workspace, 'a.md'), 'x');
    // The word-count example reads the file it is given.
    const example = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'word-count', 'build', 'plugin.wasm');
    const out = diaryxPlugin('run', example, '--workspace', workspace, 'word-count', '--params', '{"path":"a.md"}', '--json');
    const call = JSON.parse(out.stdout).calls[0];
    expect(call).toMatchObject({ name: 'host_read_file', outcome: 'denied' });
    expect(call.message).toMatch(/read_files on 'a\.md'.* \(diaryx-plugin run grants only what --allow gives: pass --allow read_files for all, or --allow read_files=<scope,…>\)$/);
    expect(call.message).not.toContain('root frontmatter');
  });
});
