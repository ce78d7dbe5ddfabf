import type { MaybePromise } from '../runtime/maybe-async.js';

/** What the file system can tell about one path (`host_file_metadata`). */
export interface FileMetadata {
  /** Milliseconds since the Unix epoch, or null when the file system cannot tell. */
  modifiedAtMs: number | null;
  /** Size in bytes, or null when the file system cannot tell. */
  sizeBytes: number | null;
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
