import { mkdirSync, realpathSync } from 'node:fs';
import type { HostLogger } from '../services/logger.js';
import { errorMessage } from '../util/error-message.js';
import { deleteInFolder, openFolder, readInFolder, writeAtomically } from './opened-folder.js';

/**
 * Rust's `sanitize_storage_key`: `/`, `\` and `:` become `_`, nothing else changes. So the
 * scoped keys `p:a/b`, `p:a:b` and `p:a\b` (and the unscoped key `p_a_b`) name the same file.
 */
export function sanitizeStorageKey(key: string): string {
  return key.replace(/[/\\:]/g, '_');
}

/**
 * One file per key in one folder, laid out as Rust's `FilePluginStorage` / `FilePluginSecretStore`
 * lay them out: `<folder>/<sanitized key><suffix>`. Reads and deletes never follow a symbolic link
 * in a key's place; writes are atomic (temporary file + rename), so a reader sees the old value
 * or the new one, never part of one. As in Rust, a failure is not the caller's: a read that fails
 * is "no value", a write or delete that fails changes nothing; each is logged at warn.
 */
export class KeyFileFolder {
  readonly #dir: string;
  readonly #suffix: string;
  readonly #what: string;
  readonly #logger: HostLogger | undefined;

  constructor(dir: string, suffix: string, what: string, logger: HostLogger | undefined) {
    this.#dir = dir;
    this.#suffix = suffix;
    this.#what = what;
    this.#logger = logger;
    this.#ensureFolder();
  }

  /** The file name a key is stored under. */
  fileName(key: string): string {
    return `${sanitizeStorageKey(key)}${this.#suffix}`;
  }

  /** The bytes stored for `key`, or null (absent or unreadable). */
  read(key: string): Uint8Array | null {
    const name = this.fileName(key);
    try {
      const folder = openFolder(realpathSync.native(this.#dir), [], false);
      try {
        return new Uint8Array(readInFolder(folder, name));
      } finally {
        folder.close();
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code !== 'ENOENT') this.#warn('read', name, key, error);
      return null;
    }
  }

  /** Stores `bytes` for `key` atomically. */
  write(key: string, bytes: Uint8Array): void {
    const name = this.fileName(key);
    try {
      // Rust creates the folder again before each write (create_dir_all of the file's parent).
      mkdirSync(this.#dir, { recursive: true });
      const folder = openFolder(realpathSync.native(this.#dir), [], false);
      try {
        writeAtomically(folder, name, bytes, name);
      } finally {
        folder.close();
      }
    } catch (error) {
      this.#warn('write', name, key, error);
    }
  }

  /** Removes the value of `key` (a missing one is fine). */
  remove(key: string): void {
    const name = this.fileName(key);
    try {
      const folder = openFolder(realpathSync.native(this.#dir), [], false);
      try {
        deleteInFolder(folder, name, name);
      } finally {
        folder.close();
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code !== 'ENOENT') this.#warn('delete', name, key, error);
    }
  }

  #ensureFolder(): void {
    try {
      mkdirSync(this.#dir, { recursive: true });
    } catch (error) {
      this.#logger?.warn(`${this.#what}: could not create the folder '${this.#dir}': ${errorMessage(error)}; every value will be missing until it can be made`);
    }
  }

  #warn(action: string, name: string, key: string, error: unknown): void {
    this.#logger?.warn(
      `${this.#what}: could not ${action} '${name}' in '${this.#dir}' for the key '${key}': ${errorMessage(error)}` +
        (action === 'read' ? ' (answered as no value)' : ' (nothing changed)'),
    );
  }
}
