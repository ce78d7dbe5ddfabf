import { chmod, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeWorkspaceFs } from '../node/node-workspace-fs.js';
import { encodeUtf8 } from '../util/utf8.js';
import { memoryWorkspaceFs } from './memory-workspace-fs.js';
import type { WorkspaceFileSystem } from './workspace-fs.js';

const temps: string[] = [];
afterAll(() => Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true }))));

// The same behaviour from every WorkspaceFileSystem the kit ships: a browser app on the memory
// workspace sees what a desktop app on the disk sees.
const implementations: Record<string, () => Promise<WorkspaceFileSystem>> = {
  nodeWorkspaceFs: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diaryx-fs-contract-'));
    temps.push(dir);
    return nodeWorkspaceFs(dir);
  },
  memoryWorkspaceFs: async () => memoryWorkspaceFs(),
};

describe.each(Object.entries(implementations))('%s', (_name, make) => {
  it('writes create folders; reads return the bytes; metadata has the size', async () => {
    const fs = await make();
    await fs.writeBinary('notes/2026/a.md', encodeUtf8('héllo'));
    expect(await fs.readBinary('notes/2026/a.md')).toEqual(encodeUtf8('héllo'));
    expect(await fs.isDir('notes')).toBe(true);
    expect(await fs.isDir('notes/2026/a.md')).toBe(false);
    expect(await fs.exists('notes/2026')).toBe(true);
    expect((await fs.metadata('notes/2026/a.md'))?.sizeBytes).toBe(6);
    expect(await fs.metadata('nope.md')).toBeNull();
  });

  it('lists the direct children of a folder and of the root', async () => {
    const fs = await make();
    await fs.writeBinary('b.md', encodeUtf8('b'));
    await fs.writeBinary('notes/a.md', encodeUtf8('a'));
    await fs.writeBinary('notes/deep/c.md', encodeUtf8('c'));
    expect([...(await fs.readDir(''))].sort()).toEqual(['b.md', 'notes']);
    expect([...(await fs.readDir('notes'))].sort()).toEqual(['a.md', 'deep']);
  });

  it('tells folders from files in readDirEntries (readDir gives the same names)', async () => {
    const fs = await make();
    await fs.writeBinary('b.md', encodeUtf8('b'));
    await fs.writeBinary('notes/deep/c.md', encodeUtf8('c'));
    const entries = await fs.readDirEntries!('');
    expect([...entries].sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: 'b.md', kind: 'file' },
      { name: 'notes', kind: 'directory' },
    ]);
    expect(await fs.readDirEntries!('notes')).toEqual([{ name: 'deep', kind: 'directory' }]);
  });

  it('fails to read a missing file or a folder, and to delete either', async () => {
    const fs = await make();
    await fs.writeBinary('notes/a.md', encodeUtf8('a'));
    await expect(async () => fs.readBinary('missing.md')).rejects.toThrow();
    await expect(async () => fs.readBinary('notes')).rejects.toThrow();
    await expect(async () => fs.deleteFile('missing.md')).rejects.toThrow();
    await expect(async () => fs.deleteFile('notes')).rejects.toThrow(/directory/);
    expect(await fs.exists('notes/a.md/below.md')).toBe(false);
    expect(await fs.metadata('notes/a.md/below.md')).toBeNull();
    await fs.deleteFile('notes/a.md');
    expect(await fs.exists('notes/a.md')).toBe(false);
  });

  it('overwrites a file and keeps a copy of the written bytes, not the caller’s array', async () => {
    const fs = await make();
    const bytes = encodeUtf8('one');
    await fs.writeBinary('a.md', bytes);
    bytes[0] = 0x58;
    expect(await fs.readBinary('a.md')).toEqual(encodeUtf8('one'));
    await fs.writeBinary('a.md', encodeUtf8('two!'));
    expect((await fs.metadata('a.md'))?.sizeBytes).toBe(4);
  });
});

