import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileMetadata, WorkspaceFileSystem } from '../services/workspace-fs.js';

/**
 * The workspace as a folder on disk. Paths are resolved inside `rootDir`; one that would leave
 * it (through `..` or a symbolic link pointing outside) is refused with an error, so even a
 * host-function bug cannot reach files outside the workspace. Writes create parent folders.
 * Synchronous (local disk), so it serves in-process and worker-mode plugins alike.
 *
 * @example
 * const host = createHostContext({ fs: nodeWorkspaceFs('/Users/me/journal') });
 */
export function nodeWorkspaceFs(rootDir: string): WorkspaceFileSystem {
  const root = resolve(rootDir);
  let realRoot: string | undefined;
  const statOrNull = (path: string) => {
    try {
      return statSync(path);
    } catch {
      return null;
    }
  };
  const inside = (base: string, path: string) => {
    const rel = relative(base, path);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  };

  function locate(path: string): string {
    const full = resolve(root, path);
    if (!inside(root, full)) throw new Error(`path '${path}' is outside the workspace`);
    realRoot ??= realpathSync.native(root);
    // Resolve links on the deepest existing ancestor: a link may not lead out of the workspace.
    let existing = full;
    for (;;) {
      let real: string | null = null;
      try {
        real = realpathSync.native(existing);
      } catch {
        // does not exist (yet): check its parent
      }
      if (real !== null) {
        if (!inside(realRoot, real)) throw new Error(`path '${path}' leads outside the workspace`);
        return full;
      }
      const parent = dirname(existing);
      if (parent === existing) return full;
      existing = parent;
    }
  }

  return {
    root,
    readBinary(path) {
      const buffer = readFileSync(locate(path));
      // No copy when the Buffer owns its memory; a slice of Node's shared pool is copied out.
      return buffer.byteLength === buffer.buffer.byteLength ? new Uint8Array(buffer.buffer) : new Uint8Array(buffer);
    },
    writeBinary(path, bytes) {
      const full = locate(path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, bytes);
    },
    deleteFile(path) {
      const full = locate(path);
      if (statSync(full).isDirectory()) throw new Error(`'${path}' is a directory`);
      rmSync(full);
    },
    exists(path) {
      return statOrNull(locate(path)) !== null;
    },
    isDir(path) {
      return statOrNull(locate(path))?.isDirectory() ?? false;
    },
    readDir(path) {
      return readdirSync(locate(path));
    },
    metadata(path): FileMetadata | null {
      const info = statOrNull(locate(path));
      return info === null ? null : { modifiedAtMs: Math.trunc(info.mtimeMs), sizeBytes: info.size };
    },
  };
}

