import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, createHostContext, type SecretStore } from '@diaryx/host-fns';
import { compileWat, hostileManifest, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';
import type { LoadedPlugin } from '../loaded-plugin.js';
import { loadPluginsFromDir } from '../node/load-plugins-from-dir.js';
import { PLUGIN_ID_RULE } from '../protocol/plugin-id.js';
import { guestWasm, recorderWat, writePluginFolder } from '../test-support/fixtures.js';
import { LOAD_MODES } from '../test-support/load-modes.js';

// Issue 15 (security round 2), the loader's part: hostile manifests and plugin folders, each case
// in worker and in-process mode where a guest runs.

const MODES = LOAD_MODES;

const opened: LoadedPlugin[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
  await removeTempDirs();
});

function secretStore(entries: Record<string, string>): SecretStore & { map: Map<string, string> } {
  const map = new Map(Object.entries(entries));
  return { map, get: (k) => map.get(k) ?? null, set: (k, v) => void map.set(k, v), delete: (k) => void map.delete(k) };
}

/** A guest whose `run` command answers with what `host_secret_get {key}` returned. */
function secretReader(manifest: string, key: string): Promise<Uint8Array> {
  return guestWasm({
    manifest,
    hostImports: ['host_secret_get'],
    data: { req: JSON.stringify({ key }) },
    exports: { handle_command: '(call $output_handle (call $host_secret_get (call $to_block (global.get $req_ptr) (global.get $req_len)))) (i32.const 0)' },
  });
}

/** A guest whose `manifest` export first reads the secret `key` and emits what it got, if anything ("" is a block of length 0). */
function manifestTimeSecretReader(manifest: string, key: string): Promise<Uint8Array> {
  return guestWasm({
    manifest,
    hostImports: ['host_secret_get', 'host_emit_event'],
    data: { req: JSON.stringify({ key }) },
    exports: {
      manifest: `(local $h i64)
        (local.set $h (call $host_secret_get (call $to_block (global.get $req_ptr) (global.get $req_len))))
        (if (i64.ne (call $length (local.get $h)) (i64.const 0)) (then (drop (call $host_emit_event (local.get $h)))))
        (call $output_bytes (global.get $manifest_ptr) (global.get $manifest_len)) (i32.const 0)`,
    },
  });
}

describe.each(MODES)('15.1 plugin ids (D17), %s', (_mode, options) => {
  it.each([
    ['""', ''],
    ['"   "', '   '],
    ['with ":" (acme reading acme:notes keys)', 'acme.sync:api'],
    ['starting with "."', '.hidden'],
    ['ending with "."', 'acme.'],
    ['129 characters', 'a'.repeat(129)],
    ['non-ASCII', 'acmé'],
    ['with a slash', 'a/b'],
  ])('an id %s is refused at load as invalid_id, naming the id and the rule', async (_label, id) => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, 'acme.sync', await secretReader(hostileManifest('acme.sync'), 'api_token'));
    await writePluginFolder(dir, 'evil', await secretReader(hostileManifest(id), 'acme.sync:api_token'));
    const secrets = secretStore({ 'acme.sync:api_token': 'hunter2' });
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext({ secrets, permissions: allowAll }), options);
    opened.push(...plugins);
    expect(plugins.map((p) => p.id)).toEqual(['acme.sync']);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toMatchObject({ kind: 'invalid_id', pluginName: 'evil' });
    expect(failures[0]!.error.message).toContain(JSON.stringify(id));
    expect(failures[0]!.error.message).toContain(PLUGIN_ID_RULE);
  });

  it.each(['diaryx.daily', 'a', 'A-b_c.9', 'x'.repeat(128)])('the id %s loads', async (id) => {
    const plugin = await loadPluginFromBytes(await secretReader(hostileManifest(id), 'k'), createHostContext(), options);
    opened.push(plugin);
    expect(plugin.id).toBe(id);
  });

  it('the manifest-time id of a folder named with ":" cannot read another plugin\'s keys (AB-L9 folder name)', async () => {
    const dir = await makeTempDir();
    const events: string[] = [];
    const secrets = secretStore({ 'acme.sync:oauth:token': 'hunter2' });
    // Folder "acme.sync:oauth" + key "token" would be "acme.sync:oauth:token", acme.sync's key "oauth:token".
    await writePluginFolder(dir, 'acme.sync:oauth', await manifestTimeSecretReader(hostileManifest('squatter'), 'token'));
    const host = createHostContext({ secrets, permissions: allowAll, events: { emit: (text) => void events.push(text) } });
    const { plugins } = await loadPluginsFromDir(dir, host, options);
    opened.push(...plugins);
    expect(plugins.map((p) => p.id)).toEqual(['squatter']);
    expect(events).toEqual([]);
  });

  it('the manifest-time id of a plugin named "" does not disable key scoping', async () => {
    const events: string[] = [];
    const secrets = secretStore({ 'acme.sync:api_token': 'hunter2' });
    const host = createHostContext({ secrets, permissions: allowAll, events: { emit: (text) => void events.push(text) } });
    const wasm = await manifestTimeSecretReader(hostileManifest('squatter'), 'acme.sync:api_token');
    const plugin = await loadPluginFromBytes(wasm, host, { ...options, name: '' });
    opened.push(plugin);
    expect(events).toEqual([]);
  });
});

