import { startWsServer, type TestWsServer, WsClient } from '@diaryx/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostLogger } from '../logger.js';
import type { SyncGuest } from './sync-connection.js';
import { syncReconnectDelayMs, type SyncWebSocketBridge, webSocketBridge, type WebSocketBridgeOptions } from './web-socket-bridge.js';

// The bridge against a real local WebSocket server (the ws package). The guest here is a plain
// SyncGuest that records its callbacks; host-fns-e2e wires the bridge to a real loaded plugin.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

interface RecordingGuest extends SyncGuest {
  calls: string[];
  failOn: Set<string>;
}
function recordingGuest(): RecordingGuest {
  const calls: string[] = [];
  const failOn = new Set<string>();
  return {
    calls,
    failOn,
    async callGuest(name, input) {
      calls.push(name === 'handle_binary_message' ? `${name} [${[...input].join(',')}]` : `${name} ${text(input)}`.trimEnd());
      if (failOn.has(name)) throw new Error(`${name} failed in the guest`);
    },
  };
}
async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

let server: TestWsServer;
let bridge: SyncWebSocketBridge | undefined;
let guest: RecordingGuest;
let warnings: string[];
beforeEach(async () => {
  server = await startWsServer();
  guest = recordingGuest();
  warnings = [];
});
afterEach(async () => {
  bridge?.close();
  bridge = undefined;
  await server.close();
});

function makeBridge(options: Partial<WebSocketBridgeOptions> = {}): SyncWebSocketBridge {
  // This test's guest and warnings: a previous test's bridge, closing, must not write into them.
  const [ownGuest, ownWarnings] = [guest, warnings];
  const logger: HostLogger = { error: () => undefined, warn: (m) => void ownWarnings.push(m), info: () => undefined, debug: () => undefined, trace: () => undefined };
  bridge = webSocketBridge({ guests: (id) => (id === 'sync' ? ownGuest : null), logger, reconnectDelayMs: () => 20, ...options });
  return bridge;
}
const request = (b: SyncWebSocketBridge, value: object) => b.request(JSON.stringify(value), 'sync');
const connect = (b: SyncWebSocketBridge, more: object = {}) => request(b, { type: 'connect', server_url: server.url, workspace_id: 'w', ...more });

describe('webSocketBridge: connect and the guest callbacks (§9.3)', () => {
  it('§9.3 connects to <base>/sync2 with the query, answers {"ok":true}, calls on_connected with workspace_id and write_to_disk (default true)', async () => {
    const b = makeBridge();
    expect(connect(b, { server_url: `${server.url}/sync/`, auth_token: 'tok', session_code: 'S 1' })).toBe('{"ok":true}');
    const connection = await server.connection(0);
    expect(connection.url).toBe('/sync2?workspace_id=w&token=tok&session=S+1');
    await until(() => guest.calls.length === 1, 'on_connected');
    expect(guest.calls).toEqual(['on_connected {"workspace_id":"w","write_to_disk":true}']);
  });

  it('§9.3 binary frames go to handle_binary_message and text frames to handle_text_message, in order', async () => {
    const b = makeBridge();
    connect(b, { write_to_disk: false });
    const connection = await server.connection(0);
    connection.sendText('héllo');
    connection.sendBinary(Uint8Array.from([0, 1, 255]));
    connection.sendText('');
    await until(() => guest.calls.length === 4, 'three frames');
    expect(guest.calls).toEqual([
      'on_connected {"workspace_id":"w","write_to_disk":false}',
      'handle_text_message héllo',
      'handle_binary_message [0,1,255]',
      'handle_text_message',
    ]);
  });

  it('§9.3 send_text and send_binary reach the server; sends made while connecting are queued and sent after on_connected', async () => {
    const b = makeBridge();
    connect(b);
    expect(request(b, { type: 'send_text', text: 'first' })).toBe('{"ok":true}');
    expect(request(b, { type: 'send_binary', data: 'AQI=' })).toBe('{"ok":true}');
    const connection = await server.connection(0);
    await connection.waitForFrames(2);
    request(b, { type: 'send_text', text: 'later' });
    expect(await connection.waitForFrames(3)).toEqual([{ text: 'first' }, { binary: [1, 2] }, { text: 'later' }]);
  });

  it('§9.3 errors: "not connected" before a connect and after disconnect; a bad payload; a plugin without a guest cannot connect', () => {
    const b = makeBridge();
    expect(() => request(b, { type: 'send_text', text: 'x' })).toThrow(/^WebSocket bridge is not connected$/);
    connect(b);
    expect(() => request(b, { type: 'send_binary', data: '%%' })).toThrow(/^Invalid websocket payload: /);
    expect(request(b, { type: 'disconnect' })).toBe('{"ok":true}');
    expect(() => request(b, { type: 'send_text', text: 'x' })).toThrow(/^WebSocket bridge is not connected$/);
    expect(() => b.request(JSON.stringify({ type: 'connect', server_url: server.url, workspace_id: 'w' }), 'other')).toThrow(
      "WebSocket bridge: plugin 'other' cannot receive sync callbacks (it is not loaded, or does not declare the sync_transport capability)",
    );
  });

  it('§9.3 the same connect key while connected does nothing; another key replaces the connection', async () => {
    const b = makeBridge();
    connect(b);
    const first = await server.connection(0);
    await until(() => guest.calls.length === 1, 'on_connected');
    connect(b, { server_url: ` ${server.url}/ `.replace('/ ', ' ') });
    connect(b, { write_to_disk: true });
    await sleep(100);
    expect(server.attempts).toHaveLength(1);
    connect(b, { workspace_id: 'w2' });
    await first.closed;
    const second = await server.connection(1);
    expect(second.url).toBe('/sync2?workspace_id=w2');
    await until(() => guest.calls.length === 3, 'the old on_disconnected and the new on_connected');
    // Two connections, each with its own callbacks: their order is not fixed (nor in Rust).
    expect([...guest.calls].sort()).toEqual([
      'on_connected {"workspace_id":"w","write_to_disk":true}',
      'on_connected {"workspace_id":"w2","write_to_disk":true}',
      'on_disconnected',
    ]);
  });
});

