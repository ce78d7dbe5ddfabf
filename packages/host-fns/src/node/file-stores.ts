import type { HostLogger } from '../services/logger.js';
import type { PluginStorage } from '../services/plugin-storage.js';
import type { SecretStore } from '../services/secret-store.js';
import { decodeUtf8Strict, encodeUtf8 } from '../util/utf8.js';
import { KeyFileFolder } from './key-file-folder.js';

/** Options of {@link FilePluginStorage} and {@link FilePluginSecretStore}. */
export interface FileStoreOptions {
  /** Where failed reads and writes are reported (at warn). Default: nowhere. */
  logger?: HostLogger;
}

/**
 * Plugin storage in a folder, laid out as Rust's `FilePluginStorage(base_dir)` (protocol §5.2),
 * so an app moving from the Rust host keeps its plugins' data: the value of the scoped key
 * `<plugin id>:<key>` is the file `<dir>/<key with / \ : turned into _>.bin`, holding the bytes
 * as they are. The folder is created at once (and again before a write if it went away).
 *
 * As in Rust, different keys can share a file: `p:a/b`, `p:a:b`, `p:a\b` and `p_a_b` are all
 * `p_a_b.bin` (and on a case-insensitive disk `p:A` is `p:a`). Writes are atomic (temporary file
 * + rename), so a value is never left half-written; `host_storage_set` has refused a value over
 * the quota before the store sees it. A read that fails is "no value" and a write or delete that
 * fails changes nothing, as in Rust; the kit also reports them to `logger`.
 *
 * @example
 * const host = createHostContext({ storage: new FilePluginStorage(join(dataDir, 'plugin-storage')) });
 */
export class FilePluginStorage implements PluginStorage {
  readonly #folder: KeyFileFolder;

  /** @param dir the folder (Rust's `base_dir`); created when missing */
  constructor(dir: string, options: FileStoreOptions = {}) {
    this.#folder = new KeyFileFolder(dir, '.bin', 'FilePluginStorage', options.logger);
  }

  /** The file name (in the folder) that holds `key`'s value. */
  fileName(key: string): string {
    return this.#folder.fileName(key);
  }

  get(key: string): Uint8Array | null {
    return this.#folder.read(key);
  }

  set(key: string, value: Uint8Array): void {
    this.#folder.write(key, value);
  }

  delete(key: string): void {
    this.#folder.remove(key);
  }
}

/**
 * Plugin secrets in a folder, laid out as Rust's `FilePluginSecretStore(base_dir)` (protocol
 * §5.2): the same rules as {@link FilePluginStorage} with the suffix `.secret`, each file holding
 * the secret as UTF-8 text. A file that is not valid UTF-8 is no secret (Rust's
 * `read_to_string` fails). The files are not encrypted: put the folder where only the user can
 * read it.
 *
 * @example
 * const host = createHostContext({ secrets: new FilePluginSecretStore(join(dataDir, 'plugin-secrets')) });
 */
export class FilePluginSecretStore implements SecretStore {
  readonly #folder: KeyFileFolder;

  /** @param dir the folder (Rust's `base_dir`); created when missing */
  constructor(dir: string, options: FileStoreOptions = {}) {
    this.#folder = new KeyFileFolder(dir, '.secret', 'FilePluginSecretStore', options.logger);
  }

  /** The file name (in the folder) that holds `key`'s secret. */
  fileName(key: string): string {
    return this.#folder.fileName(key);
  }

  get(key: string): string | null {
    const bytes = this.#folder.read(key);
    if (bytes === null) return null;
    try {
      return decodeUtf8Strict(bytes);
    } catch {
      return null;
    }
  }

  set(key: string, value: string): void {
    this.#folder.write(key, encodeUtf8(value));
  }

  delete(key: string): void {
    this.#folder.remove(key);
  }
}