describe.each(MODES)('15.7 id squatting (D20), %s', (_mode, options) => {
  it('a folder sorting first that declares acme.sync is refused; the acme.sync folder owns the id', async () => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, '0-evil', await secretReader(hostileManifest('acme.sync'), 'api_token'));
    await writePluginFolder(dir, 'acme.sync', await secretReader(hostileManifest('acme.sync'), 'api_token'));
    const secrets = secretStore({ 'acme.sync:api_token': 'hunter2' });
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext({ secrets, permissions: allowAll }), options);
    opened.push(...plugins);
    expect(plugins).toHaveLength(1);
    expect(plugins[0]!.configPath).toBe(`${dir}/acme.sync/config.json`);
    expect(failures.map((f) => [f.dir, f.error.kind])).toEqual([[`${dir}/0-evil`, 'duplicate_id']]);
    expect(failures[0]!.error.message).toContain(`${dir}/acme.sync`);
    const out = await plugins[0]!.call('handle_command', '{"command":"run","params":null}');
    expect(new TextDecoder().decode(out!)).toBe('{"value":"hunter2"}');
  });

  it('when no folder is named after a duplicate id, every folder declaring it is refused, naming them all', async () => {
    const dir = await makeTempDir();
    const wasm = await secretReader(hostileManifest('acme.sync'), 'api_token');
    for (const folder of ['a', 'b', 'c']) await writePluginFolder(dir, folder, wasm);
    await writePluginFolder(dir, 'other', await secretReader(hostileManifest('other'), 'k'));
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), options);
    opened.push(...plugins);
    expect(plugins.map((p) => p.id)).toEqual(['other']);
    expect(failures.map((f) => f.error.kind)).toEqual(['duplicate_id', 'duplicate_id', 'duplicate_id']);
    for (const failure of failures) {
      for (const folder of ['a', 'b', 'c']) expect(failure.error.message).toContain(`${dir}/${folder}`);
    }
  });
});

describe('15.12 loader options are validated at load', () => {
  it.each([
    ['timeoutMs', Number.NaN],
    ['timeoutMs', 0],
    ['timeoutMs', -1],
    ['timeoutMs', 2 ** 31],
    ['timeoutMs', 1.5],
    ['timeoutMs', Number.NEGATIVE_INFINITY],
    ['manifestTimeoutMs', Number.NaN],
    ['manifestTimeoutMs', 2 ** 40],
    ['maxInputBytes', Number.NaN],
    ['maxInputBytes', -1],
    ['maxInputBytes', 0],
    ['maxMemoryPages', 0],
    ['maxMemoryPages', 65_537],
    ['maxMemoryPages', Number.POSITIVE_INFINITY],
    ['runInWorker', 'yes'],
    ['appVersion', ''],
    ['logger', {}],
    ['name', 42],
  ] as const)('%s: %s is refused with LoaderOptionError naming the option', async (option, value) => {
    const wasm = await secretReader(hostileManifest('p'), 'k');
    const attempt = loadPluginFromBytes(wasm, createHostContext(), { [option]: value });
    await expect(attempt).rejects.toMatchObject({ name: 'LoaderOptionError', kind: 'invalid_option', option });
    await expect(attempt).rejects.toThrow(`Invalid loader option ${option}:`);
    const dir = await makeTempDir();
    await expect(loadPluginsFromDir(dir, createHostContext(), { [option]: value })).rejects.toMatchObject({ kind: 'invalid_option', option });
  });

  it('the error says how to ask for no deadline', async () => {
    const attempt = loadPluginFromBytes(await secretReader(hostileManifest('p'), 'k'), createHostContext(), { timeoutMs: 2 ** 31 });
    await expect(attempt).rejects.toThrow('or Infinity for no deadline; got 2147483648');
  });

  it('timeoutMs: Infinity means no deadline: a call that waits 400 ms on its host succeeds (worker mode)', async () => {
    const host = createHostContext({ events: { emit: () => new Promise<void>((resolve) => setTimeout(resolve, 400)) } });
    const wasm = await guestWasm({
      manifest: hostileManifest('slow.host'),
      hostImports: ['host_emit_event'],
      data: { ok: '{"success":true}' },
      exports: {
        handle_command: '(drop (call $host_emit_event (call $input_offset))) (call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)',
      },
    });
    const plugin = await loadPluginFromBytes(wasm, host, { runInWorker: true, timeoutMs: Number.POSITIVE_INFINITY, manifestTimeoutMs: 5_000 });
    opened.push(plugin);
    await expect(plugin.handleCommand('run')).resolves.toEqual({ success: true });
    const started = await loadPluginFromBytes(wasm, host, { runInWorker: true, timeoutMs: 100, manifestTimeoutMs: Number.POSITIVE_INFINITY });
    opened.push(started);
    await expect(started.handleCommand('run')).rejects.toMatchObject({ kind: 'timeout' });
  });
});

