import { encodeUtf8 } from '../util/utf8.js';
import type { DirectoryEntry, FileMetadata, WorkspaceFileSystem } from './workspace-fs.js';

interface StoredFile {
  bytes: Uint8Array;
  modifiedAtMs: number;
}

/**
 * A workspace held in memory: for browsers (seed it from IndexedDB or OPFS, or write your own
 * {@link WorkspaceFileSystem} over them), for demos and for tests without a disk. Folders exist
 * while a file is inside them; writes create them. Synchronous, so in-process plugins can use it.
 *
 * @param files the starting files, by workspace-relative path (text is stored as UTF-8)
 * @param now the modification time given to writes (default `Date.now`)
 * @example
 * const host = createHostContext({ fs: memoryWorkspaceFs({ 'notes/a.md': '# Hello' }), permissions: allowAll });
 */
export function memoryWorkspaceFs(
  files: Record<string, string | Uint8Array> = {},
  now: () => number = Date.now,
): WorkspaceFileSystem {
  const stored = new Map<string, StoredFile>();
  const clean = (path: string) => path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const isDir = (path: string) => {
    if (path === '') return true;
    const prefix = `${path}/`;
    for (const key of stored.keys()) if (key.startsWith(prefix)) return true;
    return false;
  };
  const file = (path: string): StoredFile => {
    const found = stored.get(clean(path));
    if (found) return found;
    throw new Error(isDir(clean(path)) ? `'${path}' is a directory` : `no such file: '${path}'`);
  };
  const write = (path: string, bytes: Uint8Array) => {
    const key = clean(path);
    if (key === '' || isDir(key)) throw new Error(`'${path}' is a directory`);
    for (let slash = key.indexOf('/'); slash !== -1; slash = key.indexOf('/', slash + 1)) {
      if (stored.has(key.slice(0, slash))) throw new Error(`'${key.slice(0, slash)}' is a file, not a folder`);
    }
    stored.set(key, { bytes: bytes.slice(), modifiedAtMs: now() });
  };
  // No links in memory: every child is a file or a folder.
  const readDirEntries = (path: string): DirectoryEntry[] => {
    const dir = clean(path);
    if (!isDir(dir)) throw new Error(`not a folder: '${path}'`);
    const prefix = dir === '' ? '' : `${dir}/`;
    const entries = new Map<string, DirectoryEntry>();
    for (const key of stored.keys()) {
      if (!key.startsWith(prefix)) continue;
      const [name, ...rest] = key.slice(prefix.length).split('/');
      if (rest.length > 0 || !entries.has(name!)) entries.set(name!, { name: name!, kind: rest.length > 0 ? 'directory' : 'file' });
    }
    return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };
  for (const [path, content] of Object.entries(files)) write(path, typeof content === 'string' ? encodeUtf8(content) : content);

  return {
    readBinary: (path) => file(path).bytes.slice(),
    writeBinary: write,
    deleteFile(path) {
      file(path);
      stored.delete(clean(path));
    },
    exists: (path) => stored.has(clean(path)) || isDir(clean(path)),
    isDir: (path) => isDir(clean(path)),
    readDir: (path) => readDirEntries(path).map((entry) => entry.name),
    readDirEntries,
    metadata(path): FileMetadata | null {
      const found = stored.get(clean(path));
      if (found) return { modifiedAtMs: found.modifiedAtMs, sizeBytes: found.bytes.length };
      return isDir(clean(path)) ? { modifiedAtMs: null, sizeBytes: null } : null;
    },
  };
}
