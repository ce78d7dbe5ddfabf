import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteInFolder, openFolder, readInFolder, writeAtomically } from './opened-folder.js';

const temps: string[] = [];
afterAll(() => Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true }))));

async function folders() {
  const root = await mkdtemp(join(tmpdir(), 'diaryx-folder-'));
  const outside = await mkdtemp(join(tmpdir(), 'diaryx-folder-out-'));
  temps.push(root, outside);
  await mkdir(join(root, 'notes'));
  await writeFile(join(root, 'notes/a.md'), 'old');
  await symlink(outside, join(root, 'away'));
  return { root, outside };
}

// Both ways of opening a folder: held open through /proc/self/fd (Linux) and the portable one.
const ways = process.platform === 'linux' ? [true, false] : [false];

describe.each(ways)('openFolder (anchored: %s)', (anchored) => {
  it('writes atomically, reads and deletes inside the real folder, creating missing folders', async () => {
    const { root } = await folders();
    const folder = openFolder(root, ['notes', 'new', 'deep'], true, anchored);
    writeAtomically(folder, 'b.md', new TextEncoder().encode('b'), 'notes/new/deep/b.md');
    expect(readInFolder(folder, 'b.md').toString()).toBe('b');
    deleteInFolder(folder, 'b.md', 'notes/new/deep/b.md');
    folder.close();
    expect(await readdir(join(root, 'notes/new/deep'))).toEqual([]);
    const notes = openFolder(root, ['notes'], false, anchored);
    writeAtomically(notes, 'a.md', new TextEncoder().encode('new'), 'notes/a.md');
    notes.close();
    expect(await readFile(join(root, 'notes/a.md'), 'utf8')).toBe('new');
    expect(await readdir(join(root, 'notes'))).toEqual(['a.md', 'new']);
  });

  it('never goes through a symbolic link, not even one inside the workspace, nor creates anything behind it', async () => {
    const { root, outside } = await folders();
    await symlink('notes', join(root, 'n'));
    expect(() => openFolder(root, ['away', 'x'], true, anchored)).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => openFolder(root, ['n'], false, anchored)).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(await readdir(outside)).toEqual([]);
  });

  it('does not follow a link in place of the file it reads', async () => {
    const { root, outside } = await folders();
    await writeFile(join(outside, 'secret.md'), 'secret');
    await symlink(join(outside, 'secret.md'), join(root, 'notes/s.md'));
    const folder = openFolder(root, ['notes'], false, anchored);
    expect(() => readInFolder(folder, 's.md')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    folder.close();
  });
});
