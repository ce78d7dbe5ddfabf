import type { MaybePromise } from '../runtime/maybe-async.js';

/** What the file system can tell about one path (`host_file_metadata`). */
export interface FileMetadata {
  /** Milliseconds since the Unix epoch, or null when the file system cannot tell. */
  modifiedAtMs: number | null;
  /** Size in bytes, or null when the file system cannot tell. */
  sizeBytes: number | null;
}

/** One child of a folder, as {@link WorkspaceFileSystem.readDirEntries} reports it. */
export interface DirectoryEntry {
  /** The child's name (not its path). */
  name: string;
  /**
   * `directory`: a real folder; `link`: a symbolic link to something inside the workspace
   * (listed, never walked into, so link loops end); `file`: anything else.
   */
  kind: 'file' | 'directory' | 'link';
}

/**
 * The workspace as the host functions see it. Every path given to these methods has already
 * passed the path guard: it is workspace-relative, uses `/`, and has no `..` component. The
 * empty string means the workspace root.
 *
 * Methods may return Promises (IndexedDB, OPFS, a remote store); host functions then need a
 * worker-mode plugin. Errors are reported by throwing; their message reaches the guest.
 */
export interface WorkspaceFileSystem {
  /**
   * The workspace's absolute location, when it has one (a folder on disk). Absolute guest
   * paths under it are made relative; other absolute paths are refused.
   */
  readonly root?: string;
  /** Reads raw bytes. Throws when the path is missing or is a directory. */
  readBinary(path: string): MaybePromise<Uint8Array>;
  /** Writes raw bytes, creating parent folders. */
  writeBinary(path: string, bytes: Uint8Array): MaybePromise<void>;
  /** Deletes one file. Throws when it is missing. */
  deleteFile(path: string): MaybePromise<void>;
  /** True for files and for directories. */
  exists(path: string): MaybePromise<boolean>;
  /** True for directories. */
  isDir(path: string): MaybePromise<boolean>;
  /** Names (not paths) of the direct children of a directory; throws when it is not one. */
  readDir(path: string): MaybePromise<string[]>;
  /** Size and modification time, or null when the path does not exist. */
  metadata(path: string): MaybePromise<FileMetadata | null>;
  /**
   * Optional: the children of a folder with their kind, links not followed. Links that lead out
   * of the workspace (or cannot be resolved) are left out. `host_list_files` walks only into
   * `directory` entries. Without it, `host_list_files` uses `readDir` and `isDir`.
   */
  readDirEntries?(path: string): MaybePromise<DirectoryEntry[]>;
  /**
   * Optional, for file systems with symbolic links: where `path` really is, as a
   * workspace-relative path with every link followed (dangling ones too). Throws when that is
   * outside the workspace. The host functions check permissions and protected files against
   * this path as well, and then hand it to the other methods. Without it, a path is where it is.
   */
  realPath?(path: string): MaybePromise<string>;
  /**
   * Optional, for file systems on the host's disk: where a host path (absolute, in any spelling:
   * through symbolic links, or `/tmp` for `/private/tmp`) lies in the workspace, as the
   * workspace-relative path {@link realPath} would give, or null when it is outside. Protected
   * files (the plugins folder, kit decision D21) given as host paths are compared through it.
   */
  locateHostPath?(hostPath: string): MaybePromise<string | null>;
}

function unavailable(): never {
  throw new Error('no workspace file system is configured for this host');
}

/** The default: a host without a workspace. Reads fail, nothing exists, writes fail. */
export const noWorkspaceFileSystem: WorkspaceFileSystem = {
  readBinary: unavailable,
  writeBinary: unavailable,
  deleteFile: unavailable,
  exists: () => false,
  isDir: () => false,
  readDir: () => [],
  metadata: () => null,
};