const nested = (levels: number, inner = '0') => '['.repeat(levels) + inner + ']'.repeat(levels);
const MANIFEST_BODY = '"name":"n","version":"1","description":"d","capabilities":["custom_commands"],"commands":["run"]';

/** A plugin folder load of a guest whose `manifest` outputs exactly `text`. */
async function loadWithManifestText(text: string, options: object) {
  const dir = await makeTempDir();
  await writePluginFolder(dir, 'strict', await guestWasm({ manifest: text, exports: { handle_command: '(i32.const 0)' } }));
  const result = await loadPluginsFromDir(dir, createHostContext(), options);
  opened.push(...result.plugins);
  return { ...result, dir };
}

describe.each(MODES)('15.18 / 15.20 guest JSON is held to serde_json\'s rules, %s', (_mode, options) => {
  it.each([
    ['ui nested 100,000 deep', `{"id":"strict",${MANIFEST_BODY},"ui":${nested(100_000)}}`, 'recursion limit exceeded'],
    ['128 levels in all (serde_json counts the manifest object too)', `{"id":"strict",${MANIFEST_BODY},"ui":[${nested(126)}]}`, 'recursion limit exceeded'],
    ['"protocol_version": 1.0 (PROTOCOL §3.1 called accepting it harmless; issue 15.20 refuses it)', `{"protocol_version":1.0,"id":"strict",${MANIFEST_BODY}}`, 'invalid type: floating point `1.0`, expected u32'],
    ['"protocol_version": 1e0', `{"protocol_version":1e0,"id":"strict",${MANIFEST_BODY}}`, 'floating point `1e0`'],
    ['a duplicate "id" (§3.1 said last-wins was harmless; issue 15.20 refuses it)', `{"id":"acme.sync","id":"strict",${MANIFEST_BODY}}`, 'duplicate field `id`'],
    ['a duplicate field inside requested_permissions.defaults.read_files', `{"id":"strict",${MANIFEST_BODY},"requested_permissions":{"defaults":{"read_files":{"include":["a"],"include":["all"]}}}}`, 'manifest.requested_permissions.defaults.read_files: duplicate field `include`'],
    ['a duplicate field in a server_functions entry', `{"id":"strict",${MANIFEST_BODY},"server_functions":[{"name":"a","method":"GET","path":"/","description":"d","path":"/x"}]}`, 'manifest.server_functions[0]: duplicate field `path`'],
    ['a lone surrogate "\\ud800"', `{"id":"strict",${MANIFEST_BODY.replace('"n"', '"\\ud800"')}}`, 'lone surrogate'],
    ['a lone trailing surrogate in a ui key', `{"id":"strict",${MANIFEST_BODY},"ui":[{"\\udc00":1}]}`, 'lone surrogate'],
  ])('a manifest with %s is refused as manifest_parse, and no manifest.json is written', async (_label, text, message) => {
    const { plugins, failures, dir } = await loadWithManifestText(text, options);
    expect(plugins).toEqual([]);
    expect(failures[0]!.error).toMatchObject({ kind: 'manifest_parse', message: expect.stringContaining(message) });
    await expect(readFile(join(dir, 'strict', 'manifest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['127 levels in all', `{"id":"strict",${MANIFEST_BODY},"ui":[${nested(125)}]}`],
    ['an unknown field nested 100,000 deep (serde_json skips ignored values without a limit)', `{"id":"strict",${MANIFEST_BODY},"extra":${nested(100_000)}}`],
    ['a duplicate key inside a ui element (a serde_json Value keeps the last)', `{"id":"strict",${MANIFEST_BODY},"ui":[{"a":1,"a":2}]}`],
    ['a duplicate unknown field', `{"id":"strict",${MANIFEST_BODY},"x":1,"x":2}`],
    ['a surrogate pair', `{"id":"strict",${MANIFEST_BODY.replace('"n"', '"\\ud83d\\ude00"')}}`],
    ['"protocol_version": 1', `{"protocol_version":1,"id":"strict",${MANIFEST_BODY}}`],
  ])('a manifest with %s loads, as with serde_json, and its manifest.json is written', async (_label, text) => {
    const { plugins, failures, dir } = await loadWithManifestText(text, options);
    expect(failures).toEqual([]);
    expect(plugins.map((p) => p.id)).toEqual(['strict']);
    expect(JSON.parse(await readFile(join(dir, 'strict', 'manifest.json'), 'utf8'))).toMatchObject({ id: 'strict' });
  });

  it.each([
    [100_000, 'invalid_response'],
    [127, 'invalid_response'],
    [126, null],
  ] as const)('a command response whose data nests %i levels: %s', async (levels, kind) => {
    const wasm = await guestWasm({
      manifest: hostileManifest('deep'),
      data: { out: `{"success":true,"data":${nested(levels)}}` },
      exports: { handle_command: '(call $output_bytes (global.get $out_ptr) (global.get $out_len)) (i32.const 0)' },
    });
    const plugin = await loadPluginFromBytes(wasm, createHostContext(), options);
    opened.push(plugin);
    const answer = plugin.handleCommand('run');
    if (kind === null) await expect(answer).resolves.toMatchObject({ success: true });
    else await expect(answer).rejects.toMatchObject({ kind, message: expect.stringContaining('recursion limit exceeded') });
  });
});

describe.each(MODES)('15.21 a module that traps while instantiating, %s', (_mode, options) => {
  it('is reported at once as plugin_create with the trap, not as a timeout after manifestTimeoutMs', async () => {
    const dir = await makeTempDir();
    const good = await secretReader(hostileManifest('good'), 'k');
    for (const folder of ['a', 'b', 'd']) await writePluginFolder(dir, folder, await secretReader(hostileManifest(folder), 'k'));
    await writePluginFolder(dir, 'c-start-trap', await guestWasm({ manifest: hostileManifest('trap'), extra: '(func $start unreachable) (start $start)' }));
    const started = Date.now();
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), { ...options, manifestTimeoutMs: 20_000 });
    opened.push(...plugins);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(plugins.map((p) => p.id)).toEqual(['a', 'b', 'd']);
    expect(failures.map((f) => [f.error.pluginName, f.error.kind])).toEqual([['c-start-trap', 'plugin_create']]);
    expect(failures[0]!.error.message).toContain('unreachable');
    expect(failures[0]!.error.message).not.toContain('timed out');
    const alone = loadPluginFromBytes(await guestWasm({ manifest: hostileManifest('trap'), extra: '(func $start unreachable) (start $start)' }), createHostContext(), {
      ...options,
      manifestTimeoutMs: 20_000,
    });
    await expect(alone).rejects.toMatchObject({ kind: 'plugin_create', message: expect.stringContaining('unreachable') });
    const after = await loadPluginFromBytes(good, createHostContext(), options);
    opened.push(after);
    expect(after.id).toBe('good');
  }, 30_000);
});

describe.each(MODES)('15.22 values that cannot be sent as JSON, %s', (_mode, options) => {
  const cycle = (): Record<string, unknown> => {
    const value: Record<string, unknown> = { a: 1 };
    value['self'] = value;
    return value;
  };

  it.each([
    ['a BigInt', () => ({ n: 10n }), 'BigInt'],
    ['a cycle', cycle, 'cycle'],
  ])('onEvent, handleCommand and setConfig with %s reject with PluginCallError invalid_input naming it', async (_label, make, problem) => {
    const events: string[] = [];
    const host = createHostContext({ events: { emit: (text) => void events.push(text) } });
    const saved: unknown[] = [];
    const wasm = await compileWat(recorderWat(hostileManifest('json.safe', { commands: ['run'] })));
    const plugin = await loadPluginFromBytes(wasm, host, { ...options, saveConfig: async (c) => void saved.push(c) });
    opened.push(plugin);
    await expect(plugin.onEvent({ event_type: 'file_saved', payload: make() })).rejects.toMatchObject({
      name: 'PluginCallError',
      kind: 'invalid_input',
      pluginId: 'json.safe',
      exportName: 'on_event',
      message: expect.stringContaining(problem),
    });
    await expect(plugin.handleCommand('run', make())).rejects.toMatchObject({ kind: 'invalid_input', exportName: 'handle_command', message: expect.stringContaining(problem) });
    await expect(plugin.setConfig(make())).rejects.toMatchObject({ kind: 'invalid_input', exportName: 'set_config', message: expect.stringContaining(problem) });
    expect(saved).toEqual([]);
    expect(plugin.getConfig()).toBeNull();
    expect(events).toEqual([]);
    await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } });
    expect(events).toHaveLength(1);
  });
});
