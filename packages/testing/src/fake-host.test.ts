import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_FUNCTION_NAMES } from '@diaryx/host-fns';
import { loadPlugin } from '@diaryx/loader';
import { answerReaderWat, compileWat, decodeAnswer, probeWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { createFakeHost, type FakeHostOptions } from './fake-host.js';
import { loadTestPlugin } from './load-test-plugin.js';
import './vitest.js';

const ALL = { include: ['all'], exclude: [] };
// The probe requests every permission (a test tool); the app would grant exactly these.
const MANIFEST = JSON.stringify({
  id: 'probe',
  name: 'Probe',
  version: '1',
  description: 'd',
  capabilities: [],
  requested_permissions: {
    defaults: Object.fromEntries(['read_files', 'edit_files', 'create_files', 'delete_files', 'move_files', 'http_requests', 'execute_commands', 'plugin_storage'].map((k) => [k, ALL])),
    reasons: {},
  },
});
let wasm: Promise<Uint8Array> | undefined;
const probeWasm = () => (wasm ??= compileWat(probeWat(MANIFEST, HOST_FUNCTION_NAMES)));

async function probe(options: FakeHostOptions = {}) {
  const { plugin, host } = await loadTestPlugin(await probeWasm(), options);
  const call = async (fn: string, input: unknown) => {
    const out = await plugin.call(`probe_${fn}`, typeof input === 'string' ? input : JSON.stringify(input));
    return out === null ? '' : new TextDecoder().decode(out);
  };
  return { plugin, host, call };
}

describe('createFakeHost: the workspace (memfs)', () => {
  it('seeds files, lets the plugin read and write them, and snapshots them with host.files()', async () => {
    const { host, call } = await probe({ files: { 'notes/a.md': 'héllo', 'bin.dat': new Uint8Array([104, 105]) } });
    expect(await call('host_read_file', { path: 'notes/a.md' })).toBe('héllo');
    await call('host_write_file', { path: 'notes/new/b.md', content: 'written' });
    expect(host.files()).toEqual({ 'bin.dat': 'hi', 'notes/a.md': 'héllo', 'notes/new/b.md': 'written' });
    expect(host.fs.readFileSync('/notes/new/b.md', 'utf8')).toBe('written');
    expect(host).toHaveFile('notes/new/b.md', 'written');
    expect(JSON.parse(await call('host_list_files', { prefix: '' }))).toEqual(['bin.dat', 'notes', 'notes/a.md', 'notes/new', 'notes/new/b.md']);
  });
});

describe('createFakeHost: one declared workspace root (§13 D3, §3.7, §4.23)', () => {
  it('serves absolute paths under the root (default /workspace) as the matching relative paths and refuses others', async () => {
    const { host, call } = await probe({ files: { 'notes/a.md': 'hello' } });
    expect(host.workspaceRoot).toBe('/workspace');
    expect(await call('host_read_file', { path: '/workspace/notes/a.md' })).toBe('hello');
    await call('host_write_file', { path: '/workspace/notes/b.md', content: 'b' });
    expect(host).toHaveFile('notes/b.md', 'b');
    expect(await call('host_file_exists', { path: '/workspace' })).toBe('true');
    await expect(call('host_read_file', { path: '/etc/passwd' })).rejects.toThrow("Absolute path outside the workspace not allowed: '/etc/passwd'");
    await expect(call('host_read_file', { path: '/workspacex/notes/a.md' })).rejects.toThrow('Absolute path outside the workspace not allowed');
  });

  it('hands the same root out in init, in the sample events and in the runtime context', async () => {
    const { host, call } = await probe({ workspaceRoot: '/Users/me/journal/' });
    expect(host.workspaceRoot).toBe('/Users/me/journal');
    expect(host.initContext).toEqual({ workspace_root: '/Users/me/journal' });
    expect(host.sampleEvents.map((e) => e.event_type)).toEqual([
      'workspace_opened', 'workspace_closed', 'workspace_changed', 'workspace_committed', 'file_saved', 'file_created', 'file_deleted', 'file_moved',
    ]);
    expect(host.sampleEvents[0]).toEqual({ event_type: 'workspace_opened', payload: { workspace_root: '/Users/me/journal' } });
    expect(await call('host_get_runtime_context', '')).toBe('{"current_workspace":{"path":"/Users/me/journal"}}');
    const withServer = await probe({ runtimeContext: { server_url: 'https://sync.example.com' } });
    expect(await withServer.call('host_get_runtime_context', '')).toBe('{"current_workspace":{"path":"/workspace"},"server_url":"https://sync.example.com"}');
  });

  it('refuses a root that is not absolute, naming the option', () => {
    expect(() => createFakeHost({ workspaceRoot: 'workspace' })).toThrow(`workspaceRoot must be an absolute path such as '/workspace', got "workspace"`);
  });
});

describe('createFakeHost: what the plugin did', () => {
  it('records events parsed (and non-JSON ones as text) and logs with levels', async () => {
    const { host, call } = await probe();
    await call('host_emit_event', '{"event_type":"saved","payload":{"n":1}}');
    await call('host_emit_event', 'plain text');
    await call('host_log', { level: 'warn', message: 'careful' });
    expect(host.events.map((e) => e.json)).toEqual([{ event_type: 'saved', payload: { n: 1 } }, null]);
    expect(host.events[1]!.text).toBe('plain text');
    expect(host.logs).toContainEqual({ level: 'warn', message: '[extism-plugin probe] careful' });
    expect(host).toHaveEmitted('saved', { n: 1 });
  });

  it('records storage operations with scoped keys; pre-filled values are visible to the guest; none on quota', async () => {
    const { host, call } = await probe({ storage: { greeting: 'hi' }, storageQuotaBytes: 4 });
    expect(await call('host_storage_get', { key: 'greeting' })).toBe('{"data":"aGk="}');
    await call('host_storage_set', { key: 'k', data: 'dg==' });
    expect(await call('host_storage_set', { key: 'big', data: 'AAAAAAA=' })).toContain('exceeds plugin storage quota');
    expect(host.storage.ops).toEqual([
      { op: 'get', key: 'probe:greeting' },
      { op: 'set', key: 'probe:k', value: new Uint8Array([118]) },
    ]);
    expect(host.storage.text('probe:k')).toBe('v');
  });

  it('keeps secrets per plugin', async () => {
    const { host, call } = await probe({ secrets: { token: 't0k' } });
    expect(await call('host_secret_get', { key: 'token' })).toBe('{"value":"t0k"}');
    await call('host_secret_set', { key: 'other', value: 'x' });
    expect(host.secrets.get('probe:other')).toBe('x');
  });

  it('traces every host call with its outcome, denials included', async () => {
    const { host, call } = await probe({ permissions: 'deny-all', files: { 'a.md': 'x' } });
    await call('host_read_file', { path: 'a.md' });
    expect(host.calls).toEqual([
      {
        name: 'host_read_file',
        pluginId: 'probe',
        input: '{"path":"a.md"}',
        output: `{"error":"Permission denied: no permissions configured for plugin 'probe' (read_files on 'a.md')"}`,
        outcome: 'denied',
        message: "Permission denied: no permissions configured for plugin 'probe' (read_files on 'a.md')",
      },
    ]);
    expect(host).toHaveCalledHost('host_read_file', { path: 'a.md' });
  });

  it('applies PluginPermissions rules to the plugin under test', async () => {
    const { call } = await probe({ permissions: { read_files: { include: ['public'], exclude: [] } }, files: { 'public/a.md': 'ok', 'private/b.md': 'no' } });
    expect(await call('host_read_file', { path: 'public/a.md' })).toBe('ok');
    expect(await call('host_read_file', { path: 'private/b.md' })).toContain("Permission not configured for plugin 'probe'");
  });
});

describe('createFakeHost: scripted services', () => {
  it('answers HTTP from routes, records requests, and fails loudly for an unmatched URL', async () => {
    const { plugin, host } = await loadTestPlugin(await probeWasm(), {
      http: {
        'POST https://hooks.example.com/*': (req) => ({ status: 201, body: { echoed: req.body } }),
        'https://api.example.com/status': { body: 'up' },
      },
      runInWorker: true,
    });
    try {
      const post = { url: 'https://hooks.example.com/x', method: 'POST', headers: { 'X-Token': 't' }, body: 'hi' };
      const out = JSON.parse(new TextDecoder().decode((await plugin.call('probe_host_http_request', JSON.stringify(post)))!));
      expect(out).toMatchObject({ status: 201, body: '{"echoed":"hi"}', headers: { 'content-type': 'application/json' } });
      expect(host.http.requests[0]).toEqual({ method: 'POST', url: 'https://hooks.example.com/x', headers: { 'X-Token': 't' }, body: 'hi', timeoutMs: null });
      const miss = { url: 'https://nowhere.example.com/', method: 'GET', headers: {} };
      await expect(plugin.call('probe_host_http_request', JSON.stringify(miss))).rejects.toThrow(
        /no fake HTTP route matches GET https:\/\/nowhere.example.com\/ \(routes: POST https:\/\/hooks.example.com\/\*, https:\/\/api.example.com\/status\)/,
      );
    } finally {
      await plugin.close();
    }
  });

  it('fixes the clock, the runtime context and the files to request', async () => {
    const { call } = await probe({
      now: '2024-01-15T17:30:00Z',
      utcOffsetMinutes: -420,
      runtimeContext: { current_workspace: { path: '/ws' } },
      requestFiles: { picked: 'chosen file' },
    });
    expect(await call('host_get_timestamp', '')).toBe('1705339800000');
    expect(await call('host_get_now', '')).toBe('2024-01-15T10:30:00-07:00');
    expect(await call('host_get_runtime_context', '')).toBe('{"current_workspace":{"path":"/ws"}}');
    expect(await call('host_request_file', { key: 'picked' })).toBe('chosen file');
  });

  it('routes host_plugin_command to fake plugins and keeps namespaces in memory', async () => {
    const { plugin, host } = await loadTestPlugin(await probeWasm(), {
      plugins: { 'other.plugin': { sum: (params) => (params as number[]).reduce((a, b) => a + b, 0) } },
      runInWorker: true,
    });
    try {
      const out = await plugin.call('probe_host_plugin_command', JSON.stringify({ plugin_id: 'other.plugin', command: 'sum', params: [1, 2] }));
      expect(new TextDecoder().decode(out!)).toBe('{"data":3,"success":true}');
      await plugin.call('probe_host_namespace_put_object', JSON.stringify({ ns_id: 'n', key: 'k', body_base64: 'aGk=', mime_type: 'text/plain', audience: 'all' }));
      expect(host.namespaces.listObjects('n')).toEqual([{ key: 'k', mime_type: 'text/plain', audience: 'all' }]);
    } finally {
      await plugin.close();
    }
  });
});

describe('loadTestPlugin', () => {
  it('grants by default exactly what the manifest requests, with its scopes, as the app does (AB-T4)', async () => {
    const scoped = JSON.stringify({
      id: 'scoped',
      name: 'Scoped',
      version: '1',
      description: 'd',
      capabilities: [],
      requested_permissions: { defaults: { read_files: { include: ['public'], exclude: [] } }, reasons: {} },
    });
    const { plugin, host } = await loadTestPlugin(await compileWat(probeWat(scoped, HOST_FUNCTION_NAMES)), {
      files: { 'public/a.md': 'ok', 'private/b.md': 'no' },
    });
    const call = async (fn: string, input: unknown) => new TextDecoder().decode((await plugin.call(`probe_${fn}`, JSON.stringify(input))) ?? new Uint8Array());
    expect(await call('host_read_file', { path: 'public/a.md' })).toBe('ok');
    expect(host).toHaveNoDeniedCalls();
    expect(await call('host_read_file', { path: 'private/b.md' })).toContain('outside the scopes the plugin requests for read_files');
    // A forgotten permission fails the call with the advice; the matcher lists every denial.
    await expect(call('host_write_file', { path: 'public/c.md', content: 'c' })).rejects.toThrow(
      "create_files on 'public/c.md': the plugin does not request create_files: add it to requested_permissions in the plugin's manifest",
    );
    expect(() => expect(host).toHaveNoDeniedCalls()).toThrow(/expected no denied host calls; denied were:\n {2}host_read_file.*\n {2}host_write_file/);
    // 'allow-all' stays available.
    const { call: allowed } = await probe({ permissions: 'allow-all', files: { 'a.md': 'x' } });
    expect(await allowed('host_read_file', { path: 'a.md' })).toBe('x');
  });

  it('a plugin loaded without loadTestPlugin is denied with the way to grant it', async () => {
    const host = createFakeHost({ files: { 'a.md': 'x' } });
    await using plugin = await loadPlugin(await probeWasm(), host.context, { runInWorker: false });
    const out = await plugin.call('probe_host_read_file', JSON.stringify({ path: 'a.md' }));
    expect(new TextDecoder().decode(out!)).toContain('this plugin was not loaded with loadTestPlugin; call host.grantRequested(');
    host.grantRequested(plugin.id, plugin.manifest.requested_permissions?.defaults ?? null);
    expect(new TextDecoder().decode((await plugin.call('probe_host_read_file', JSON.stringify({ path: 'a.md' })))!)).toBe('x');
  });

  it('writes nothing next to the wasm under test (AB-T6)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diaryx-fixture-'));
    await writeFile(join(dir, 'plugin.wasm'), await probeWasm());
    const { plugin } = await loadTestPlugin(join(dir, 'plugin.wasm'), { config: { a: 1 } });
    await plugin.setConfig({ b: 2 });
    expect(plugin.getConfig()).toEqual({ b: 2 });
    expect(await readdir(dir)).toEqual(['plugin.wasm']);
  });
});

