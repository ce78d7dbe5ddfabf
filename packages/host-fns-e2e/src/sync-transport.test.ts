import { createHostContext, syncTransportGuests, webSocketBridge } from '@diaryx/host-fns';
import { type LoadedPlugin, loadPlugin } from '@diaryx/loader';
import { compileWat, guestWat, startWsServer, type TestWsServer } from '@diaryx/test-utils';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The bridge wired to a real loaded plugin (§9.3): the guest connects and sends through
// host_ws_request, and the bridge calls its on_connected / handle_*_message / on_disconnected
// exports through the loader, which each record what they got with host_emit_event.

const manifest = (id: string, capabilities: string[]) =>
  JSON.stringify({ id, name: id, version: '1.0.0', description: 'sync transport guest', capabilities });

// Emits "<name>:<the callback's input>" (input bytes copied with input_load_u8).
const EMIT_PREFIXED = `
  (func $emit_prefixed (param $ptr i32) (param $len i32)
    (local $block i64) (local $n i64) (local $i i64)
    (local.set $n (call $input_length))
    (local.set $block (call $alloc (i64.add (i64.extend_i32_u (local.get $len)) (local.get $n))))
    (block $done (loop $copy
      (br_if $done (i64.ge_u (local.get $i) (i64.extend_i32_u (local.get $len))))
      (call $store_u8 (i64.add (local.get $block) (local.get $i))
        (i32.load8_u (i32.add (local.get $ptr) (i32.wrap_i64 (local.get $i)))))
      (local.set $i (i64.add (local.get $i) (i64.const 1))) (br $copy)))
    (local.set $i (i64.const 0))
    (block $done (loop $copy
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $store_u8 (i64.add (local.get $block) (i64.add (i64.extend_i32_u (local.get $len)) (local.get $i)))
        (call $input_load_u8 (local.get $i)))
      (local.set $i (i64.add (local.get $i) (i64.const 1))) (br $copy)))
    (drop (call $host_emit_event (local.get $block))))`;

function syncGuestWat(id: string, capabilities: string[]): string {
  const callback = (name: string) => `(call $emit_prefixed (global.get $${name}_ptr) (global.get $${name}_len))`;
  return guestWat({
    manifest: manifest(id, capabilities),
    hostImports: ['host_ws_request', 'host_emit_event'],
    data: {
      on_connected: 'on_connected:',
      on_disconnected: 'on_disconnected:',
      text: 'text:',
      binary: 'binary:',
      pong: '{"type":"send_text","text":"pong"}',
    },
    extra: EMIT_PREFIXED,
    exports: {
      ws: '(call $output_handle (call $host_ws_request (call $input_offset))) (i32.const 0)',
      on_connected: `${callback('on_connected')} (i32.const 0)`,
      on_disconnected: `${callback('on_disconnected')} (i32.const 0)`,
      handle_binary_message: `${callback('binary')} (i32.const 0)`,
      // "!…" traps; "ping?" is answered with "pong" through host_ws_request; every frame is recorded.
      handle_text_message: `
        (if (i64.gt_u (call $input_length) (i64.const 0))
          (then (if (i32.eq (call $input_load_u8 (i64.const 0)) (i32.const 33)) (then unreachable))))
        ${callback('text')}
        (if (i32.and (i64.eq (call $input_length) (i64.const 5)) (i32.eq (call $input_load_u8 (i64.const 4)) (i32.const 63)))
          (then (drop (call $host_ws_request (call $to_block (global.get $pong_ptr) (global.get $pong_len))))))
        (i32.const 0)`,
    },
  });
}

let syncWasm: Uint8Array;
let plainWasm: Uint8Array;
beforeAll(async () => {
  syncWasm = await compileWat(syncGuestWat('syncer', ['sync_transport']), 'syncer.wat');
  plainWasm = await compileWat(syncGuestWat('plain', []), 'plain.wat');
});

let server: TestWsServer;
const opened: LoadedPlugin[] = [];
beforeEach(async () => {
  server = await startWsServer();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
  await server.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 5_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function loadWired(mode: 'in-process' | 'metered' | 'worker') {
  let plugins: LoadedPlugin[] = [];
  const events: string[] = [];
  const bridge = webSocketBridge({ guests: syncTransportGuests(() => plugins), reconnectDelayMs: () => 20 });
  const host = createHostContext({ ws: bridge, events: { emit: (text, id) => void events.push(`${id} ${text}`) } });
  const syncer = await loadPlugin(syncWasm, host, { name: 'syncer', mode });
  const plain = await loadPlugin(plainWasm, host, { name: 'plain', mode });
  plugins = [syncer, plain];
  opened.push(syncer, plain);
  const ws = async (plugin: LoadedPlugin, request: object) => new TextDecoder().decode((await plugin.call('ws', JSON.stringify(request))) ?? new Uint8Array());
  return { bridge, events, syncer, plain, ws };
}

describe.each(['in-process', 'metered', 'worker'] as const)('the WebSocket bridge wired to a loaded sync_transport plugin (%s)', (mode) => {
  it('§9.3 the guest connects and sends through host_ws_request; the bridge calls its exports back', async () => {
    const { bridge, events, syncer, ws } = await loadWired(mode);
    try {
      expect(await ws(syncer, { type: 'connect', server_url: `${server.url}/sync`, workspace_id: 'journal', write_to_disk: false })).toBe('{"ok":true}');
      expect(await ws(syncer, { type: 'send_text', text: 'hello server' })).toBe('{"ok":true}');
      const connection = await server.connection(0);
      expect(connection.url).toBe('/sync2?workspace_id=journal');
      expect(await connection.waitForFrames(1)).toEqual([{ text: 'hello server' }]);
      connection.sendBinary(new TextEncoder().encode('bin'));
      connection.sendText('ping?');
      expect(await connection.waitForFrames(2)).toEqual([{ text: 'hello server' }, { text: 'pong' }]);
      connection.close();
      await until(() => events.length === 4, 'four callbacks');
      expect(events).toEqual([
        'syncer on_connected:{"workspace_id":"journal","write_to_disk":false}',
        'syncer binary:bin',
        'syncer text:ping?',
        'syncer on_disconnected:',
      ]);
      await server.connection(1);
    } finally {
      bridge.close();
    }
  });

  it('§9.3 a trapping handle_text_message stops the bridge: no reconnect, and the plugin\'s sends fail with "channel is closed"', async () => {
    const { bridge, events, syncer, ws } = await loadWired(mode);
    try {
      await ws(syncer, { type: 'connect', server_url: server.url, workspace_id: 'w' });
      const connection = await server.connection(0);
      connection.sendText('!crash');
      await connection.closed;
      await until(() => events.includes('syncer on_disconnected:'), 'on_disconnected');
      await sleep(150);
      expect(server.attempts).toHaveLength(1);
      await expect(syncer.call('ws', '{"type":"send_text","text":"x"}')).rejects.toThrow('WebSocket bridge channel is closed');
    } finally {
      bridge.close();
    }
  });

  it('kit: a plugin without the sync_transport capability cannot connect', async () => {
    const { bridge, plain } = await loadWired(mode);
    try {
      await expect(plain.call('ws', JSON.stringify({ type: 'connect', server_url: server.url, workspace_id: 'w' }))).rejects.toThrow(
        "plugin 'plain' cannot receive sync callbacks",
      );
      expect(server.attempts).toHaveLength(0);
    } finally {
      bridge.close();
    }
  });
});
