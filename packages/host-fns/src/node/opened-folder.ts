import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Why the workspace file system refused a path. */
export class WorkspacePathError extends Error {
  override readonly name = 'WorkspacePathError';
  constructor(
    /** `outside_workspace`: the path leads out of the workspace; `link_loop`: a symbolic link loops, or appeared while the path was used. */
    readonly kind: 'outside_workspace' | 'link_loop',
    message: string,
  ) {
    super(message);
  }
}

const PROC_FD = '/proc/self/fd';
let anchorsAvailable: boolean | undefined;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const FOLDER_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | NOFOLLOW;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Node's error with the host's path replaced by the workspace path the guest knows (the guest
 * must not learn where the workspace lives, nor see `/proc/self/fd/…`).
 */
export function withWorkspacePath(error: unknown, shown: string): unknown {
  const e = error as (NodeJS.ErrnoException & { dest?: unknown }) | null;
  if (e === null || typeof e.message !== 'string') return error;
  if (errorCode(e) === 'ELOOP') return new WorkspacePathError('link_loop', `'${shown}' goes through a symbolic link that loops, or that changed while it was used`);
  if (typeof e.path === 'string') e.message = e.message.split(`'${e.path}'`).join(`'${shown}'`);
  if (typeof e.dest === 'string') e.message = e.message.split(`'${e.dest}'`).join(`'${shown}'`);
  return e;
}

/**
 * A folder inside the workspace, opened without following any symbolic link below the root. On
 * Linux it is held open and every name is reached through `/proc/self/fd/<fd>/<name>`, so a link
 * swapped in by another process afterwards changes nothing (the effect of `openat`). Elsewhere
 * each component is checked not to be a link and the folder's real path is checked again
 * before the final step (`verify`).
 */
export interface OpenedFolder {
  /** A path naming `name` in this very folder. */
  at(name: string): string;
  /** Throws when the folder no longer is where it was opened (a no-op where it is held open). */
  verify(): void;
  close(): void;
}

function useProcAnchors(): boolean {
  anchorsAvailable ??= process.platform === 'linux' && existsSync(`${PROC_FD}/0`);
  return anchorsAvailable;
}

/**
 * Opens `realRoot/parts…` following no link inside the workspace; with `create`, missing
 * folders are made one by one (never through a link). `anchored` (default: where available)
 * chooses the `/proc/self/fd` way; tests pass false to check the portable way.
 */
export function openFolder(realRoot: string, parts: readonly string[], create: boolean, anchored = useProcAnchors()): OpenedFolder {
  if (anchored) {
    let fd = openSync(realRoot, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    try {
      for (const part of parts) {
        const next = `${PROC_FD}/${fd}/${part}`;
        let child: number;
        try {
          child = openSync(next, FOLDER_FLAGS);
        } catch (error) {
          // Linux answers ENOTDIR for a link opened with O_DIRECTORY | O_NOFOLLOW.
          if (lstatOrNull(next)?.isSymbolicLink()) throw linkInPath(next);
          if (!create || errorCode(error) !== 'ENOENT') throw error;
          try {
            mkdirSync(next);
          } catch (made) {
            if (errorCode(made) !== 'EEXIST') throw made;
          }
          child = openSync(next, FOLDER_FLAGS);
        }
        closeSync(fd);
        fd = child;
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    const held = fd;
    return { at: (name) => `${PROC_FD}/${held}/${name}`, verify: () => undefined, close: () => closeSync(held) };
  }
  let dir = realRoot;
  for (const part of parts) {
    dir = join(dir, part);
    let info = lstatOrNull(dir);
    if (info === null && create) {
      try {
        mkdirSync(dir);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      info = lstatSync(dir);
    }
    if (info === null) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${dir}'`), { code: 'ENOENT', path: dir });
    if (info.isSymbolicLink()) throw linkInPath(dir);
    if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, open '${dir}'`), { code: 'ENOTDIR', path: dir });
  }
  const opened = dir;
  return {
    at: (name) => join(opened, name),
    verify() {
      if (realpathSync.native(opened) !== opened) throw Object.assign(new Error('ELOOP'), { code: 'ELOOP', path: opened });
    },
    close: () => undefined,
  };
}

const linkInPath = (path: string) =>
  Object.assign(new Error(`ELOOP: too many symbolic links encountered, open '${path}'`), { code: 'ELOOP', path });

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * Writes `name` in the folder atomically: the bytes go to a hidden temporary file created there
 * (never through a link), which then replaces the old file by rename. A failed write (full disk)
 * leaves the old file whole and removes the temporary file (kit decision D22). An existing
 * file's permission bits are kept, and a read-only file is refused (EACCES) as an in-place write
 * would be.
 */
export function writeAtomically(folder: OpenedFolder, name: string, bytes: Uint8Array, shown: string): void {
  const target = folder.at(name);
  const existing = lstatOrNull(target);
  if (existing?.isDirectory()) {
    throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${shown}'`), { code: 'EISDIR' });
  }
  // A rename would replace a read-only file that an in-place write may not change.
  if (existing?.isFile()) accessSync(target, constants.W_OK);
  const temp = folder.at(`.diaryx-write-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o666);
  let open = true;
  try {
    if (existing?.isFile()) fchmodSync(fd, existing.mode & 0o7777);
    writeFileSync(fd, bytes);
    closeSync(fd);
    open = false;
    folder.verify();
    renameSync(temp, target);
  } catch (error) {
    if (open) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Reads the file at `realPath` (an absolute path already free of links: what a workspace path's
 * real location is) when it is exactly that file: it is opened without following a link in its
 * place, and the opened file's own path (`/proc/self/fd/<fd>`, Linux) must be `realPath`, so a
 * link swapped into a parent folder meanwhile is caught after the open, before any byte is read.
 * One open instead of one per folder on the way (the read path of every `host_read_file`).
 * Null when it cannot tell, or for any failure: the caller then takes the folder-by-folder way,
 * which reports the failure.
 */
export function readIfUnmoved(realPath: string): Buffer | null {
  if (!useProcAnchors()) return null;
  let fd: number;
  try {
    fd = openSync(realPath, constants.O_RDONLY | NOFOLLOW);
  } catch {
    return null;
  }
  try {
    if (readlinkSync(`${PROC_FD}/${fd}`) !== realPath) return null;
    return readFileSync(fd);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Reads `name` in the folder, not following a link in its place. */
export function readInFolder(folder: OpenedFolder, name: string): Buffer {
  const fd = openSync(folder.at(name), constants.O_RDONLY | NOFOLLOW);
  try {
    folder.verify();
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Deletes the file `name` in the folder (a folder there is refused). */
export function deleteInFolder(folder: OpenedFolder, name: string, shown: string): void {
  const target = folder.at(name);
  if (lstatSync(target).isDirectory()) throw new Error(`'${shown}' is a directory`);
  folder.verify();
  unlinkSync(target);
}
