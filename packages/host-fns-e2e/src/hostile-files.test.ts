import { spawn } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  allowAll,
  createHostContext,
  denyAll,
  frontmatterChecker,
  type PermissionChecker,
  type PermissionRule,
  rulesChecker,
} from '@diaryx/host-fns';
import { makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPluginsFromDir } from '@diaryx/loader';
import { loadProbe, probeWasm } from './probe.js';
import { probeInChild } from './probe-in-child.js';
import { diskWorkspace } from './workspace.js';

// The file-system attacks of the security round 2 (issue 15, items 4, 5, 8, 9, 10, 16, 17) and
// §4.1's path string (issue 21.5), each through the real probe plugin in both modes.
afterEach(removeTempDirs);

// Generous: a child process starts slowly on a loaded machine; a hang is still told apart.
const CHILD_DEADLINE_MS = 60_000;
const modes = [
  ['in-process', false],
  ['worker', true],
] as const;

describe.each(modes)('hostile workspaces, %s', (_mode, runInWorker) => {
  it('15.4 a write to a dangling link leading outside is refused; no outside file is created', async () => {
    const { fs, root } = await diskWorkspace({ 'a.md': 'x' });
    const outside = await makeTempDir('diaryx-outside-');
    await symlink(join(outside, 'new.md'), join(root, 'dangling.md'));
    await symlink(join(outside, 'deep/er/new.md'), join(root, 'dangling-deep.md'));
    const probe = await loadProbe({ fs, permissions: allowAll }, { runInWorker });
    expect(await probe.call('host_write_file', { path: 'dangling.md', content: 'pwned' })).toBe(
      "host_write_file: path 'dangling.md' leads outside the workspace",
    );
    expect(await probe.call('host_write_binary', { path: 'dangling-deep.md', content: 'eA==' })).toMatch(/leads outside the workspace/);
    expect(await readdir(outside)).toEqual([]);
    expect(await probe.call('host_file_exists', { path: 'dangling.md' })).toBe('false');
  });

  it('15.5 two link loops (notes/l1 → ., notes/l2 → .) do not hang the host: links are listed, not walked into', async () => {
    const { root } = await diskWorkspace({ 'notes/a.md': 'a', 'top.md': 't' });
    await symlink('.', join(root, 'notes/l1'));
    await symlink('.', join(root, 'notes/l2'));
    // In a child process: before the fix the synchronous walk never ended (and froze every timer).
    const outcome = await probeInChild({ root, fn: 'host_list_files', input: { prefix: '' }, runInWorker, timeoutMs: CHILD_DEADLINE_MS });
    expect(outcome.hung).toBe(false);
    expect(JSON.parse(outcome.output)).toEqual(['notes', 'notes/a.md', 'notes/l1', 'notes/l2', 'top.md']);
    const listed = await probeInChild({ root, fn: 'host_list_files', input: { prefix: 'notes/l1' }, runInWorker, timeoutMs: CHILD_DEADLINE_MS });
    expect(JSON.parse(listed.output)).toEqual(['notes/l1/a.md', 'notes/l1/l1', 'notes/l1/l2']);
  }, 150_000);

  it('15.9 a link to a folder outside is skipped; the rest of the workspace is listed', async () => {
    const { fs, root } = await diskWorkspace({ 'notes/a.md': 'a', 'z.md': 'z' });
    const outside = await makeTempDir('diaryx-outside-');
    await writeFile(join(outside, 'secret.md'), 'secret');
    await symlink(outside, join(root, 'notes/escape'));
    const probe = await loadProbe({ fs, permissions: allowAll }, { runInWorker });
    expect(JSON.parse(await probe.call('host_list_files', { prefix: '' }))).toEqual(['notes', 'notes/a.md', 'z.md']);
    expect(JSON.parse(await probe.call('host_list_files', { prefix: 'notes' }))).toEqual(['notes/a.md']);
  });

  it('15.16 an exclude rule holds through a link inside the workspace (pub → private)', async () => {
    const { fs, root } = await diskWorkspace({ 'private/secret.md': 'secret', 'notes/a.md': 'a' });
    await symlink('private', join(root, 'pub'));
    const rule: PermissionRule = { include: ['all'], exclude: ['private'] };
    const permissions = rulesChecker({ probe: { permissions: { read_files: rule, edit_files: rule, create_files: rule, delete_files: rule } } });
    const probe = await loadProbe({ fs, permissions }, { runInWorker });
    const denied = "Permission denied for plugin 'probe': read_files on 'private/secret.md'";
    expect(await probe.call('host_read_file', { path: 'pub/secret.md' })).toBe(JSON.stringify({ error: denied }));
    expect(await probe.trap('host_read_binary', { path: 'pub/secret.md' })).toContain(denied);
    expect(await probe.call('host_hash_file', { path: 'pub/secret.md' })).toBe('');
    expect(await probe.trap('host_list_files', { prefix: 'pub' })).toContain("read_files on 'private'");
    expect(await probe.trap('host_write_file', { path: 'pub/secret.md', content: 'x' })).toContain("edit_files on 'private/secret.md'");
    expect(await probe.trap('host_write_file', { path: 'pub/new.md', content: 'x' })).toContain("create_files on 'private/new.md'");
    expect(await probe.trap('host_delete_file', { path: 'pub/secret.md' })).toContain("delete_files on 'private/secret.md'");
    expect(await readFile(join(root, 'private/secret.md'), 'utf8')).toBe('secret');
    expect(await stat(join(root, 'private/new.md')).catch(() => null)).toBeNull();
    // A link to an allowed place still works, and writes go to where it leads.
    await symlink('notes', join(root, 'n'));
    expect(await probe.call('host_read_file', { path: 'n/a.md' })).toBe('a');
    expect(await probe.call('host_write_file', { path: 'n/b.md', content: 'b' })).toBe('');
    expect(await readFile(join(root, 'notes/b.md'), 'utf8')).toBe('b');
  });

  it('15.10 (D22) a write that fails part-way (full disk) leaves the old note whole, text and binary', async () => {
    const note = 'n'.repeat(180 * 1024);
    const { root } = await diskWorkspace({ 'notes/big.md': note, 'img.bin': new Uint8Array(180 * 1024).fill(7) });
    const write = (fn: string, path: string, content: string) =>
      probeInChild({ root, fn, input: { path, content }, runInWorker, timeoutMs: CHILD_DEADLINE_MS, fileSizeLimitKiB: 200 });
    // 300 KiB under a 200 KiB file-size limit: the write fails after 200 KiB (EFBIG, as ENOSPC on a full disk).
    expect((await write('host_write_file', 'notes/big.md', 'new '.repeat(75 * 1024))).output).toMatch(/^host_write_file: EFBIG/);
    expect(await readFile(join(root, 'notes/big.md'), 'utf8')).toBe(note);
    const bytes = Buffer.alloc(300 * 1024, 9).toString('base64');
    expect((await write('host_write_binary', 'img.bin', bytes)).output).toMatch(/^host_write_binary: EFBIG/);
    expect(await readFile(join(root, 'img.bin'))).toEqual(Buffer.alloc(180 * 1024, 7));
    // No temporary file is left behind, and a write that fits still replaces the note.
    expect((await readdir(root, { recursive: true })).filter((name) => name.includes('.tmp'))).toEqual([]);
    expect((await write('host_write_file', 'notes/big.md', 'short')).output).toBe('');
    expect(await readFile(join(root, 'notes/big.md'), 'utf8')).toBe('short');
  }, 300_000);

  it('15.17 a link flipped by another process between check and write never gets a file outside (3,000 writes)', async () => {
    const { fs, root } = await diskWorkspace({ 'inside/keep.md': 'k' });
    const outside = await makeTempDir('diaryx-outside-');
    await symlink(join(root, 'inside'), join(root, 'flip'));
    const flipper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs'); const [link, a, b] = process.argv.slice(1); let i = 0;
         for (;;) { const tmp = link + '.t'; try { fs.rmSync(tmp, { force: true }); fs.symlinkSync(i++ % 2 ? a : b, tmp); fs.renameSync(tmp, link); } catch {} }`,
        join(root, 'flip'),
        join(root, 'inside'),
        outside,
      ],
      { stdio: 'ignore' },
    );
    try {
      const probe = await loadProbe({ fs, permissions: allowAll }, { runInWorker });
      const outcomes = { written: 0, refused: 0 };
      for (let i = 0; i < 3000; i += 1) {
        const output = await probe
          .call('host_write_file', { path: `flip/n${i % 50}.md`, content: `write ${i}` })
          .catch((error: Error) => error.message);
        if (output === '') outcomes.written += 1;
        else if (/leads outside the workspace|symbolic link|ENOENT/.test(output)) outcomes.refused += 1;
        else throw new Error(`unexpected answer: ${output}`);
      }
      // The link did flip during the run (both answers seen), and nothing ever landed outside.
      expect(outcomes.written).toBeGreaterThan(0);
      expect(outcomes.refused).toBeGreaterThan(0);
      expect(await readdir(outside)).toEqual([]);
    } finally {
      flipper.kill('SIGKILL');
    }
    expect((await lstat(join(root, 'inside/keep.md'))).isFile()).toBe(true);
  }, 150_000);

  it('21.5 (§4.1) the permission checker gets the guest’s original path string; the file system the normalised one', async () => {
    const { fs } = await diskWorkspace({ 'notes/a.md': 'a' });
    const asked: string[] = [];
    const spy: PermissionChecker = { check: (_id, key, target) => (asked.push(`${key} ${target}`), { allowed: true }) };
    const probe = await loadProbe({ fs, permissions: spy }, { runInWorker });
    expect(await probe.call('host_read_file', { path: './notes/a.md' })).toBe('a');
    expect(asked[0]).toBe('read_files ./notes/a.md');
    // §6.3 DenyAll: `(<key> on '<target>')` names the target as the checker received it.
    const denied = await loadProbe({ fs, permissions: denyAll }, { runInWorker });
    expect(await denied.call('host_read_file', { path: './notes/a.md' })).toBe(
      JSON.stringify({ error: "Permission denied: no permissions configured for plugin 'probe' (read_files on './notes/a.md')" }),
    );
    expect(await denied.trap('host_write_file', { path: 'notes//a.md', content: 'x' })).toContain("(edit_files on 'notes//a.md')");
    expect(await denied.trap('host_list_files', { prefix: 'notes\\' })).toContain("(read_files on 'notes\\')");
    // §6.3 Frontmatter/rules checker: it normalises the target itself (`./Daily/x.md` → `Daily/x.md`).
    const rules = await loadProbe({ fs, permissions: rulesChecker({ probe: { permissions: {} } }) }, { runInWorker });
    expect(await rules.call('host_read_file', { path: './notes/a.md' })).toContain("read_files on 'notes/a.md'. Add plugins.probe");
  });
});

describe.each(modes)('15.8 (D21) protected files, %s', (_mode, runInWorker) => {
  const INDEX = [
    '---',
    'title: Journal',
    'contents: []',
    'plugins:',
    '  probe:',
    '    permissions:',
    '      read_files: { include: [all] }',
    '      edit_files: { include: [all] }',
    '      create_files: { include: [all] }',
    '      delete_files: { include: [all] }',
    '---',
    'Body',
    '',
  ].join('\n');

  async function setUp() {
    const { fs, root } = await diskWorkspace({
      'README.md': INDEX,
      '.diaryx/plugins/other/plugin.wasm': 'wasm',
      '.diaryx/plugins/other/config.json': '{}',
      'notes/a.md': 'a',
    });
    const probe = await loadProbe(
      {
        fs,
        permissions: frontmatterChecker(fs, 'README.md'),
        protectedFiles: { pluginsDir: join(root, '.diaryx/plugins'), rootIndexPath: 'README.md' },
      },
      { runInWorker },
    );
    return { root, probe };
  }

  it('guest writes and deletes in the plugins folder are refused, also through a link and another spelling', async () => {
    const { root, probe } = await setUp();
    await symlink('.diaryx/plugins', join(root, 'p'));
    const refused = /Permission denied for plugin 'probe': '\.diaryx\/plugins\/other\/\S+' is inside the plugins folder/;
    expect(await probe.trap('host_write_binary', { path: '.diaryx/plugins/other/plugin.wasm', content: 'AA==' })).toMatch(refused);
    expect(await probe.trap('host_write_file', { path: '.diaryx/plugins/other/config.json', content: '{"x":1}' })).toMatch(refused);
    expect(await probe.trap('host_write_file', { path: 'p/other/config.json', content: '{"x":1}' })).toMatch(refused);
    expect(await probe.trap('host_delete_file', { path: '.diaryx/plugins/other/plugin.wasm' })).toMatch(refused);
    expect(await probe.trap('host_write_file', { path: '.diaryx/plugins/new/plugin.wasm', content: 'x' })).toMatch(/inside the plugins folder/);
    // Case-insensitive file systems reach the same folder through another spelling.
    expect(await probe.trap('host_write_file', { path: '.DIARYX/Plugins/other/plugin.wasm', content: 'x' })).toMatch(/inside the plugins folder/);
    expect(await readFile(join(root, '.diaryx/plugins/other/plugin.wasm'), 'utf8')).toBe('wasm');
    expect(await readFile(join(root, '.diaryx/plugins/other/config.json'), 'utf8')).toBe('{}');
    expect(await probe.call('host_read_file', { path: '.diaryx/plugins/other/config.json' })).toBe('{}');
  });

  it('a write that changes the root index plugins block is refused; other edits of it stay allowed', async () => {
    const { root, probe } = await setUp();
    const granted = INDEX.replace('      delete_files: { include: [all] }', '      delete_files: { include: [all] }\n      http_requests: { include: [all] }');
    const message = await probe.trap('host_write_file', { path: 'README.md', content: granted });
    expect(message).toContain("Permission denied for plugin 'probe': this write to 'README.md' would change the 'plugins' block of the root index");
    expect(await readFile(join(root, 'README.md'), 'utf8')).toBe(INDEX);
    expect(await probe.trap('host_write_file', { path: 'README.md', content: 'no frontmatter at all' })).toContain("'plugins' block");
    expect(await probe.trap('host_delete_file', { path: 'README.md' })).toContain("deleting 'README.md' would change the 'plugins' block");
    // A file in the root folder that could be taken for the root index cannot get a plugins block either.
    expect(await probe.trap('host_write_file', { path: '0.md', content: INDEX })).toContain("'plugins' block");
    // Editing the contents and the body (the daily plugin's case) keeps working; so do notes.
    const edited = INDEX.replace('contents: []', 'contents:\n  - notes/a.md').replace('Body', 'New body');
    expect(await probe.call('host_write_file', { path: 'README.md', content: edited })).toBe('');
    expect(await readFile(join(root, 'README.md'), 'utf8')).toBe(edited);
    expect(await probe.call('host_write_file', { path: 'notes/plugins.md', content: '---\nplugins: {}\n---\n' })).toBe('');
  });
});

describe('15.8 (D21) the plugins folder the loader scans is protected without being named', () => {
  it('a plugin loaded by loadPluginsFromDir from <workspace>/.diaryx/plugins cannot write into that folder', async () => {
    const { fs, root } = await diskWorkspace({ 'notes/a.md': 'a', '.diaryx/plugins/other/config.json': '{}' });
    await mkdir(join(root, '.diaryx/plugins/probe'), { recursive: true });
    await writeFile(join(root, '.diaryx/plugins/probe/plugin.wasm'), await probeWasm());
    const host = createHostContext({ fs, permissions: allowAll });
    const { plugins, failures } = await loadPluginsFromDir(join(root, '.diaryx/plugins'), host, { runInWorker: false });
    expect(failures).toEqual([]);
    const probe = plugins[0]!;
    try {
      expect(host.protectedFiles.pluginsDirs).toEqual([join(root, '.diaryx/plugins')]);
      const write = (path: string) => probe.call('probe_host_write_file', JSON.stringify({ path, content: 'pwned' }));
      await expect(write('.diaryx/plugins/other/config.json')).rejects.toThrow(/inside the plugins folder/);
      await expect(write('.diaryx/plugins/probe/plugin.wasm')).rejects.toThrow(/inside the plugins folder/);
      expect(await readFile(join(root, '.diaryx/plugins/other/config.json'), 'utf8')).toBe('{}');
      await write('notes/b.md');
      expect(await readFile(join(root, 'notes/b.md'), 'utf8')).toBe('pwned');
    } finally {
      await probe.close();
    }
  });
});
