import { mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileMetadata, WorkspaceFileSystem } from '../services/workspace-fs.js';

/**
 * The workspace as a folder on disk. Paths are resolved inside `rootDir`; one that would leave
 * it (through `..` or a symbolic link pointing outside) is refused with an error, so even a
 * host-function bug cannot reach files outside the workspace. Writes create parent folders.
 *
 * @example
 * const host = createHostContext({ fs: nodeWorkspaceFs('/Users/me/journal') });
 */
export function nodeWorkspaceFs(rootDir: string): WorkspaceFileSystem {
  const root = resolve(rootDir);
  let realRoot: Promise<string> | undefined;
  const inside = (base: string, path: string) => {
    const rel = relative(base, path);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  };

  async function locate(path: string): Promise<string> {
    const full = resolve(root, path);
    if (!inside(root, full)) throw new Error(`path '${path}' is outside the workspace`);
    realRoot ??= realpath(root);
    // Resolve links on the deepest existing ancestor: a link may not lead out of the workspace.
    let existing = full;
    for (;;) {
      const real = await realpath(existing).catch(() => null);
      if (real !== null) {
        if (!inside(await realRoot, real)) throw new Error(`path '${path}' leads outside the workspace`);
        return full;
      }
      const parent = dirname(existing);
      if (parent === existing) return full;
      existing = parent;
    }
  }

  return {
    root,
    async readBinary(path) {
      return new Uint8Array(await readFile(await locate(path)));
    },
    async writeBinary(path, bytes) {
      const full = await locate(path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, bytes);
    },
    async deleteFile(path) {
      const full = await locate(path);
      if ((await stat(full)).isDirectory()) throw new Error(`'${path}' is a directory`);
      await rm(full);
    },
    async exists(path) {
      return (await stat(await locate(path)).catch(() => null)) !== null;
    },
    async isDir(path) {
      return (await stat(await locate(path)).catch(() => null))?.isDirectory() ?? false;
    },
    async readDir(path) {
      return readdir(await locate(path));
    },
    async metadata(path): Promise<FileMetadata | null> {
      const info = await stat(await locate(path)).catch(() => null);
      return info === null ? null : { modifiedAtMs: Math.trunc(info.mtimeMs), sizeBytes: info.size };
    },
  };
}

