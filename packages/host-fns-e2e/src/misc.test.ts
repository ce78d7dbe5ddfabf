import { allowAll, fixedClock, type HostLogger, mapFileProvider } from '@diaryx/host-fns';
import { removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';
import { diskWorkspace } from './workspace.js';

afterEach(removeTempDirs);

describe('host_log (AB-H27)', () => {
  it('maps levels case-sensitively (anything else → trace), names the plugin in the text and the fields (source guest), returns ""; bad input traps', async () => {
    const lines: string[] = [];
    const fields: unknown[] = [];
    const at = (level: string) => (m: string, f?: unknown) => void (lines.push(`${level} ${m}`), fields.push(f));
    const logger: HostLogger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace') };
    const probe = await loadProbe({ logger });
    for (const level of ['error', 'warn', 'info', 'debug', 'trace', 'WARN', '']) {
      expect(await probe.call('host_log', { level, message: `m-${level}` })).toBe('');
    }
    // Rust writes "[extism-plugin] <message>"; the kit names the plugin in its one format.
    expect(lines).toEqual([
      'error [plugin probe] m-error',
      'warn [plugin probe] m-warn',
      'info [plugin probe] m-info',
      'debug [plugin probe] m-debug',
      'trace [plugin probe] m-trace',
      'trace [plugin probe] m-WARN',
      'trace [plugin probe] m-',
    ]);
    expect(fields[0]).toEqual({ pluginId: 'probe', source: 'guest', export: expect.any(String) });
    expect(await probe.trap('host_log', { level: 'info' })).toContain('host_log: invalid input: missing field `message`');
  });
});

describe('host_emit_event (AB-H11)', () => {
  it('passes the exact input text, even non-JSON, to the emitter with the plugin id', async () => {
    const events: string[] = [];
    const probe = await loadProbe({ events: { emit: (text, id) => void events.push(`${id}|${text}`) } });
    expect(await probe.call('host_emit_event', '{"type":"SyncProgress","percent":50}')).toBe('');
    expect(await probe.call('host_emit_event', 'not json ✓')).toBe('');
    expect(events).toEqual(['probe|{"type":"SyncProgress","percent":50}', 'probe|not json ✓']);
  });
});

describe('time (AB-H17)', () => {
  it('host_get_timestamp gives the clock in ms; host_get_now RFC 3339 with +00:00 or an offset', async () => {
    const utc = await loadProbe({ clock: fixedClock('2024-01-15T17:30:00.900Z') });
    expect(await utc.call('host_get_timestamp', '')).toBe('1705339800900');
    expect(await utc.call('host_get_now', '')).toBe('2024-01-15T17:30:00+00:00');
    const denver = await loadProbe({ clock: fixedClock('2024-01-15T17:30:00Z', -420) });
    expect(await denver.call('host_get_now', '')).toBe('2024-01-15T10:30:00-07:00');
    const india = await loadProbe({ clock: fixedClock('2024-01-15T17:30:00Z', 330) });
    expect(await india.call('host_get_now', 'ignored input')).toBe('2024-01-15T23:00:00+05:30');
  });
});

describe('host_request_file (AB-H20)', () => {
  it('returns the raw bytes for a key, or "" when there is none; no permission check', async () => {
    const probe = await loadProbe({ files: mapFileProvider({ picked: new Uint8Array([0, 255, 7]) }) });
    expect([...(await probe.callBytes('host_request_file', { key: 'picked' }))]).toEqual([0, 255, 7]);
    expect(await probe.call('host_request_file', { key: 'other' })).toBe('');
  });
});

describe('host_get_runtime_context (AB-H21)', () => {
  it('returns {} by default and the provider JSON with sorted keys', async () => {
    expect(await (await loadProbe()).call('host_get_runtime_context', '')).toBe('{}');
    const probe = await loadProbe({
      runtimeContext: { getContext: (id) => ({ server_url: 'https://s', current_workspace: { path: '/ws', id }, auth_token: null }) },
    });
    expect(await probe.call('host_get_runtime_context', '')).toBe(
      '{"auth_token":null,"current_workspace":{"id":"probe","path":"/ws"},"server_url":"https://s"}',
    );
  });
});

describe('host_ws_request (AB-H23)', () => {
  it('the no-op bridge answers ""; input is passed verbatim; a bridge error traps', async () => {
    expect(await (await loadProbe()).call('host_ws_request', '{"type":"disconnect"}')).toBe('');
    const seen: string[] = [];
    const probe = await loadProbe({
      ws: {
        request: (text) => {
          seen.push(text);
          if (text.includes('boom')) throw new Error('WebSocket bridge is not connected');
          return '{"ok":true}';
        },
      },
    });
    expect(await probe.call('host_ws_request', 'raw {text}')).toBe('{"ok":true}');
    expect(await probe.trap('host_ws_request', 'boom')).toContain('WebSocket bridge is not connected');
    expect(seen).toEqual(['raw {text}', 'boom']);
  });
});

describe('namespaces (AB-H22)', () => {
  it('the no-op provider answers {"error":"Namespace operations are not available"} everywhere', async () => {
    const probe = await loadProbe();
    const err = '{"error":"Namespace operations are not available"}';
    expect(await probe.call('host_namespace_put_object', { ns_id: 'n', key: 'k', body_base64: '', mime_type: 't', audience: 'a' })).toBe(err);
    expect(await probe.call('host_namespace_delete_object', { ns_id: 'n', key: 'k' })).toBe(err);
    expect(await probe.call('host_namespace_list_objects', { ns_id: 'n' })).toBe(err);
    expect(await probe.call('host_namespace_sync_audience', { ns_id: 'n', audience: 'a', access: 'public' })).toBe(err);
    expect(await probe.call('host_namespace_send_email', { ns_id: 'n', audience: 'a', subject: 's' })).toBe(err);
  });

  it('a provider gets decoded bodies; lists come back with nulls and sorted keys; bad base64 traps', async () => {
    const puts: string[] = [];
    const probe = await loadProbe({
      namespaces: {
        putObject: (ns, key, body, mime, audience) => void puts.push(`${ns}/${key} ${Buffer.from(body).toString()} ${mime} ${audience}`),
        deleteObject: () => undefined,
        listObjects: () => [{ key: 'a', mime_type: null, audience: 'x' }],
        syncAudience: () => undefined,
        sendAudienceEmail: (_ns, audience, subject, replyTo) => ({ send_receipt_key: `${audience}:${subject}:${replyTo}`, recipients: 2 }),
      },
    });
    expect(await probe.call('host_namespace_put_object', { ns_id: 'n', key: 'k', body_base64: 'aGk=', mime_type: 'text/plain', audience: 'all' })).toBe('{"ok":true}');
    expect(puts).toEqual(['n/k hi text/plain all']);
    expect(await probe.call('host_namespace_list_objects', { ns_id: 'n' })).toBe('[{"audience":"x","key":"a","mime_type":null}]');
    expect(await probe.call('host_namespace_send_email', { ns_id: 'n', audience: 'a', subject: 's' })).toBe(
      '{"recipients":2,"send_receipt_key":"a:s:null"}',
    );
    expect(await probe.trap('host_namespace_put_object', { ns_id: 'n', key: 'k', body_base64: '!!', mime_type: 't', audience: 'a' })).toContain(
      'host_namespace_put_object: base64 decode',
    );
  });
});

describe('host_workspace_file_set (AB-H25)', () => {
  it('returns plain-text errors for a missing path, a denial, and a missing root index', async () => {
    const { fs, root } = await diskWorkspace({ 'loose.md': 'no frontmatter' });
    expect(await (await loadProbe({ fs, permissions: allowAll })).call('host_workspace_file_set', '')).toBe(
      'host_workspace_file_set: missing current_workspace.path',
    );
    const runtimeContext = { getContext: () => ({ current_workspace: { path: root } }) };
    expect(await (await loadProbe({ fs, runtimeContext })).call('host_workspace_file_set', '')).toBe(
      'Permission checker is not configured for this plugin host context',
    );
    expect(await (await loadProbe({ fs, runtimeContext, permissions: allowAll })).call('host_workspace_file_set', '')).toBe(
      'host_workspace_file_set: workspace root index not found',
    );
  });

  it('collects the root index, reachable contents (links too) and attachments, sorted', async () => {
    const { fs, root } = await diskWorkspace({
      'README.md': '---\ntitle: Root\ncontents:\n  - notes/index.md\n  - "[Daily](Daily/daily.md)"\n  - missing.md\n---\n',
      'notes/index.md': '---\npart_of: ../README.md\ncontents:\n  - a.md\nattachments:\n  - img/cat.png\n---\n',
      'notes/a.md': '---\npart_of: index.md\n---\ntext',
      'notes/img/cat.png': 'png',
      'Daily/daily.md': '---\npart_of: ../README.md\ncontents: []\n---\n',
      'unlisted.md': 'not reachable',
    });
    const probe = await loadProbe({ fs, permissions: allowAll, runtimeContext: { getContext: () => ({ current_workspace: { path: root } }) } });
    expect(JSON.parse(await probe.call('host_workspace_file_set', ''))).toEqual([
      'Daily/daily.md',
      'README.md',
      'notes/a.md',
      'notes/img/cat.png',
      'notes/index.md',
    ]);
  });
});

describe('imports (AB-L14)', () => {
  it('a plugin importing any subset of the 31 host functions instantiates', async () => {
    const { HOST_FUNCTION_NAMES, createHostContext } = await import('@diaryx/host-fns');
    const { loadPlugin } = await import('@diaryx/loader');
    const { compileWat, guestWat } = await import('@diaryx/test-utils');
    const subsets = [[], HOST_FUNCTION_NAMES.slice(0, 1), HOST_FUNCTION_NAMES.filter((_, i) => i % 2 === 0), HOST_FUNCTION_NAMES.slice(-3)];
    for (const hostImports of subsets) {
      const manifest = JSON.stringify({ id: 'subset', name: 's', version: '1', description: 'd', capabilities: [] });
      const plugin = await loadPlugin(await compileWat(guestWat({ manifest, hostImports })), createHostContext(), { runInWorker: false });
      expect(plugin.id).toBe('subset');
    }
  });
});
