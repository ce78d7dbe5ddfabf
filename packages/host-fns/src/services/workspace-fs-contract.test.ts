import { mkdtemp, rm } from 'node:fs/promises';
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

  it('fails to read a missing file or a folder, and to delete either', async () => {
    const fs = await make();
    await fs.writeBinary('notes/a.md', encodeUtf8('a'));
    await expect(async () => fs.readBinary('missing.md')).rejects.toThrow();
    await expect(async () => fs.readBinary('notes')).rejects.toThrow();
    await expect(async () => fs.deleteFile('missing.md')).rejects.toThrow();
    await expect(async () => fs.deleteFile('notes')).rejects.toThrow(/directory/);
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