describe('matchers print what was there', () => {
  it('toHaveFile, toHaveEmitted and toHaveCalledHost fail with readable messages', async () => {
    const host = createFakeHost({ files: { 'a.md': 'one' } });
    expect(() => expect(host).toHaveFile('b.md')).toThrow('expected the workspace to have b.md; it has: a.md');
    expect(() => expect(host).toHaveFile('a.md', 'two')).toThrow(/expected a.md to have the content below/);
    expect(() => expect(host).toHaveEmitted('saved')).toThrow(/expected a "saved" event; emitted were:\n {2}\(none\)/);
    expect(() => expect(host).toHaveCalledHost('host_read_file')).toThrow('expected a call to host_read_file; the plugin called: (nothing)');
    expect(host).not.toHaveFile('b.md');
  });
});

describe('createFakeHost: empty answers, read as the Rust guest SDK reads them', () => {
  let reader: Promise<Uint8Array> | undefined;
  const readerWasm = () => (reader ??= compileWat(answerReaderWat(MANIFEST, HOST_FUNCTION_NAMES)));

  it.each(['in-process', 'metered', 'worker'] as const)('"" is zero bytes, not "\\0" (%s): ws no-op, missing request file, secret, storage key, hash', async (mode) => {
    const { plugin } = await loadTestPlugin(await readerWasm(), { mode });
    try {
      const lengths: Record<string, number> = {};
      const cases: [string, string, unknown][] = [
        ['ws no-op', 'host_ws_request', '{"type":"connect"}'],
        ['request file', 'host_request_file', { key: 'missing' }],
        ['secret', 'host_secret_get', { key: 'missing' }],
        ['storage', 'host_storage_get', { key: 'missing' }],
        ['hash', 'host_hash_file', { path: 'missing.md' }],
      ];
      for (const [name, fn, input] of cases) {
        const answer = decodeAnswer(await plugin.call(`read_${fn}`, typeof input === 'string' ? input : JSON.stringify(input)));
        lengths[name] = answer.length + answer.checkedLength + answer.bytes.length;
      }
      expect(lengths).toEqual({ 'ws no-op': 0, 'request file': 0, secret: 0, storage: 0, hash: 0 });
    } finally {
      await plugin.close();
    }
  });
});
