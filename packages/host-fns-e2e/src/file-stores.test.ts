import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowAll, DEFAULT_STORAGE_QUOTA_BYTES, FilePluginSecretStore, FilePluginStorage } from '@diaryx/host-fns';
import { makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';

afterEach(removeTempDirs);

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

describe('FilePluginStorage / FilePluginSecretStore behind the real host functions (§5.2, §4.15, §4.16)', () => {
  it('host_storage_set writes <plugin id>_<key>.bin; host_storage_get reads a file Rust wrote', async () => {
    const dir = await makeTempDir();
    writeFileSync(join(dir, 'probe_from_rust.bin'), Uint8Array.from([1, 2, 250]));
    const probe = await loadProbe({ storage: new FilePluginStorage(dir), permissions: allowAll });
    try {
      expect(await probe.call('host_storage_set', { key: 'notes/state', data: b64('héllo') })).toBe('');
      expect(readFileSync(join(dir, 'probe_notes_state.bin'), 'utf8')).toBe('héllo');
      expect(await probe.call('host_storage_get', { key: 'from_rust' })).toBe(`{"data":"${b64(Uint8Array.from([1, 2, 250]))}"}`);
      expect(await probe.call('host_storage_get', { key: 'notes:state' })).toBe(`{"data":"${b64('héllo')}"}`);
      expect(await probe.call('host_storage_get', { key: 'absent' })).toBe('');
    } finally {
      await probe.plugin.close();
    }
  });

  it('a value of exactly the quota is written whole; one byte more is refused and the old file is kept', async () => {
    const dir = await makeTempDir();
    const probe = await loadProbe({ storage: new FilePluginStorage(dir), permissions: allowAll });
    try {
      const exact = Buffer.alloc(DEFAULT_STORAGE_QUOTA_BYTES, 7);
      expect(await probe.call('host_storage_set', { key: 'big', data: exact.toString('base64') })).toBe('');
      expect(readFileSync(join(dir, 'probe_big.bin')).equals(exact)).toBe(true);
      const over = Buffer.alloc(DEFAULT_STORAGE_QUOTA_BYTES + 1, 9).toString('base64');
      expect(await probe.call('host_storage_set', { key: 'big', data: over })).toBe(
        'host_storage_set: data size (1048577 bytes) exceeds plugin storage quota (1048576 bytes)',
      );
      expect(readFileSync(join(dir, 'probe_big.bin')).equals(exact)).toBe(true);
      expect(readdirSync(dir)).toEqual(['probe_big.bin']);
    } finally {
      await probe.plugin.close();
    }
  });

  it('host_secret_* keep secrets as <plugin id>_<key>.secret UTF-8 files, read back as Rust lays them out', async () => {
    const dir = await makeTempDir();
    writeFileSync(join(dir, 'probe_from_rust.secret'), 'tok ✓');
    writeFileSync(join(dir, 'probe_binary.secret'), Uint8Array.from([0xc3, 0x28]));
    const probe = await loadProbe({ secrets: new FilePluginSecretStore(dir), permissions: allowAll });
    try {
      expect(await probe.call('host_secret_get', { key: 'from_rust' })).toBe('{"value":"tok ✓"}');
      expect(await probe.call('host_secret_get', { key: 'binary' })).toBe('');
      expect(await probe.call('host_secret_set', { key: 'api/token', value: 'hunter2' })).toBe('');
      expect(readFileSync(join(dir, 'probe_api_token.secret'), 'utf8')).toBe('hunter2');
      expect(await probe.call('host_secret_delete', { key: 'api/token' })).toBe('');
      expect(readdirSync(dir).sort()).toEqual(['probe_binary.secret', 'probe_from_rust.secret']);
    } finally {
      await probe.plugin.close();
    }
  });
});
