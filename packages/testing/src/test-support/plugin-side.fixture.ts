// Run by ../plugin-side.test.ts in a child Vitest: tests that fail (on purpose) the ways a plugin
// author's tests fail, so the parent can read what the reporter shows. Not part of the suite.
import { compileWat, guestWat } from '@diaryx/test-utils';
import { beforeAll, expect, it } from 'vitest';
import { loadTestPlugin } from '../load-test-plugin.js';

const MANIFEST = JSON.stringify({ id: 'test.side', name: 'Side', version: '1', description: 'd', capabilities: ['custom_commands'], commands: ['peek', 'spin', 'slow', 'boom'] });
let wasm: Uint8Array;
beforeAll(async () => {
  wasm = await compileWat(
    guestWat({
      manifest: MANIFEST,
      hostImports: ['host_read_file', 'host_log'],
      data: { read: '{"path":"notes/a.md"}', ok: '{"success":true,"data":[]}', said: '{"level":"warn","message":"index is empty"}', boom: 'boom: the index is corrupt' },
      extra: `(global $turns (mut i32) (i32.const 0))
  (func $command_is (param $c i32) (result i32)
    ;; the 3rd letter of the command in the input {"command":"p…: e(peek) i(spin) o(slow) o(boom)
    (i32.eq (call $input_load_u8 (i64.const 14)) (local.get $c)))`,
      exports: {
        handle_command: `
    (if (call $command_is (i32.const 0x69)) (then (loop $l (br $l))))
    (if (i32.and (call $command_is (i32.const 0x6f)) (i32.eq (call $input_load_u8 (i64.const 12)) (i32.const 0x73))) (then
      (block $d (loop $l (global.set $turns (i32.add (global.get $turns) (i32.const 1)))
        (br_if $d (i32.gt_u (global.get $turns) (i32.const 30000000))) (br $l)))))
    (if (i32.and (call $command_is (i32.const 0x6f)) (i32.eq (call $input_load_u8 (i64.const 12)) (i32.const 0x62))) (then
      (call $fail (global.get $boom_ptr) (global.get $boom_len)) (return (i32.const 1))))
    (drop (call $host_log (call $to_block (global.get $said_ptr) (global.get $said_len))))
    (drop (call $host_read_file (call $to_block (global.get $read_ptr) (global.get $read_len))))
    (call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)`,
      },
    }),
  );
});

it('a forgotten permission', async () => {
  const { plugin } = await loadTestPlugin(wasm, { files: { 'notes/a.md': 'hello' } });
  expect(await plugin.handleCommand('peek')).toEqual({ success: true, data: ['hello'] });
});

it('a failing export', async () => {
  const { plugin } = await loadTestPlugin(wasm);
  await plugin.handleCommand('boom');
});

it('a forgotten await', async () => {
  const { plugin } = await loadTestPlugin(wasm);
  void plugin.handleCommand('slow');
  expect(plugin.id).toBe('test.side');
});

it('awaited every way', async () => {
  const { plugin } = await loadTestPlugin(wasm, { permissions: 'allow-all', files: { 'notes/a.md': 'x' } });
  await plugin.handleCommand('peek');
  await plugin.handleCommand('peek').then((response) => expect(response.success).toBe(true));
  await expect(plugin.handleCommand('peek')).resolves.toMatchObject({ success: true });
  await Promise.all([plugin.handleCommand('peek'), plugin.onEvent({ event_type: 'file_saved', payload: { path: 'notes/a.md' } })]);
  await expect(plugin.handleCommand('boom')).rejects.toThrow(/boom/);
  await plugin.handleCommand('boom').catch(() => null);
});

it('an endless loop, the first time', async () => {
  const { plugin } = await loadTestPlugin(wasm, { timeoutMs: 400 });
  await plugin.handleCommand('spin');
});

it('an endless loop, the second time', async () => {
  const { plugin } = await loadTestPlugin(wasm, { timeoutMs: 400 });
  await plugin.handleCommand('spin');
});
