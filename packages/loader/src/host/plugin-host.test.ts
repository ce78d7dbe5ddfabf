import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, createHostContext, type HostContext, MemoryPluginStorage } from '@diaryx/host-fns';
import { compileWat, guestWat, hostCallModule, makeTempDir, probeWat, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { hasJspi } from '../runtime/jspi.js';
import { createPluginHost as createPortablePluginHost } from '../core.js';
import { createPluginHost } from '../index.js';
import { guestEvents } from '../protocol/events.js';
import { createRecordingEmitter } from '../test-support/recording.js';
import { manifestJson, recorderWat, writePluginFolder } from '../test-support/fixtures.js';
import type { PluginHost } from './plugin-host.js';
import type { PluginHostEventType } from './plugin-host-events.js';

const hosts: PluginHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.shutdown()));
  await removeTempDirs();
});

const LOOP = '(loop $l (br $l)) (i32.const 0)';

/**
 * Writes a new plugin.wasm as a build does, a moment after the load wrote manifest.json (file
 * times can be coarser than the test is fast: an equal time would make the cache fresh).
 */
async function rebuild(path: string, wasm: Uint8Array): Promise<void> {
  await writeFile(path, wasm);
  const later = new Date(Date.now() + 2_000);
  await utimes(path, later, later);
}

function recorder(id: string, options: { response?: string; version?: string } = {}): Promise<Uint8Array> {
  return compileWat(recorderWat(manifestJson({ id, name: id, version: options.version ?? '1.0.0' }), options));
}

function misbehaving(id: string, exports: Record<string, string>): Promise<Uint8Array> {
  return compileWat(guestWat({ manifest: manifestJson({ id, name: id, commands: ['echo', 'run'] }), exports }));
}

/** Every event the host sends, as `type id` lines (or just the type when the detail has no id). */
function eventLog(host: PluginHost): string[] {
  const log: string[] = [];
  const types: PluginHostEventType[] = ['loaded', 'failed', 'reloaded', 'unloaded', 'timeout', 'crashed', 'restarted', 'event-failed', 'config-recovered', 'closed'];
  for (const type of types) {
    host.addEventListener(type, (event) => {
      const detail = event.detail as { id?: string; pluginId?: string; pluginName?: string };
      log.push([type, detail.id ?? detail.pluginId ?? detail.pluginName].filter(Boolean).join(' '));
    });
  }
  return log;
}

async function folderHost(
  folders: Record<string, Uint8Array>,
  services: Partial<HostContext> = {},
  options: { timeoutMs?: number; shutdownTimeoutMs?: number; mode?: 'metered' | 'worker' } = {},
) {
  const dir = await makeTempDir();
  for (const [name, wasm] of Object.entries(folders)) await writePluginFolder(dir, name, wasm);
  const { emitter, events } = createRecordingEmitter();
  const host = createPluginHost({
    pluginsDir: dir,
    host: createHostContext({ events: emitter, permissions: allowAll, ...services }),
    workspaceRoot: '/ws',
    mode: options.mode ?? 'metered',
    timeoutMs: options.timeoutMs ?? 2_000,
    ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
  });
  hosts.push(host);
  const log = eventLog(host);
  return { dir, host, log, emitted: events };
}

describe('createPluginHost: load', () => {
  it('loads a plugins folder in name order, runs each init with the workspace root, and keeps a broken plugin as failed', async () => {
    const { host, log, emitted } = await folderHost({
      'b.second': await recorder('b.second'),
      'a.first': await recorder('a.first'),
      broken: new TextEncoder().encode('not wasm'),
    });
    const result = await host.load();
    expect(result.loaded.map((p) => p.id)).toEqual(['a.first', 'b.second']);
    expect(result.failed.map((p) => [p.id, p.state, p.error?.kind])).toEqual([['broken', 'failed', 'plugin_create']]);
    expect(log).toEqual(['loaded a.first', 'loaded b.second', 'failed broken']);
    expect([...host.plugins].map(([id, p]) => [id, p.state])).toEqual([
      ['a.first', 'loaded'],
      ['b.second', 'loaded'],
      ['broken', 'failed'],
    ]);
    expect(emitted).toEqual(['{"workspace_root":"/ws"}', '{"workspace_root":"/ws"}']);
    expect(host.plugins.get('broken')!.error!.userMessage).toBe('The plugin "broken" could not be started: it is damaged or not a plugin for this app.');
    // A second load loads what is new only.
    expect(await host.load()).toEqual({ loaded: [], failed: [expect.objectContaining({ id: 'broken' })] });
  });

  it('loads the app\'s sources from bytes (the portable entry), a duplicate id refused', async () => {
    const bytes = await recorder('acme.one');
    const host = createPortablePluginHost({
      host: createHostContext({ permissions: allowAll }),
      mode: 'in-process',
      plugins: [
        { name: 'acme.one', wasm: bytes },
        { name: 'copy', wasm: async () => bytes },
      ],
    });
    hosts.push(host);
    const { loaded, failed } = await host.load();
    expect(loaded.map((p) => p.id)).toEqual(['acme.one']);
    expect(failed[0]).toMatchObject({ id: 'copy', state: 'failed', error: { kind: 'duplicate_id', details: { id: 'acme.one', owner: 'acme.one' } } });
  });
});

