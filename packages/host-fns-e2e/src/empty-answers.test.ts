import {
  createHostContext,
  HOST_FUNCTION_NAMES,
  MemoryPluginStorage,
  memoryWorkspaceFs,
  type PermissionChecker,
  type SecretStore,
} from '@diaryx/host-fns';
import { loadPlugin, type LoadedPlugin } from '@diaryx/loader';
import { answerReaderWat, compileWat, decodeAnswer, guestWat } from '@diaryx/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// PROTOCOL §1: "An empty output is handle 0 (the Rust host writes no block for "")", and the Rust
// kernel answers length(0) = 0. @extism/extism 2.0.0-rc13 keeps a live 1-byte block at index 0,
// so a guest reading handle 0 the way extism-pdk does got the one byte "\0". The kit answers ""
// with a block of length 0 instead: these tests read every answer the Rust SDK's way.

const MANIFEST = JSON.stringify({ id: 'reader', name: 'Reader', version: '1.0.0', description: 'Reads answers as extism-pdk', capabilities: [] });
const MODES = ['in-process', 'metered', 'worker'] as const;

/** Allows everything except targets that start with `denied`. */
const checker: PermissionChecker = {
  check: (_id, key, target) =>
    target.startsWith('denied') ? { allowed: false, message: `no ${key} on ${target}` } : { allowed: true },
};

function secretMap(): SecretStore {
  const values = new Map<string, string>();
  return { get: (k) => values.get(k) ?? null, set: (k, v) => void values.set(k, v), delete: (k) => void values.delete(k) };
}

/** Every host function that can answer "", with an input that makes it do so. */
const EMPTY_ANSWERS: [name: string, fn: string, input: string | object][] = [
  ['host_log', 'host_log', { level: 'info', message: 'm' }],
  ['host_read_file of an empty file', 'host_read_file', { path: 'empty.md' }],
  ['host_write_file', 'host_write_file', { path: 'new.md', content: 'x' }],
  ['host_delete_file', 'host_delete_file', { path: 'doomed.md' }],
  ['host_write_binary', 'host_write_binary', { path: 'b.bin', content: 'AAE=' }],
  ['host_emit_event', 'host_emit_event', 'any text'],
  ['host_storage_get of a missing key', 'host_storage_get', { key: 'missing' }],
  ['host_storage_get when denied', 'host_storage_get', { key: 'denied-key' }],
  ['host_storage_set', 'host_storage_set', { key: 'k', data: 'dg==' }],
  ['host_secret_get of a missing key', 'host_secret_get', { key: 'missing' }],
  ['host_secret_set', 'host_secret_set', { key: 's', value: 'v' }],
  ['host_secret_delete', 'host_secret_delete', { key: 's' }],
  ['host_request_file of a missing key', 'host_request_file', { key: 'missing' }],
  ['host_ws_request with the no-op bridge', 'host_ws_request', '{"type":"connect"}'],
  ['host_hash_file of a missing file', 'host_hash_file', { path: 'missing.md' }],
  ['host_hash_file when denied', 'host_hash_file', { path: 'denied.md' }],
];

let wasm: Uint8Array;
let passOnWasm: Uint8Array;
beforeAll(async () => {
  wasm = await compileWat(answerReaderWat(MANIFEST, HOST_FUNCTION_NAMES), 'answer-reader.wat');
  // Passes host_request_file's answer straight on as host_emit_event's input.
  passOnWasm = await compileWat(
    guestWat({
      manifest: MANIFEST,
      hostImports: ['host_request_file', 'host_emit_event'],
      exports: { pass_on: '(drop (call $host_emit_event (call $host_request_file (call $input_offset)))) (i32.const 0)' },
    }),
    'pass-on.wat',
  );
});

const text = (input: string | object) => (typeof input === 'string' ? input : JSON.stringify(input));

describe.each(MODES)('a guest reading answers as extism-pdk does (%s)', (mode) => {
  let plugin: LoadedPlugin;
  beforeAll(async () => {
    const host = createHostContext({
      fs: memoryWorkspaceFs({ 'empty.md': '', 'doomed.md': 'bye', 'hello.md': 'hello, world!', 'denied.md': 'no' }),
      storage: new MemoryPluginStorage(),
      secrets: secretMap(),
      permissions: checker,
    });
    plugin = await loadPlugin(wasm, host, { name: 'reader', mode });
  });
  afterAll(() => plugin.close());

  const read = async (fn: string, input: string | object) => decodeAnswer(await plugin.call(`read_${fn}`, text(input)));

  it.each(EMPTY_ANSWERS)('reads "" from %s as zero bytes (length 0, not "\\0")', async (_name, fn, input) => {
    const answer = await read(fn, input);
    expect({ length: answer.length, checkedLength: answer.checkedLength, bytes: [...answer.bytes] }).toEqual({
      length: 0,
      checkedLength: 0,
      bytes: [],
    });
  });

  it('reads a non-empty answer whole (8-byte loads, then single bytes)', async () => {
    const answer = await read('host_read_file', { path: 'hello.md' });
    expect(answer.length).toBe(13);
    expect(answer.checkedLength).toBe(13);
    expect(new TextDecoder().decode(answer.bytes)).toBe('hello, world!');
  });

  it('an empty answer passed on as another host function\'s input is read as ""', async () => {
    const events: string[] = [];
    const host = createHostContext({ events: { emit: (text) => void events.push(text) } });
    const passOn = await loadPlugin(passOnWasm, host, { name: 'pass-on', mode });
    try {
      await passOn.call('pass_on', '{"key":"missing"}');
      await passOn.call('pass_on', '{"key":"missing"}');
      expect(events).toEqual(['', '']);
    } finally {
      await passOn.close();
    }
  });
});
