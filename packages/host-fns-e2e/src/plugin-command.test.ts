import { allowAll, createHostContext, type EventEmitter, type PermissionChecker, rulesChecker } from '@diaryx/host-fns';
import { type LoadedPlugin, loadPlugin, pluginCommandBridge } from '@diaryx/loader';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';

/**
 * A relay plugin: its `go` command calls `host_plugin_command` with a fixed request, emits what
 * that returned as an event (so the test sees every outcome), and answers success.
 */
async function relay(id: string, request: object): Promise<Uint8Array> {
  return compileWat(
    guestWat({
      manifest: JSON.stringify({ id, name: id, version: '1', description: 'relay', capabilities: ['custom_commands'], commands: ['go'] }),
      hostImports: ['host_plugin_command', 'host_emit_event'],
      data: { request: JSON.stringify(request), ok: `{"success":true,"data":"${id} done"}` },
      exports: {
        handle_command: `(drop (call $host_emit_event (call $host_plugin_command (call $to_block (global.get $request_ptr) (global.get $request_len)))))
          (call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)`,
      },
    }),
  );
}

const opened: LoadedPlugin[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

async function relays(specs: Array<[string, object]>, permissions: PermissionChecker = allowAll) {
  const events: string[] = [];
  const emitter: EventEmitter = { emit: (text, id) => void events.push(`${id}: ${text}`) };
  let plugins: LoadedPlugin[] = [];
  const host = createHostContext({ permissions, events: emitter, commands: pluginCommandBridge(() => plugins) });
  // The bridge answers asynchronously, so a calling plugin must run in a worker.
  plugins = await Promise.all(specs.map(async ([id, request]) => loadPlugin(await relay(id, request), host, { name: id, runInWorker: true })));
  opened.push(...plugins);
  return { plugins, events };
}

describe('host_plugin_command (AB-H19, kit D5)', () => {
  it('calls another plugin through the bridge: {"data":…,"success":true}', async () => {
    const { plugins, events } = await relays([
      ['a', { plugin_id: 'b', command: 'go' }],
      ['b', { plugin_id: 'nobody', command: 'go' }],
    ]);
    expect(await plugins[0]!.handleCommand('go')).toEqual({ success: true, data: 'a done' });
    expect(events).toEqual([
      'b: {"error":"Plugin not found: nobody","success":false}',
      'a: {"data":"b done","success":true}',
    ]);
  });

  it('refuses the plugin itself, empty names, and a denied execute_commands (target <id>:<command>)', async () => {
    const self = await relays([['a', { plugin_id: 'a', command: 'go' }]]);
    await self.plugins[0]!.handleCommand('go');
    expect(self.events).toEqual(['a: {"error":"Plugins cannot call their own commands via host_plugin_command","success":false}']);

    const empty = await relays([['a', { plugin_id: ' ', command: 'go' }]]);
    await empty.plugins[0]!.handleCommand('go');
    expect(empty.events).toEqual(['a: {"error":"plugin_id and command are required","success":false}']);

    const rules = rulesChecker({ a: { permissions: { execute_commands: { include: ['b:other'], exclude: [] } } } });
    const denied = await relays([['a', { plugin_id: 'b', command: 'go' }], ['b', {}]], rules);
    await denied.plugins[0]!.handleCommand('go');
    expect(denied.events).toEqual([
      `a: {"error":"Permission not configured for plugin 'a': execute_commands on 'b:go'. Add plugins.a.permissions.execute_commands in root frontmatter.","success":false}`,
    ]);
  });

  it('refuses a call back into a plugin already in the chain instead of deadlocking', async () => {
    const { plugins, events } = await relays([
      ['a', { plugin_id: 'b', command: 'go' }],
      ['b', { plugin_id: 'a', command: 'go' }],
    ]);
    await plugins[0]!.handleCommand('go');
    expect(events[0]).toMatch(/^b: \{"error":"Plugin 'a' is already handling a call in this chain \(a → b → a\); re-entrant/);
  });

  it('stops nested calls at depth 8 with the exact message', async () => {
    const specs: Array<[string, object]> = Array.from({ length: 9 }, (_, i) => [`r${i}`, { plugin_id: `r${i + 1}`, command: 'go' }]);
    const { plugins, events } = await relays(specs);
    await plugins[0]!.handleCommand('go');
    expect(events[0]).toBe('r8: {"error":"Cross-plugin command call depth limit exceeded (max 8)","success":false}');
    expect(events).toHaveLength(9);
  });

  it('the default bridge answers "Plugin command bridge is not available"; bad input traps', async () => {
    const probe = await loadProbe({ permissions: allowAll });
    expect(await probe.call('host_plugin_command', { plugin_id: 'x', command: 'c' })).toBe(
      '{"error":"Plugin command bridge is not available","success":false}',
    );
    expect(await probe.trap('host_plugin_command', { plugin_id: 'x' })).toContain('host_plugin_command: invalid input: missing field `command`');
  });
});