describe('createPluginHost: broadcast and run', () => {
  it('broadcast isolates each plugin: a trap and a timeout fail only their own result, told as event-failed, crashed and timeout', async () => {
    const { host, log, emitted } = await folderHost(
      {
        good: await recorder('good'),
        trapping: await misbehaving('trapping', { on_event: 'unreachable' }),
        looping: await misbehaving('looping', { on_event: LOOP }),
      },
      {},
      { timeoutMs: 400 },
    );
    await host.load();
    emitted.length = 0;
    const results = await host.broadcast(guestEvents.fileSaved('a.md'));
    expect(results.get('good')).toEqual({ ok: true });
    expect(results.get('trapping')).toMatchObject({ ok: false, error: { kind: 'trap' } });
    expect(results.get('looping')).toMatchObject({ ok: false, error: { kind: 'timeout', details: { timeoutMs: 400 } } });
    expect(emitted).toEqual(['{"event_type":"file_saved","payload":{"path":"a.md"}}']);
    expect(log.filter((line) => !line.startsWith('loaded')).sort()).toEqual(['crashed trapping', 'event-failed looping', 'event-failed trapping', 'timeout looping']);
  });

  it('run answers the command\'s data, or an error for a UI: guest_error, not_declared, not_loaded, closed', async () => {
    const { host } = await folderHost({
      ok: await recorder('ok'),
      refusing: await recorder('refusing', { response: '{"success":false,"error":"no notes yet","error_code":"empty"}' }),
      broken: new TextEncoder().encode('not wasm'),
    });
    await host.load();
    expect(await host.run('ok', 'echo', { a: 1 })).toBe('ok');
    await expect(host.run('refusing', 'echo')).rejects.toMatchObject({
      kind: 'guest_error',
      details: { guestMessage: 'no notes yet', errorCode: 'empty' },
      userMessage: 'The plugin "refusing" reported an error: no notes yet',
    });
    await expect(host.run('ok', 'missing')).rejects.toMatchObject({ kind: 'not_declared', details: { command: 'missing', available: ['echo'] } });
    await expect(host.run('nobody', 'echo')).rejects.toMatchObject({ kind: 'not_loaded', details: { state: 'missing' } });
    await expect(host.run('broken', 'echo')).rejects.toMatchObject({ kind: 'not_loaded', details: { state: 'failed' } });
    await host.unload('ok');
    expect(host.plugins.get('ok')!.state).toBe('closed');
    await expect(host.run('ok', 'echo')).rejects.toMatchObject({ kind: 'closed' });
  });
});

describe('createPluginHost: reload', () => {
  it('reloads a plugin from its folder after its wasm changed: shutdown, close, fresh load, reloaded with the old id', async () => {
    const { dir, host, log, emitted } = await folderHost({ 'acme.notes': await recorder('acme.notes', { version: '1.0.0' }) });
    await host.load();
    await rebuild(join(dir, 'acme.notes', 'plugin.wasm'), await recorder('acme.notes', { version: '2.0.0' }));
    const plugin = await host.reload(join(dir, 'acme.notes', 'plugin.wasm'));
    expect(plugin.manifest.version).toBe('2.0.0');
    expect(plugin.dir).toBe(join(dir, 'acme.notes'));
    expect(plugin.wasmPath).toBe(join(dir, 'acme.notes', 'plugin.wasm'));
    expect(host.get('acme.notes')).toBe(plugin);
    expect(log).toEqual(['loaded acme.notes', 'unloaded acme.notes', 'reloaded acme.notes']);
    // init, then the old one's shutdown, then the new one's init
    expect(emitted).toEqual(['{"workspace_root":"/ws"}', '{}', '{"workspace_root":"/ws"}']);
  });

  it('refuses a reload whose new id another plugin holds, keeping the folder as failed; a new folder loads', async () => {
    const { dir, host, log } = await folderHost({ 'acme.a': await recorder('acme.a'), 'acme.b': await recorder('acme.b') });
    await host.load();
    await rebuild(join(dir, 'acme.b', 'plugin.wasm'), await recorder('acme.a'));
    await expect(host.reload('acme.b')).rejects.toMatchObject({ kind: 'duplicate_id', details: { id: 'acme.a', owner: join(dir, 'acme.a') } });
    expect(host.plugins.get('acme.b')).toMatchObject({ state: 'failed' });
    expect(host.get('acme.a')!.id).toBe('acme.a');
    await writePluginFolder(dir, 'acme.c', await recorder('acme.c'));
    await host.reload('acme.c');
    expect(log.slice(-3)).toEqual(['unloaded acme.b', 'failed acme.b', 'loaded acme.c']);
  });
});

