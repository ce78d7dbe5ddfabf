import { allowAll, createHostContext, denyAll, DEFAULT_STORAGE_QUOTA_BYTES, MemoryPluginStorage, rulesChecker } from '@diaryx/host-fns';
import { loadPlugin } from '@diaryx/loader';
import { describe, expect, it } from 'vitest';
import { loadProbe, probeWasm } from './probe.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('host_storage_get / host_storage_set (AB-H12–H15)', () => {
  it('round-trips through keys scoped as <plugin id>:<key>', async () => {
    const storage = new MemoryPluginStorage();
    const probe = await loadProbe({ storage, permissions: allowAll });
    expect(await probe.call('host_storage_set', { key: 'greeting', data: b64('héllo') })).toBe('');
    expect([...storage.values.keys()]).toEqual(['probe:greeting']);
    expect(await probe.call('host_storage_get', { key: 'greeting' })).toBe(`{"data":"${b64('héllo')}"}`);
    expect(await probe.call('host_storage_get', { key: 'absent' })).toBe('');
    expect(await probe.call('host_storage_set', { key: 'empty', data: '' })).toBe('');
    expect(await probe.call('host_storage_get', { key: 'empty' })).toBe('{"data":""}');
  });

  it('keeps plugins apart: another id does not see the value', async () => {
    const storage = new MemoryPluginStorage();
    storage.set('other:greeting', new TextEncoder().encode('not yours'));
    const probe = await loadProbe({ storage, permissions: allowAll });
    expect(await probe.call('host_storage_get', { key: 'greeting' })).toBe('');
  });

  it('accepts exactly the quota; one byte more is refused with the Rust message and nothing is stored', async () => {
    const storage = new MemoryPluginStorage();
    const probe = await loadProbe({ storage, permissions: allowAll });
    const exact = Buffer.alloc(DEFAULT_STORAGE_QUOTA_BYTES, 1).toString('base64');
    const over = Buffer.alloc(DEFAULT_STORAGE_QUOTA_BYTES + 1, 1).toString('base64');
    expect(await probe.call('host_storage_set', { key: 'a', data: exact })).toBe('');
    expect(await probe.call('host_storage_set', { key: 'b', data: over })).toBe(
      'host_storage_set: data size (1048577 bytes) exceeds plugin storage quota (1048576 bytes)',
    );
    expect(storage.values.has('probe:b')).toBe(false);
    // Per value, not cumulative: another full-size value is still accepted.
    expect(await probe.call('host_storage_set', { key: 'c', data: exact })).toBe('');
  });

  it('honours a configured quota (0 = unlimited)', async () => {
    const probe = await loadProbe({ storage: new MemoryPluginStorage(), permissions: allowAll, storageQuotaBytes: 3 });
    expect(await probe.call('host_storage_set', { key: 'a', data: b64('abcd') })).toContain('exceeds plugin storage quota (3 bytes)');
  });

  it('under deny-all: get returns "", set returns the message; under rules: default allow, exclude all denies', async () => {
    const denied = await loadProbe({ storage: new MemoryPluginStorage(), permissions: denyAll });
    expect(await denied.call('host_storage_get', { key: 'k' })).toBe('');
    expect(await denied.call('host_storage_set', { key: 'k', data: '' })).toBe(
      "host_storage_set: Permission denied: no permissions configured for plugin 'probe' (plugin_storage on 'k')",
    );
    const defaultAllow = await loadProbe({ storage: new MemoryPluginStorage(), permissions: rulesChecker({}) });
    expect(await defaultAllow.call('host_storage_set', { key: 'k', data: b64('v') })).toBe('');
    const excluded = await loadProbe({
      storage: new MemoryPluginStorage(),
      permissions: rulesChecker({ probe: { permissions: { plugin_storage: { include: [], exclude: ['all'] } } } }),
    });
    expect(await excluded.call('host_storage_set', { key: 'k', data: b64('v') })).toBe(
      "host_storage_set: Permission denied for plugin 'probe': plugin_storage on 'k'",
    );
    const notAll = await loadProbe({
      storage: new MemoryPluginStorage(),
      permissions: rulesChecker({ probe: { permissions: { plugin_storage: { include: ['k'], exclude: [] } } } }),
    });
    expect(await notAll.call('host_storage_set', { key: 'k', data: b64('v') })).toContain('Permission not configured');
  });

  it('decodes base64 strictly: missing padding, whitespace and URL-safe characters trap', async () => {
    const probe = await loadProbe({ storage: new MemoryPluginStorage(), permissions: allowAll });
    for (const data of ['aGk', 'aG k=', 'a-_=', 'aGk=\n']) {
      expect(await probe.trap('host_storage_set', { key: 'k', data })).toContain('host_storage_set: base64 decode:');
    }
  });

  it('uses the manifest id, not the folder name, once loaded', async () => {
    const storage = new MemoryPluginStorage();
    const plugin = await loadPlugin(await probeWasm(), createHostContext({ storage, permissions: allowAll }), {
      name: 'folder-name',
      runInWorker: false,
    });
    await plugin.call('probe_host_storage_set', JSON.stringify({ key: 'k', data: '' }));
    expect([...storage.values.keys()]).toEqual(['probe:k']);
  });
});

describe('secrets (AB-H16)', () => {
  it('set, get and delete with scoped keys, separate from storage; a denial traps', async () => {
    const secrets = new Map<string, string>();
    const store = { get: (k: string) => secrets.get(k), set: (k: string, v: string) => void secrets.set(k, v), delete: (k: string) => void secrets.delete(k) };
    const probe = await loadProbe({ secrets: store, storage: new MemoryPluginStorage(), permissions: allowAll });
    expect(await probe.call('host_secret_set', { key: 'token', value: 's3cr3t' })).toBe('');
    expect([...secrets.keys()]).toEqual(['probe:token']);
    expect(await probe.call('host_secret_get', { key: 'token' })).toBe('{"value":"s3cr3t"}');
    expect(await probe.call('host_storage_get', { key: 'token' })).toBe('');
    expect(await probe.call('host_secret_delete', { key: 'token' })).toBe('');
    expect(await probe.call('host_secret_get', { key: 'token' })).toBe('');
    const denied = await loadProbe({ secrets: store, permissions: denyAll });
    expect(await denied.trap('host_secret_get', { key: 'token' })).toContain('plugin_storage on');
    expect(await denied.trap('host_secret_set', { key: 'token', value: 'x' })).toContain('Permission denied');
    expect(await denied.trap('host_secret_delete', { key: 'token' })).toContain('Permission denied');
  });
});
