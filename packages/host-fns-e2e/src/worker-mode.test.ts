import { allowAll, type PluginStorage, type WorkspaceFileSystem } from '@diaryx/host-fns';
import { describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';

const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 5));

/** A file system whose every method answers through a Promise (like IndexedDB or OPFS). */
function asyncFs(files: Record<string, string>): WorkspaceFileSystem {
  const map = new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]));
  return {
    readBinary: async (p) => {
      const bytes = map.get(p);
      if (!bytes) throw new Error(`no such file: ${p}`);
      return later(bytes);
    },
    writeBinary: async (p, b) => void map.set(p, await later(new Uint8Array(b))),
    deleteFile: async (p) => void map.delete(p),
    exists: async (p) => later(map.has(p)),
    isDir: async () => later(false),
    readDir: async () => later([]),
    metadata: async () => later(null),
  };
}

describe('worker mode with async services', () => {
  it('host functions await Promise-returning services', async () => {
    const values = new Map<string, Uint8Array>();
    const storage: PluginStorage = {
      get: async (k) => later(values.get(k) ?? null),
      set: async (k, v) => void values.set(k, await later(v)),
      delete: async (k) => void values.delete(k),
    };
    const probe = await loadProbe({ fs: asyncFs({ 'a.md': 'async ✓' }), storage, permissions: allowAll }, { runInWorker: true });
    try {
      expect(await probe.call('host_read_file', { path: 'a.md' })).toBe('async ✓');
      expect(await probe.call('host_storage_set', { key: 'k', data: 'dg==' })).toBe('');
      expect(await probe.call('host_storage_get', { key: 'k' })).toBe('{"data":"dg=="}');
    } finally {
      await probe.plugin.close();
    }
  });

  it('a trap (and a service that throws unexpectedly) fails the call; the plugin answers the next call', async () => {
    const errors: string[] = [];
    const noop = () => undefined;
    const probe = await loadProbe(
      {
        fs: asyncFs({ 'a.md': 'still here' }),
        permissions: { check: (_id, _key, target) => {
          if (target === 'boom.md') throw new Error('checker exploded');
          return { allowed: true, reason: 'allowed' };
        } },
        logger: { error: (m) => void errors.push(m), warn: noop, info: noop, debug: noop, trace: noop },
      },
      { runInWorker: true },
    );
    try {
      expect(await probe.trap('host_read_file', { path: '../x' })).toContain("Path traversal not allowed: '../x'");
      expect(await probe.call('host_read_file', { path: 'a.md' })).toBe('still here');
      const message = await probe.trap('host_read_file', { path: 'boom.md' });
      expect(message).toContain('host_read_file: internal host error: checker exploded');
      expect(errors).toEqual(['[plugin probe] host_read_file: internal host error: checker exploded']);
      expect(await probe.call('host_read_file', { path: 'a.md' })).toBe('still here');
      expect(probe.calls.map((c) => c.outcome)).toEqual(['trap', 'ok', 'trap', 'ok']);
    } finally {
      await probe.plugin.close();
    }
  });

  it('in-process, an async service fails the call with a message that says to use a worker', async () => {
    const probe = await loadProbe({ fs: asyncFs({ 'a.md': 'x' }), permissions: allowAll });
    expect(await probe.trap('host_read_file', { path: 'a.md' })).toContain("async services need mode: 'worker'");
  });
});