describe('createPluginHost: shutdown', () => {
  it('shuts down in reverse load order within shutdownTimeoutMs, closing a plugin whose shutdown hangs', async () => {
    const { host, log } = await folderHost(
      { a: await recorder('a'), b: await misbehaving('b', { shutdown: LOOP }), c: await recorder('c') },
      {},
      { timeoutMs: 30_000, shutdownTimeoutMs: 600 },
    );
    await host.load();
    const closed = new Promise<CustomEvent>((resolve) => host.addEventListener('closed', (event) => resolve(event)));
    const started = Date.now();
    await host.shutdown();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(log.slice(3).filter((line) => !line.startsWith('timeout'))).toEqual(['unloaded c', 'unloaded b', 'unloaded a', 'closed']);
    expect((await closed).detail).toMatchObject({ order: ['c', 'b', 'a'], forced: ['b'] });
    expect([...host.plugins.values()].map((p) => p.state)).toEqual(['closed', 'closed', 'closed']);
    await expect(host.load()).rejects.toThrow(/shut down/);
    expect(await host.broadcast(guestEvents.fileSaved('a.md'))).toEqual(new Map());
  });
});

describe('createPluginHost: the host context', () => {
  it('routes host_plugin_command between its plugins when the app gave no bridge', async () => {
    // The bridge awaits the callee: a metered caller needs JSPI for that, a worker does not.
    const { host, emitted } = await folderHost(
      {
        callee: await recorder('callee'),
        caller: await hostCallModule('caller', 'host_plugin_command', { plugin_id: 'callee', command: 'echo', params: { from: 'caller' } }),
      },
      {},
      { mode: hasJspi() ? 'metered' : 'worker' },
    );
    await host.load();
    emitted.length = 0;
    await host.run('caller', 'run');
    expect(emitted).toEqual(['{"command":"echo","params":{"from":"caller"}}']);
  });
});

describe('createPluginHost (Node): dataDir', () => {
  it('gives the plugins storage and secrets in the data folder, in the Rust layout, keeping a service the app set', async () => {
    const dataDir = await makeTempDir();
    await mkdir(join(dataDir, 'plugin-secrets'), { recursive: true });
    await writeFile(join(dataDir, 'plugin-secrets', 'probe_token.secret'), 's3cret');
    const probe = await compileWat(probeWat(manifestJson({ id: 'probe', name: 'Probe' }), ['host_storage_set', 'host_storage_get', 'host_secret_get']));
    const context = createHostContext({ permissions: allowAll });
    const host = createPluginHost({ host: context, dataDir, plugins: [{ name: 'probe', wasm: probe }], mode: 'in-process' });
    hosts.push(host);
    await host.load();
    const plugin = host.get('probe')!;
    const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());
    expect(text(await plugin.call('probe_host_secret_get', '{"key":"token"}'))).toBe('{"value":"s3cret"}');
    expect(text(await plugin.call('probe_host_storage_set', JSON.stringify({ key: 'count', data: Buffer.from('7').toString('base64') })))).toBe('');
    expect(await readFile(join(dataDir, 'plugin-state', 'probe_count.bin'), 'utf8')).toBe('7');
    expect(context.wasi).not.toBeNull();

    const mine = new MemoryPluginStorage();
    const kept = createHostContext({ storage: mine });
    hosts.push(createPluginHost({ host: kept, dataDir }));
    expect(kept.storage).toBe(mine);
  });
});
