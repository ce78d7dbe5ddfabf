import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostContext, type HostLogger } from '@diaryx/host-fns';
import { compileWat, guestWat, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginCallError } from './errors.js';
import { loadPlugin } from './node/load-plugin.js';
import { guestEvents } from './protocol/events.js';
import { manifestJson, recorderWat } from './test-support/fixtures.js';
import { createRecordingEmitter } from './test-support/recording.js';

const inProcess = { runInWorker: false } as const;

afterEach(removeTempDirs);

async function recorder(options: { exports?: string[]; response?: string; manifest?: string; configPath?: string } = {}) {
  const { emitter, events } = createRecordingEmitter();
  const wasm = await compileWat(recorderWat(options.manifest ?? manifestJson(), options));
  const plugin = await loadPlugin(wasm, createHostContext({ events: emitter }), {
    ...inProcess,
    ...(options.configPath ? { configPath: options.configPath } : {}),
  });
  return { plugin, events };
}

describe('init (§8.3, AB-A1–A3)', () => {
  it('pushes a non-empty config with set_config before init, then sends the workspace root', async () => {
    const dir = await makeTempDir();
    const configPath = join(dir, 'config.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(configPath, '{"b":1,"a":{"z":1,"y":2}}');
    const { plugin, events } = await recorder({ configPath });
    await plugin.init({ workspace_root: '/ws' });
    expect(events).toEqual(['{"a":{"y":2,"z":1},"b":1}', '{"workspace_root":"/ws"}']);
  });

  it.each([['{}'], ['null']])('does not push config %s; init gets workspace_root null', async (content) => {
    const dir = await makeTempDir();
    const configPath = join(dir, 'config.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(configPath, content);
    const { plugin, events } = await recorder({ configPath });
    await plugin.init({ workspace_root: null });
    expect(events).toEqual(['{"workspace_root":null}']);
  });

  it('succeeds when the guest lacks init and set_config, or traps in them', async () => {
    const { plugin } = await recorder({ exports: ['handle_command'] });
    await plugin.setConfig({ a: 1 });
    await expect(plugin.init({ workspace_root: null })).resolves.toBeUndefined();
    const trapping = await loadPlugin(
      await compileWat(guestWat({ manifest: manifestJson(), exports: { init: 'unreachable', set_config: 'unreachable' } })),
      createHostContext(),
      inProcess,
    );
    await trapping.setConfig({ a: 1 });
    await expect(trapping.init({ workspace_root: null })).resolves.toBeUndefined();
  });
});

describe('handleCommand (§8.5, AB-A4–A7)', () => {
  it.each([
    ['a command missing from commands', manifestJson({ commands: ['echo'] }), 'other'],
    ['no custom_commands capability', manifestJson({ capabilities: [], commands: ['echo'] }), 'echo'],
    ['a different case', manifestJson({ commands: ['echo'] }), 'Echo'],
  ])('never calls the guest for %s', async (_label, manifest, command) => {
    const { plugin, events } = await recorder({ manifest });
    const response = await plugin.handleCommand(command, { x: 1 });
    expect(response).toMatchObject({ success: false, error_code: 'command_not_declared' });
    expect(response.error).toContain(`'${command}'`);
    expect(events).toEqual([]);
  });

  it('sends {"command","params"} with params always present and keys sorted; success → data', async () => {
    const { plugin, events } = await recorder();
    expect(await plugin.handleCommand('echo', { b: 2, a: 1 })).toEqual({ success: true, data: 'ok' });
    expect(await plugin.handleCommand('echo')).toEqual({ success: true, data: 'ok' });
    expect(events).toEqual(['{"command":"echo","params":{"a":1,"b":2}}', '{"command":"echo","params":null}']);
  });

  it('returns a guest failure with error and error_code visible', async () => {
    const { plugin } = await recorder({ response: '{"success":false,"error":"nope","error_code":"permission_denied"}' });
    expect(await plugin.handleCommand('echo')).toEqual({ success: false, error: 'nope', error_code: 'permission_denied' });
  });

  it('rejects an output that is not a CommandResponse with invalid_response', async () => {
    const { plugin } = await recorder({ response: 'not json at all' });
    await expect(plugin.handleCommand('echo')).rejects.toMatchObject({
      kind: 'invalid_response',
      message: expect.stringContaining('Failed to parse command response'),
    });
  });

  it('a trapping handle_command fails with "Extism call `handle_command` failed" and the plugin stays usable', async () => {
    const wasm = await compileWat(
      guestWat({
        manifest: manifestJson(),
        data: { ok: '{"success":true}' },
        exports: {
          handle_command: `(if (i64.eq (call $input_length) (i64.const 35)) (then unreachable))
            (call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)`,
        },
      }),
    );
    const plugin = await loadPlugin(wasm, createHostContext(), inProcess);
    // {"command":"echo","params":"trap!"} is 35 bytes long.
    const error = await plugin.handleCommand('echo', 'trap!').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginCallError);
    expect(error).toMatchObject({ kind: 'trap', pluginId: 'test.plugin', exportName: 'handle_command', details: { trap: 'unreachable' } });
    expect((error as Error).message).toMatch(/^Plugin 'test.plugin': Extism call `handle_command` failed: .*unreachable/);
    expect(await plugin.handleCommand('echo', 'fine')).toEqual({ success: true });
  });
});

describe('config (§8.6, AB-A8, AB-A9)', () => {
  it('setConfig writes pretty sorted config.json without a trailing newline, then notifies the guest', async () => {
    const dir = await makeTempDir();
    const configPath = join(dir, 'config.json');
    const { plugin, events } = await recorder({ configPath });
    await plugin.setConfig({ z: 1, a: { c: true, b: null } });
    expect(await readFile(configPath, 'utf8')).toBe('{\n  "a": {\n    "b": null,\n    "c": true\n  },\n  "z": 1\n}');
    expect(events).toEqual(['{"a":{"b":null,"c":true},"z":1}']);
    expect(plugin.getConfig()).toEqual({ z: 1, a: { c: true, b: null } });
    await plugin.setConfig({});
    expect(plugin.getConfig()).toBeNull();
  });

  it('a write failure rejects with config_write, keeps the old config and does not notify the guest', async () => {
    const dir = await makeTempDir();
    const { plugin, events } = await recorder({ configPath: join(dir, 'missing-folder', 'config.json') });
    await expect(plugin.setConfig({ a: 1 })).rejects.toMatchObject({
      kind: 'config_write',
      message: expect.stringContaining('Failed to write config file'),
    });
    expect(plugin.getConfig()).toBeNull();
    expect(events).toEqual([]);
  });
});

describe('events and shutdown (§8.4, AB-A10, AB-A11)', () => {
  it('sends the exact payloads of all eight events', async () => {
    const { plugin, events } = await recorder({ manifest: manifestJson({ capabilities: [] }) });
    await plugin.onEvent(guestEvents.workspaceOpened('/ws'));
    await plugin.onEvent(guestEvents.workspaceClosed('/ws'));
    await plugin.onEvent(guestEvents.workspaceChanged('/ws', ['a.md', 'b.md']));
    await plugin.onEvent(guestEvents.workspaceCommitted('/ws'));
    await plugin.onEvent(guestEvents.fileSaved('a.md'));
    await plugin.onEvent(guestEvents.fileCreated('a.md'));
    await plugin.onEvent(guestEvents.fileDeleted('a.md'));
    await plugin.onEvent(guestEvents.fileMoved('a.md', 'b.md'));
    expect(events).toEqual([
      '{"event_type":"workspace_opened","payload":{"workspace_root":"/ws"}}',
      '{"event_type":"workspace_closed","payload":{"workspace_root":"/ws"}}',
      '{"event_type":"workspace_changed","payload":{"changed_paths":["a.md","b.md"],"workspace_root":"/ws"}}',
      '{"event_type":"workspace_committed","payload":{"workspace_root":"/ws"}}',
      '{"event_type":"file_saved","payload":{"path":"a.md"}}',
      '{"event_type":"file_created","payload":{"path":"a.md"}}',
      '{"event_type":"file_deleted","payload":{"path":"a.md"}}',
      '{"event_type":"file_moved","payload":{"new_path":"b.md","old_path":"a.md"}}',
    ]);
  });

  it('a trapping on_event does not raise; the failure is logged at warn, in the kit\'s one format with its fields (Rust writes "Extism plugin <id>: <error>")', async () => {
    const warnings: string[] = [];
    const fields: unknown[] = [];
    const noop = () => undefined;
    const logger: HostLogger = { warn: (m, f) => (warnings.push(m), fields.push(f)), error: noop, info: noop, debug: noop, trace: noop };
    const plugin = await loadPlugin(
      await compileWat(guestWat({ manifest: manifestJson(), exports: { on_event: 'unreachable' } })),
      createHostContext(),
      { ...inProcess, logger },
    );
    await expect(plugin.onEvent(guestEvents.fileSaved('a.md'))).resolves.toBeUndefined();
    expect(warnings[0]).toMatch(/^\[plugin test.plugin\] .*Extism call `on_event` failed: .*unreachable/);
    expect(fields[0]).toEqual({ pluginId: 'test.plugin', source: 'loader', export: 'on_event' });
  });

  it('shutdown sends {}; a plugin without shutdown is fine', async () => {
    const { plugin, events } = await recorder();
    await plugin.shutdown();
    expect(events).toEqual(['{}']);
    const { plugin: bare } = await recorder({ exports: [] });
    await expect(bare.shutdown()).resolves.toBeUndefined();
  });

  it('exposes the guest manifest and the core manifest (AB-A13)', async () => {
    const { plugin } = await recorder();
    expect(plugin.manifest.commands).toEqual(['echo']);
    expect(plugin.coreManifest).toEqual({
      id: 'test.plugin',
      name: 'Test Plugin',
      version: '0.1.0',
      description: 'A test plugin',
      capabilities: [{ CustomCommands: { commands: ['echo'] } }],
      ui: [],
      cli: [],
    });
  });
});

describe('calls', () => {
  it('50,000 calls on one loaded plugin succeed (rc13 frees its blocks)', async () => {
    const { plugin, events } = await recorder({ exports: ['handle_command'] });
    for (let i = 0; i < 50_000; i++) {
      const out = await plugin.call('handle_command', '{"command":"echo","params":null}');
      if (out === null || out.length !== 28) throw new Error(`call ${i} returned ${String(out)}`);
    }
    expect(events).toHaveLength(50_000);
  }, 120_000);

  it('routes guest logs to the logger option with the plugin id', async () => {
    const infos: string[] = [];
    const noop = () => undefined;
    const wasm = await compileWat(
      guestWat({
        manifest: manifestJson(),
        extraImports: '(import "extism:host/env" "log_info" (func $log_info (param i64)))',
        data: { msg: 'hello from the guest' },
        exports: { say: '(call $log_info (call $to_block (global.get $msg_ptr) (global.get $msg_len))) (i32.const 0)' },
      }),
    );
    const plugin = await loadPlugin(wasm, createHostContext(), {
      ...inProcess,
      logger: { info: (m) => infos.push(m), warn: noop, error: noop, debug: noop, trace: noop },
    });
    await plugin.call('say');
    expect(infos).toEqual(['[plugin test.plugin] hello from the guest']);
  });

  it('a missing export fails with kind missing_export naming the plugin, the export and the exports it has; the guest is not called', async () => {
    const { plugin, events } = await recorder();
    await expect(plugin.call('nope')).rejects.toMatchObject({
      kind: 'missing_export',
      exportName: 'nope',
      message: expect.stringContaining("Plugin 'test.plugin'"),
      details: { available: ['handle_command', 'init', 'manifest', 'on_event', 'set_config', 'shutdown'] },
    });
    expect(events).toEqual([]);
  });

  it('closed plugins reject calls with kind closed', async () => {
    const { plugin } = await recorder();
    await plugin.close();
    await expect(plugin.call('handle_command')).rejects.toMatchObject({ kind: 'closed' });
  });
});

describe('worker mode (default)', () => {
  it('serializes concurrent calls on one plugin and all complete (AB-A12)', async () => {
    const { emitter, events } = createRecordingEmitter();
    const plugin = await loadPlugin(await compileWat(recorderWat(manifestJson())), createHostContext({ events: emitter }));
    try {
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => plugin.handleCommand('echo', i)));
      expect(responses.every((r) => r.success)).toBe(true);
      expect(events).toEqual(Array.from({ length: 20 }, (_, i) => `{"command":"echo","params":${i}}`));
    } finally {
      await plugin.close();
    }
  });

  it('10,000 calls on one worker plugin succeed, and Extism vars survive the periodic block reset', async () => {
    const wasm = await compileWat(
      guestWat({
        manifest: manifestJson(),
        extraImports: `(import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
          (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))`,
        data: { name: 'count' },
        exports: {
          // Keeps a counter in an Extism var: output the previous value, store value + 1.
          tick: `(local $v i64) (local $n i32)
            (local.set $v (call $var_get (call $to_block (global.get $name_ptr) (global.get $name_len))))
            (if (i64.ne (local.get $v) (i64.const 0)) (then (local.set $n (call $load_u8 (local.get $v)))))
            (local.set $v (call $alloc (i64.const 1)))
            (call $store_u8 (local.get $v) (i32.add (local.get $n) (i32.const 1)))
            (call $var_set (call $to_block (global.get $name_ptr) (global.get $name_len)) (local.get $v))
            (call $output_handle (local.get $v)) (i32.const 0)`,
        },
      }),
    );
    const plugin = await loadPlugin(wasm, createHostContext());
    try {
      for (let i = 1; i <= 10_000; i++) {
        const out = await plugin.call('tick');
        if (out === null || out[0] !== i % 256) throw new Error(`call ${i}: counter ${String(out?.[0])}, expected ${i % 256}`);
      }
    } finally {
      await plugin.close();
    }
  }, 120_000);

  it('normalises worker errors (plain objects) into PluginCallErrors and stays usable after a trap', async () => {
    const wasm = await compileWat(guestWat({ manifest: manifestJson(), exports: { boom: 'unreachable', ok: '(i32.const 0)' } }));
    const plugin = await loadPlugin(wasm, createHostContext());
    try {
      const error = await plugin.call('boom').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PluginCallError);
      expect((error as Error).message).toMatch(/Extism call `boom` failed: .*unreachable/);
      expect(await plugin.call('ok')).toBeNull();
    } finally {
      await plugin.close();
    }
  });

  it('a timeout cuts an endless loop and the plugin answers the next call', async () => {
    const wasm = await compileWat(
      guestWat({ manifest: manifestJson(), exports: { spin: '(loop $l (br $l)) (i32.const 0)', ok: '(i32.const 0)' } }),
    );
    const plugin = await loadPlugin(wasm, createHostContext(), { timeoutMs: 300 });
    try {
      await expect(plugin.call('spin')).rejects.toMatchObject({ kind: 'timeout', message: expect.stringContaining('300 ms') });
      expect(await plugin.call('ok')).toBeNull();
    } finally {
      await plugin.close();
    }
  });
});