describe('nodeWorkspaceFs and symbolic links', () => {
  async function disk() {
    const dir = await mkdtemp(join(tmpdir(), 'diaryx-fs-links-'));
    const outside = await mkdtemp(join(tmpdir(), 'diaryx-fs-outside-'));
    temps.push(dir, outside);
    const fs = nodeWorkspaceFs(dir);
    await fs.writeBinary('notes/a.md', encodeUtf8('a'));
    return { dir, outside, fs };
  }

  it('realPath follows links inside the workspace, dangling ones included, and refuses the way out', async () => {
    const { dir, outside, fs } = await disk();
    await symlink('notes', join(dir, 'n'));
    await symlink('notes/later.md', join(dir, 'pending.md'));
    await symlink(join(outside, 'x.md'), join(dir, 'escape.md'));
    expect(await fs.realPath!('n/a.md')).toBe('notes/a.md');
    expect(await fs.realPath!('pending.md')).toBe('notes/later.md');
    expect(await fs.realPath!('new/deeper.md')).toBe('new/deeper.md');
    expect(await fs.realPath!('')).toBe('');
    await expect(async () => fs.realPath!('escape.md')).rejects.toThrow("path 'escape.md' leads outside the workspace");
    await symlink('self', join(dir, 'self'));
    await expect(async () => fs.realPath!('self')).rejects.toThrow("'self' goes through a symbolic link that loops");
  });

  it('readDirEntries reports links inside as links and leaves out links outside and loops', async () => {
    const { dir, outside, fs } = await disk();
    await symlink('.', join(dir, 'notes/here'));
    await symlink(outside, join(dir, 'notes/away'));
    await symlink('loop', join(dir, 'notes/loop'));
    expect(await fs.readDirEntries!('notes')).toEqual(expect.arrayContaining([{ name: 'here', kind: 'link' }, { name: 'a.md', kind: 'file' }]));
    expect((await fs.readDir('notes')).sort()).toEqual(['a.md', 'here']);
  });

  it('writes through a link land where it leads; a write leaves no temporary file; errors name the workspace path only', async () => {
    const { dir, outside, fs } = await disk();
    await symlink('notes', join(dir, 'n'));
    await fs.writeBinary('n/b.md', encodeUtf8('b'));
    expect(await readFile(join(dir, 'notes/b.md'), 'utf8')).toBe('b');
    expect((await readdir(join(dir, 'notes'))).sort()).toEqual(['a.md', 'b.md']);
    await symlink(outside, join(dir, 'away'));
    await expect(async () => fs.writeBinary('away/x.md', encodeUtf8('x'))).rejects.toThrow("path 'away/x.md' leads outside the workspace");
    const missing = await Promise.resolve()
      .then(() => fs.readBinary('notes/missing.md'))
      .catch((error: Error) => error.message);
    expect(missing).toBe("ENOENT: no such file or directory, open 'notes/missing.md'");
    expect(await readdir(outside)).toEqual([]);
  });

  it('a write keeps the permission bits of the file it replaces and refuses a read-only one', async () => {
    const { dir, fs } = await disk();
    await chmod(join(dir, 'notes/a.md'), 0o640);
    await fs.writeBinary('notes/a.md', encodeUtf8('new'));
    expect((await stat(join(dir, 'notes/a.md'))).mode & 0o777).toBe(0o640);
    await chmod(join(dir, 'notes/a.md'), 0o440);
    if (process.getuid?.() !== 0) {
      await expect(async () => fs.writeBinary('notes/a.md', encodeUtf8('x'))).rejects.toThrow(/EACCES/);
      expect(await readFile(join(dir, 'notes/a.md'), 'utf8')).toBe('new');
    }
  });
});

describe('memoryWorkspaceFs', () => {
  it('starts with the given files (text as UTF-8) and stamps writes with its clock', () => {
    const fs = memoryWorkspaceFs({ 'a.md': 'é', 'bin/x': Uint8Array.of(1, 2) }, () => 42);
    expect(fs.readBinary('a.md')).toEqual(Uint8Array.of(0xc3, 0xa9));
    expect(fs.metadata('bin/x')).toEqual({ modifiedAtMs: 42, sizeBytes: 2 });
  });

  it('refuses a file where a folder is, and a folder where a file is', () => {
    const fs = memoryWorkspaceFs({ 'notes/a.md': 'a' });
    expect(() => fs.writeBinary('notes', encodeUtf8('x'))).toThrow(/directory/);
    expect(() => fs.writeBinary('notes/a.md/b.md', encodeUtf8('x'))).toThrow(/is a file/);
  });
});
