import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, denyAll, NO_CHECKER_MESSAGE, type PermissionChecker, rulesChecker } from '@diaryx/host-fns';
import { removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';
import { diskWorkspace } from './workspace.js';

afterEach(removeTempDirs);

const DENY = (key: string, target: string) =>
  `Permission denied: no permissions configured for plugin 'probe' (${key} on '${target}')`;

describe('host_read_file (AB-H1)', () => {
  it('returns the raw text; an empty file gives ""', async () => {
    const { fs } = await diskWorkspace({ 'notes/a.md': 'héllo ✓', 'empty.md': '' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_read_file', { path: 'notes/a.md' })).toBe('héllo ✓');
    expect(await probe.call('host_read_file', { path: 'empty.md' })).toBe('');
  });

  it('returns {"error": <denial>} with the exact deny-all text, and the no-checker text', async () => {
    const { fs } = await diskWorkspace({ 'a.md': 'x' });
    expect(await (await loadProbe({ fs, permissions: denyAll })).call('host_read_file', { path: 'a.md' })).toBe(
      JSON.stringify({ error: DENY('read_files', 'a.md') }),
    );
    expect(await (await loadProbe({ fs })).call('host_read_file', { path: 'a.md' })).toBe(JSON.stringify({ error: NO_CHECKER_MESSAGE }));
  });

  it('returns {"error":"host_read_file: …"} for a missing file and for invalid UTF-8', async () => {
    const { fs } = await diskWorkspace({ 'bad.bin': new Uint8Array([0x66, 0xff, 0x66]) });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(JSON.parse(await probe.call('host_read_file', { path: 'missing.md' }))).toEqual({
      error: expect.stringMatching(/^host_read_file: .*ENOENT/),
    });
    expect(await probe.call('host_read_file', { path: 'bad.bin' })).toBe('{"error":"host_read_file: stream did not contain valid UTF-8"}');
  });

  it('traps on malformed input or a missing field, and ignores unknown fields (AB-H3)', async () => {
    const { fs } = await diskWorkspace({ 'a.md': 'x' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.trap('host_read_file', 'not json')).toMatch(/host_read_file: invalid input: /);
    expect(await probe.trap('host_read_file', {})).toContain('host_read_file: invalid input: missing field `path`');
    expect(await probe.trap('host_read_file', { path: null })).toContain('host_read_file: invalid input: invalid type: null');
    expect(await probe.call('host_read_file', { path: 'a.md', extra: 1 })).toBe('x');
  });
});

describe('path traversal and absolute paths (AB-H2, kit D3)', () => {
  const pathFunctions: Array<[string, (path: string) => object]> = [
    ['host_read_file', (path) => ({ path })],
    ['host_read_binary', (path) => ({ path })],
    ['host_list_files', (prefix) => ({ prefix })],
    ['host_file_exists', (path) => ({ path })],
    ['host_file_metadata', (path) => ({ path })],
    ['host_write_file', (path) => ({ path, content: 'x' })],
    ['host_delete_file', (path) => ({ path })],
    ['host_write_binary', (path) => ({ path, content: 'eA==' })],
    ['host_hash_file', (path) => ({ path })],
  ];

  it.each(pathFunctions)('%s traps on ../ and ..\\ before any permission check', async (fn, input) => {
    const { fs } = await diskWorkspace({ 'a.md': 'x' });
    const checked: string[] = [];
    const spy: PermissionChecker = { check: (_p, key) => (checked.push(key), { allowed: true, reason: 'allowed' as const }) };
    const probe = await loadProbe({ fs, permissions: spy });
    expect(await probe.trap(fn, input('../secret.txt'))).toContain("Path traversal not allowed: '../secret.txt'");
    expect(await probe.trap(fn, input('notes\\..\\..\\x'))).toContain("Path traversal not allowed: 'notes\\..\\..\\x'");
    expect(checked).toEqual([]);
  });

  it('allows ..a, a.. and ... components', async () => {
    const { fs } = await diskWorkspace({ '..a/x.md': '1', 'a../y.md': '2', '.../z.md': '3' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_read_file', { path: '..a/x.md' })).toBe('1');
    expect(await probe.call('host_read_file', { path: 'a../y.md' })).toBe('2');
    expect(await probe.call('host_read_file', { path: '.../z.md' })).toBe('3');
  });

  it('an absolute path under the workspace is made relative; any other absolute path traps', async () => {
    const { fs, root } = await diskWorkspace({ 'notes/a.md': 'inside' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_read_file', { path: join(root, 'notes/a.md') })).toBe('inside');
    expect(await probe.trap('host_read_file', { path: '/etc/passwd' })).toContain("Absolute path outside the workspace not allowed: '/etc/passwd'");
    expect(await probe.trap('host_write_file', { path: '/tmp/evil.md', content: 'x' })).toContain('outside the workspace');
  });

  it('a symbolic link leading out of the workspace is refused by the file system', async () => {
    const { symlink } = await import('node:fs/promises');
    const { fs, root } = await diskWorkspace({ 'a.md': 'x' });
    await symlink('/etc', join(root, 'escape'));
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_read_file', { path: 'escape/hostname' })).toMatch(/leads outside the workspace/);
  });
});

describe('host_read_binary (AB-H4)', () => {
  it('returns base64; an empty file gives {"data":""}; missing and denied trap', async () => {
    const { fs } = await diskWorkspace({ 'img.bin': new Uint8Array([0, 1, 2, 255]), 'empty.bin': new Uint8Array() });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_read_binary', { path: 'img.bin' })).toBe('{"data":"AAEC/w=="}');
    expect(await probe.call('host_read_binary', { path: 'empty.bin' })).toBe('{"data":""}');
    expect(await probe.trap('host_read_binary', { path: 'nope.bin' })).toMatch(/host_read_binary: .*ENOENT/);
    const denied = await loadProbe({ fs, permissions: denyAll });
    expect(await denied.trap('host_read_binary', { path: 'img.bin' })).toContain(DENY('read_files', 'img.bin'));
  });
});

describe('host_list_files (AB-H5, kit D4)', () => {
  it('lists depth-first with directories, joined to the prefix, sorted; missing prefix → []', async () => {
    const { fs } = await diskWorkspace({ 'notes/b.md': '', 'notes/a.md': '', 'notes/sub/c.md': '', 'top.md': '' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(JSON.parse(await probe.call('host_list_files', { prefix: 'notes' }))).toEqual([
      'notes/a.md',
      'notes/b.md',
      'notes/sub',
      'notes/sub/c.md',
    ]);
    expect(JSON.parse(await probe.call('host_list_files', { prefix: '' }))).toEqual([
      'notes',
      'notes/a.md',
      'notes/b.md',
      'notes/sub',
      'notes/sub/c.md',
      'top.md',
    ]);
    expect(JSON.parse(await probe.call('host_list_files', { prefix: '.' }))).toHaveLength(6);
    expect(await probe.call('host_list_files', { prefix: 'missing' })).toBe('[]');
    expect(await (await loadProbe({ fs, permissions: denyAll })).trap('host_list_files', { prefix: 'notes' })).toContain(
      DENY('read_files', 'notes'),
    );
  });
});

describe('host_file_exists and host_file_metadata (AB-H6, AB-H7)', () => {
  it('exists: true for files and directories, false otherwise; a denial traps', async () => {
    const { fs } = await diskWorkspace({ 'notes/a.md': 'x' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_file_exists', { path: 'notes/a.md' })).toBe('true');
    expect(await probe.call('host_file_exists', { path: 'notes' })).toBe('true');
    expect(await probe.call('host_file_exists', { path: 'nope' })).toBe('false');
    expect(await (await loadProbe({ fs, permissions: denyAll })).trap('host_file_exists', { path: 'notes' })).toContain(DENY('read_files', 'notes'));
  });

  it('metadata: exists/size/mtime; missing or denied → the exact not-found JSON', async () => {
    const { fs, root } = await diskWorkspace({ 'a.md': 'hello' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    const mtime = Math.trunc((await stat(join(root, 'a.md'))).mtimeMs);
    expect(await probe.call('host_file_metadata', { path: 'a.md' })).toBe(`{"exists":true,"modified_at_ms":${mtime},"size_bytes":5}`);
    const notFound = '{"exists":false,"modified_at_ms":null,"size_bytes":null}';
    expect(await probe.call('host_file_metadata', { path: 'nope.md' })).toBe(notFound);
    expect(await (await loadProbe({ fs, permissions: denyAll })).call('host_file_metadata', { path: 'a.md' })).toBe(notFound);
  });
});

describe('writes (AB-H8, AB-H9, AB-H10)', () => {
  it('chooses create_files for a new path and edit_files for an existing one, creating parent folders', async () => {
    const { fs, root } = await diskWorkspace({ 'a.md': 'old' });
    const asked: string[] = [];
    const probe = await loadProbe({ fs, permissions: { check: (_p, key, target) => (asked.push(`${key} ${target}`), { allowed: true, reason: 'allowed' as const }) } });
    expect(await probe.call('host_write_file', { path: 'deep/new/b.md', content: 'ñew' })).toBe('');
    expect(await probe.call('host_write_file', { path: 'a.md', content: 'edited' })).toBe('');
    expect(asked).toEqual(['create_files deep/new/b.md', 'edit_files a.md']);
    expect(await readFile(join(root, 'deep/new/b.md'), 'utf8')).toBe('ñew');
    expect(await readFile(join(root, 'a.md'), 'utf8')).toBe('edited');
  });

  it('a denied write traps and leaves the workspace byte for byte unchanged', async () => {
    const { fs, root } = await diskWorkspace({ 'a.md': 'keep me' });
    const onlyRead = rulesChecker({ probe: { permissions: { read_files: { include: ['all'], exclude: [] } } } });
    const probe = await loadProbe({ fs, permissions: onlyRead });
    expect(await probe.trap('host_write_file', { path: 'a.md', content: 'overwritten' })).toContain(
      "Permission not configured for plugin 'probe': edit_files on 'a.md'",
    );
    expect(await probe.trap('host_write_file', { path: 'new.md', content: 'x' })).toContain('create_files');
    expect(await readFile(join(root, 'a.md'), 'utf8')).toBe('keep me');
    expect(await stat(join(root, 'new.md')).catch(() => null)).toBeNull();
  });

  it('host_write_binary decodes base64 first: bad base64 traps before the path and permission checks', async () => {
    const { fs, root } = await diskWorkspace({});
    const probe = await loadProbe({ fs, permissions: denyAll });
    expect(await probe.trap('host_write_binary', { path: '../x', content: 'not base64!' })).toContain('host_write_binary: base64 decode:');
    const allowed = await loadProbe({ fs, permissions: allowAll });
    expect(await allowed.call('host_write_binary', { path: 'b.bin', content: 'AAEC/w==' })).toBe('');
    expect([...(await readFile(join(root, 'b.bin')))]).toEqual([0, 1, 2, 255]);
    expect(await allowed.call('host_read_binary', { path: 'b.bin' })).toBe('{"data":"AAEC/w=="}');
  });

  it('host_delete_file: a denial traps; a missing file is returned as text', async () => {
    const { fs, root } = await diskWorkspace({ 'a.md': 'x' });
    expect(await (await loadProbe({ fs, permissions: denyAll })).trap('host_delete_file', { path: 'a.md' })).toContain(DENY('delete_files', 'a.md'));
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_delete_file', { path: 'nope.md' })).toMatch(/^host_delete_file: .*ENOENT/);
    expect(await probe.call('host_delete_file', { path: 'a.md' })).toBe('');
    expect(await stat(join(root, 'a.md')).catch(() => null)).toBeNull();
  });

  it('host_write_file reports a write error as text', async () => {
    const { fs } = await diskWorkspace({ 'dir/inner.md': 'x' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_write_file', { path: 'dir', content: 'x' })).toMatch(/^host_write_file: .*EISDIR/);
  });
});

describe('host_hash_file (AB-H24)', () => {
  it('SHA-256 hex; missing or denied → ""', async () => {
    const { fs } = await diskWorkspace({ 'a.txt': 'abc' });
    const probe = await loadProbe({ fs, permissions: allowAll });
    expect(await probe.call('host_hash_file', { path: 'a.txt' })).toBe(
      '{"hash":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}',
    );
    expect(await probe.call('host_hash_file', { path: 'nope' })).toBe('');
    expect(await (await loadProbe({ fs, permissions: denyAll })).call('host_hash_file', { path: 'a.txt' })).toBe('');
  });
});
