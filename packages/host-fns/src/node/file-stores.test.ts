import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostLogger } from '../services/logger.js';
import { FilePluginSecretStore, FilePluginStorage } from './file-stores.js';
import { sanitizeStorageKey } from './key-file-folder.js';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'diaryx-store-'));
  made.push(dir);
  return dir;
}
const bytes = (...values: number[]) => new Uint8Array(values);
function recordingLogger(): HostLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace') };
}

describe('FilePluginStorage: Rust\'s layout (§5.2)', () => {
  it('§5.2 creates base_dir, nested folders included, when it is made', () => {
    const dir = join(tempDir(), 'data', 'plugin-storage');
    new FilePluginStorage(dir);
    expect(existsSync(dir)).toBe(true);
  });

  it('§5.2 writes <base>/<sanitized key>.bin holding exactly the bytes, as Rust lays it out', () => {
    const dir = tempDir();
    const storage = new FilePluginStorage(dir);
    storage.set('acme.sync:oauth/token', bytes(0, 255, 10, 13));
    storage.set('acme.sync:a\\b:c', bytes());
    expect(readdirSync(dir).sort()).toEqual(['acme.sync_a_b_c.bin', 'acme.sync_oauth_token.bin']);
    expect([...readFileSync(join(dir, 'acme.sync_oauth_token.bin'))]).toEqual([0, 255, 10, 13]);
    expect(readFileSync(join(dir, 'acme.sync_a_b_c.bin')).length).toBe(0);
  });

  it('§5.2 reads files laid out as Rust writes them', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'acme.sync_state.bin'), bytes(1, 2, 3));
    writeFileSync(join(dir, 'acme.sync_doc_2024_01.md.bin'), 'text');
    const storage = new FilePluginStorage(dir);
    expect(storage.get('acme.sync:state')).toEqual(bytes(1, 2, 3));
    expect(new TextDecoder().decode(storage.get('acme.sync:doc/2024\\01.md')!)).toBe('text');
    expect(storage.get('acme.sync:missing')).toBeNull();
  });

  it('§5.2 keys that differ only in / \\ : and _ share one file, as in Rust (p:a/b = p:a:b = p_a_b)', () => {
    const storage = new FilePluginStorage(tempDir());
    storage.set('p:a/b', bytes(7));
    expect(storage.get('p:a:b')).toEqual(bytes(7));
    expect(storage.get('p:a\\b')).toEqual(bytes(7));
    expect(storage.get('p_a_b')).toEqual(bytes(7));
    storage.set('p_a_b', bytes(8));
    expect(storage.get('p:a/b')).toEqual(bytes(8));
    expect(sanitizeStorageKey('a:b/c\\d_e.f')).toBe('a_b_c_d_e.f');
  });

  it('§5.2 delete removes the file; deleting a missing key does nothing', () => {
    const dir = tempDir();
    const storage = new FilePluginStorage(dir);
    storage.set('p:k', bytes(1));
    storage.delete('p:k');
    storage.delete('p:k');
    expect(readdirSync(dir)).toEqual([]);
    expect(storage.get('p:k')).toBeNull();
  });

  it('kit: a write replaces the file by rename (temporary file + rename), never in place, and leaves no temporary file', () => {
    const dir = tempDir();
    const storage = new FilePluginStorage(dir);
    storage.set('p:k', bytes(1, 1, 1));
    // A hard link keeps the old file: an in-place write would change it too.
    linkSync(join(dir, 'p_k.bin'), join(dir, 'old-copy'));
    storage.set('p:k', bytes(2, 2));
    expect([...readFileSync(join(dir, 'old-copy'))]).toEqual([1, 1, 1]);
    expect(storage.get('p:k')).toEqual(bytes(2, 2));
    expect(readdirSync(dir).sort()).toEqual(['old-copy', 'p_k.bin']);
  });

  it('§5.2 errors are not the guest\'s (a failed write changes nothing, a failed read is no value); the kit logs them', () => {
    const dir = tempDir();
    const logger = recordingLogger();
    const storage = new FilePluginStorage(dir, { logger });
    mkdirSync(join(dir, 'p_folder.bin'));
    expect(() => storage.set('p:folder', bytes(1))).not.toThrow();
    expect(storage.get('p:folder')).toBeNull();
    expect(() => storage.set('p:nul\0key', bytes(1))).not.toThrow();
    expect(readdirSync(dir)).toEqual(['p_folder.bin']);
    expect(logger.lines).toHaveLength(3);
    expect(logger.lines[0]).toMatch(/^warn FilePluginStorage: could not write 'p_folder.bin' in '.*' for the key 'p:folder': .*EISDIR.* \(nothing changed\)$/);
    expect(logger.lines[1]).toMatch(/^warn FilePluginStorage: could not read 'p_folder.bin'/);
  });

  it('§5.2 a folder removed while in use is made again by the next write, as Rust\'s create_dir_all does', () => {
    const dir = join(tempDir(), 'store');
    const storage = new FilePluginStorage(dir);
    rmSync(dir, { recursive: true });
    expect(storage.get('p:k')).toBeNull();
    storage.set('p:k', bytes(5));
    expect(readFileSync(join(dir, 'p_k.bin'))).toEqual(Buffer.from([5]));
  });
});

describe('FilePluginSecretStore: Rust\'s layout (§5.2)', () => {
  it('§5.2 writes <base>/<sanitized key>.secret as UTF-8 text, and reads such files', () => {
    const dir = tempDir();
    const secrets = new FilePluginSecretStore(dir);
    secrets.set('acme.sync:api/token', 'hunter2 — ✓');
    expect(readdirSync(dir)).toEqual(['acme.sync_api_token.secret']);
    expect(readFileSync(join(dir, 'acme.sync_api_token.secret'), 'utf8')).toBe('hunter2 — ✓');
    writeFileSync(join(dir, 'webhook_webhook_token.secret'), '\uFEFFwith a BOM\n');
    expect(secrets.get('webhook:webhook_token')).toBe('\uFEFFwith a BOM\n');
    expect(secrets.get('acme.sync:api:token')).toBe('hunter2 — ✓');
  });

  it('§5.2 a secret file that is not valid UTF-8 is no secret', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p_bad.secret'), bytes(0x68, 0x69, 0xff));
    expect(new FilePluginSecretStore(dir).get('p:bad')).toBeNull();
  });

  it('§5.2 delete and missing keys; storage and secrets in one folder do not collide (.bin vs .secret)', () => {
    const dir = tempDir();
    const secrets = new FilePluginSecretStore(dir);
    const storage = new FilePluginStorage(dir);
    secrets.set('p:k', 'secret');
    storage.set('p:k', new TextEncoder().encode('stored'));
    expect(secrets.get('p:k')).toBe('secret');
    expect(new TextDecoder().decode(storage.get('p:k')!)).toBe('stored');
    secrets.delete('p:k');
    expect(secrets.get('p:k')).toBeNull();
    expect(readdirSync(dir)).toEqual(['p_k.bin']);
  });
});
