import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { DirectoryEntry, FileMetadata, WorkspaceFileSystem } from '../services/workspace-fs.js';
import { deleteInFolder, type OpenedFolder, openFolder, readIfUnmoved, readInFolder, WorkspacePathError, withWorkspacePath, writeAtomically } from './opened-folder.js';
import { realLocation } from './real-location.js';

/**
 * The workspace as a folder on disk. Paths are resolved inside `rootDir`; one that would leave
 * it (through `..` or a symbolic link pointing outside, dangling links included) is refused with
 * an error, so even a host-function bug cannot reach files outside the workspace.
 *
 * Symbolic links inside the workspace are followed by reads and by {@link WorkspaceFileSystem.realPath};
 * reads, writes and deletes then open the real folder without following any link on the way, so
 * a link swapped by another process between the check and the write cannot redirect it. Writes
 * create parent folders and are atomic (temporary file + rename, kit decision D22): a failed
 * write, such as on a full disk, leaves the old file whole. `readDirEntries` never walks into
 * links and leaves out links that lead outside.
 *
 * Synchronous (local disk), so it serves in-process and worker-mode plugins alike.
 *
 * @example
 * const host = createHostContext({ fs: nodeWorkspaceFs('/Users/me/journal') });
 */
export function nodeWorkspaceFs(rootDir: string): WorkspaceFileSystem {
  const root = resolve(rootDir);
  let cachedRealRoot: string | undefined;
  const realRoot = () => (cachedRealRoot ??= realpathSync.native(root));
  const inside = (base: string, path: string) => {
    const rel = relative(base, path);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  };
  const statOrNull = (path: string) => {
    try {
      return statSync(path);
    } catch {
      return null;
    }
  };

  /** The real location of a workspace path (links followed); refused when it leads out. */
  function locate(path: string): string {
    const full = resolve(root, path);
    if (!inside(root, full)) throw new WorkspacePathError('outside_workspace', `path '${path}' is outside the workspace`);
    const real = realLocation(full);
    if (!inside(realRoot(), real)) throw new WorkspacePathError('outside_workspace', `path '${path}' leads outside the workspace`);
    return real;
  }
  const partsOf = (real: string) => relative(realRoot(), real).split(sep).filter((part) => part !== '');

  /** Runs `action` in the real parent folder of `path`, opened without following links. */
  function inParent<T>(path: string, create: boolean, action: (folder: OpenedFolder, name: string) => T): T {
    const parts = partsOf(locate(path));
    const name = parts.pop();
    if (name === undefined) throw new Error(`'${path}' is a directory`);
    const folder = openFolder(realRoot(), parts, create);
    try {
      return action(folder, name);
    } finally {
      folder.close();
    }
  }

  /** Node's errors name the workspace path, not the host's. */
  function shown<T>(path: string, action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw withWorkspacePath(error, path);
    }
  }

  function readDirEntries(path: string): DirectoryEntry[] {
    return shown(path, () => {
      const dir = locate(path);
      const entries: DirectoryEntry[] = [];
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isSymbolicLink()) {
          let real: string;
          try {
            real = realLocation(join(dir, entry.name));
          } catch {
            continue; // a link loop (x → x): nothing to list
          }
          if (inside(realRoot(), real)) entries.push({ name: entry.name, kind: 'link' });
        } else {
          entries.push({ name: entry.name, kind: entry.isDirectory() ? 'directory' : 'file' });
        }
      }
      return entries;
    });
  }

  return {
    root,
    readBinary(path) {
      // Host functions read the real location they checked: that file, if it is still there.
      const full = resolve(realRoot(), path);
      const unmoved = full !== realRoot() && inside(realRoot(), full) ? readIfUnmoved(full) : null;
      const buffer = unmoved ?? shown(path, () => inParent(path, false, (folder, name) => readInFolder(folder, name)));
      // No copy when the Buffer owns its memory; a slice of Node's shared pool is copied out.
      return buffer.byteLength === buffer.buffer.byteLength ? new Uint8Array(buffer.buffer) : new Uint8Array(buffer);
    },
    writeBinary(path, bytes) {
      shown(path, () => inParent(path, true, (folder, name) => writeAtomically(folder, name, bytes, path)));
    },
    deleteFile(path) {
      shown(path, () => inParent(path, false, (folder, name) => deleteInFolder(folder, name, path)));
    },
    exists(path) {
      return shown(path, () => statOrNull(locate(path)) !== null);
    },
    isDir(path) {
      return shown(path, () => statOrNull(locate(path))?.isDirectory() ?? false);
    },
    readDir(path) {
      return readDirEntries(path).map((entry) => entry.name);
    },
    readDirEntries,
    realPath(path) {
      return shown(path, () => partsOf(locate(path)).join('/'));
    },
    locateHostPath(hostPath) {
      if (!isAbsolute(hostPath)) return null;
      const real = realLocation(hostPath);
      return inside(realRoot(), real) ? partsOf(real).join('/') : null;
    },
    metadata(path): FileMetadata | null {
      const info = shown(path, () => statOrNull(locate(path)));
      return info === null ? null : { modifiedAtMs: Math.trunc(info.mtimeMs), sizeBytes: info.size };
    },
  };
}