describe('webSocketBridge: reconnecting (§9.3)', () => {
  it('§9.3 a failed connect calls on_disconnected (logged without the token), then retries after reconnectDelayMs(1), (2), …; a successful connect resets the count', async () => {
    const asked: number[] = [];
    const b = makeBridge({ reconnectDelayMs: (n) => (asked.push(n), 40 * n) });
    server.refuseNext(3);
    connect(b, { auth_token: 'secret-token' }); // never logged: the warnings name the URL without its query
    const connection = await server.connection(0);
    const times = server.attempts;
    expect(times).toHaveLength(4);
    expect(asked).toEqual([1, 2, 3]);
    // Each wait at least its delay (generous upper margins for busy machines are not asserted).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(35);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(75);
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(115);
    await until(() => guest.calls.length === 4, 'on_connected');
    expect(guest.calls).toEqual(['on_disconnected', 'on_disconnected', 'on_disconnected', 'on_connected {"workspace_id":"w","write_to_disk":true}']);
    expect(warnings).toEqual(Array(3).fill(`plugin 'sync': Failed to connect sync websocket: ${server.url}/sync2 could not be opened`));
    connection.close();
    await server.connection(1);
    expect(asked).toEqual([1, 2, 3, 1]);
  });

  it('§9.3 commands sent while reconnecting are queued and sent, in order, on the next connection', async () => {
    const b = makeBridge({ reconnectDelayMs: () => 60 });
    connect(b);
    const first = await server.connection(0);
    await until(() => guest.calls.length === 1, 'on_connected');
    server.refuseNext(2);
    first.close();
    await until(() => guest.calls.includes('on_disconnected'), 'on_disconnected');
    request(b, { type: 'send_text', text: 'one' });
    request(b, { type: 'send_text', text: 'two' });
    request(b, { type: 'send_binary', data: 'Aw==' });
    const second = await server.connection(1);
    expect(await second.waitForFrames(3)).toEqual([{ text: 'one' }, { text: 'two' }, { binary: [3] }]);
    expect(server.attempts.length).toBeGreaterThanOrEqual(4);
  });

  it('§9.3 disconnect stops everything: the socket is closed, on_disconnected is called once, no reconnect follows', async () => {
    const b = makeBridge();
    connect(b);
    const connection = await server.connection(0);
    await until(() => guest.calls.length === 1, 'on_connected');
    request(b, { type: 'disconnect' });
    await connection.closed;
    await sleep(150);
    expect(server.attempts).toHaveLength(1);
    expect(guest.calls).toEqual(['on_connected {"workspace_id":"w","write_to_disk":true}', 'on_disconnected']);
    expect(b.isActive('sync')).toBe(false);
  });

  it('§9.3 disconnect while waiting to reconnect cancels the wait, with no further callback', async () => {
    const b = makeBridge({ reconnectDelayMs: () => 100 });
    server.refuseNext(10);
    connect(b);
    await until(() => guest.calls.length === 1, 'on_disconnected');
    request(b, { type: 'disconnect' });
    await sleep(250);
    expect(server.attempts).toHaveLength(1);
    expect(guest.calls).toEqual(['on_disconnected']);
  });

  it('§9.3 an error in handle_text_message stops the bridge: the connection closes, on_disconnected is called, no reconnect; sends then fail with "channel is closed"', async () => {
    guest.failOn.add('handle_text_message');
    const b = makeBridge();
    connect(b);
    const connection = await server.connection(0);
    connection.sendText('boom');
    connection.sendText('dropped');
    await connection.closed;
    await sleep(150);
    expect(server.attempts).toHaveLength(1);
    expect(guest.calls).toEqual(['on_connected {"workspace_id":"w","write_to_disk":true}', 'handle_text_message boom', 'on_disconnected']);
    expect(warnings).toEqual(["plugin 'sync': Failed to forward text sync frame to guest: handle_text_message failed in the guest"]);
    expect(() => request(b, { type: 'send_text', text: 'x' })).toThrow(/^WebSocket bridge channel is closed$/);
    // Kit: a connect after the connection stopped by itself starts it again.
    guest.failOn.clear();
    connect(b);
    await server.connection(1);
  });

  it('§9.3 an error in on_disconnected stops reconnecting; one in on_connected is only logged', async () => {
    guest.failOn.add('on_connected');
    guest.failOn.add('on_disconnected');
    const b = makeBridge();
    connect(b);
    const connection = await server.connection(0);
    connection.sendText('still delivered');
    await until(() => guest.calls.length === 2, 'the frame');
    connection.close();
    await until(() => guest.calls.length === 3, 'on_disconnected');
    await sleep(150);
    expect(server.attempts).toHaveLength(1);
    expect(warnings).toEqual([
      "plugin 'sync': Failed to notify guest of websocket connect: on_connected failed in the guest",
      "plugin 'sync': Failed to notify guest of websocket disconnect: on_disconnected failed in the guest",
    ]);
  });

  it('§9.3 an invalid URL stops the connection at once (logged, no callback)', async () => {
    const b = makeBridge();
    expect(connect(b, { server_url: 'no scheme here' })).toBe('{"ok":true}');
    await sleep(50);
    expect(guest.calls).toEqual([]);
    expect(warnings[0]).toMatch(/^plugin 'sync': Invalid sync websocket URL: /);
    expect(() => request(b, { type: 'send_text', text: 'x' })).toThrow('WebSocket bridge channel is closed');
  });

  it('§9.3 the real backoff: round(1000 × 1.5^(n−1)) ms, at most 30 s; the first retry really waits about a second', async () => {
    expect([1, 2, 3, 4, 5, 8, 9, 10, 50].map(syncReconnectDelayMs)).toEqual([1000, 1500, 2250, 3375, 5063, 17086, 25629, 30000, 30000]);
    const b = makeBridge({ reconnectDelayMs: undefined });
    server.refuseNext(1);
    connect(b);
    await server.connection(0);
    expect(server.attempts[1]! - server.attempts[0]!).toBeGreaterThanOrEqual(950);
  });
});

describe('webSocketBridge: pings (§9.3)', () => {
  it('§9.3 pings every pingIntervalMs with a socket that can (the ws package\'s client)', async () => {
    const b = makeBridge({ WebSocket: WsClient, pingIntervalMs: 40 });
    connect(b);
    const connection = await server.connection(0);
    await until(() => connection.pings.count >= 2, 'two pings');
  });

  it('kit: the platform WebSocket cannot send pings: none are sent, and the connection still works', async () => {
    const b = makeBridge({ WebSocket: globalThis.WebSocket, pingIntervalMs: 20 });
    connect(b);
    const connection = await server.connection(0);
    await sleep(120);
    expect(connection.pings.count).toBe(0);
    connection.sendText('alive');
    await until(() => guest.calls.includes('handle_text_message alive'), 'the frame');
  });
});
