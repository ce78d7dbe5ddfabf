import { compileWat, guestWat, secretEchoWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadTestPlugin } from '../load-test-plugin.js';
import '../vitest.js';
import { describeReplay } from './replay-report.js';
import { replayTrace } from './replay-trace.js';

const MANIFEST = JSON.stringify({ id: 'replayed', name: 'Replayed', version: '1.0.0', description: 'replay fixture', capabilities: [] });

/** A guest whose `run` makes these host calls in order, then outputs `output` (or the last call's output), or fails. */
function guest(options: { calls: readonly (readonly [fn: string, input: string])[]; output?: string; echoLast?: boolean; fail?: string; version?: string }): Promise<Uint8Array> {
  const data: Record<string, string> = {};
  const body: string[] = [];
  options.calls.forEach(([fn, input], i) => {
    data[`c${i}`] = input;
    const call = `(call $${fn} (call $to_block (global.get $c${i}_ptr) (global.get $c${i}_len)))`;
    body.push(options.echoLast && i === options.calls.length - 1 ? `(call $output_handle ${call})` : `(drop ${call})`);
  });
  if (options.output !== undefined) {
    data['out'] = options.output;
    body.push('(call $output_bytes (global.get $out_ptr) (global.get $out_len))');
  }
  if (options.fail !== undefined) {
    data['err'] = options.fail;
    body.push('(call $fail (global.get $err_ptr) (global.get $err_len)) (return (i32.const 1))');
  }
  const manifest = options.version ? MANIFEST.replace('1.0.0', options.version) : MANIFEST;
  return compileWat(
    guestWat({
      manifest,
      hostImports: [...new Set(options.calls.map(([fn]) => fn))],
      data,
      exports: { run: `${body.join('\n    ')}\n    (i32.const 0)`, init: '(i32.const 0)' },
    }),
  );
}

const READS: (readonly [string, string])[] = [
  ['host_read_file', '{"path":"a.md"}'],
  ['host_storage_get', '{"key":"count"}'],
  ['host_log', '{"level":"info","message":"counted"}'],
];

/** Records `run` (twice) of a plugin against a fake host with a workspace and storage. */
async function record(wasm: Uint8Array, runs = 2) {
  const { plugin } = await loadTestPlugin(wasm, { files: { 'a.md': 'one two' }, storage: { count: '3' }, permissions: 'allow-all', record: true });
  await plugin.init({ workspace_root: '/workspace' });
  for (let i = 0; i < runs; i++) await plugin.call('run', `{"run":${i}}`).catch(() => undefined);
  return plugin.takeRecording();
}

describe('replayTrace: a recorded trace replays identically', () => {
  it('answers every host call from the trace (no workspace, storage or permissions needed) and matches outputs', async () => {
    const wasm = await guest({ calls: READS, output: '{"words":2}' });
    const trace = await record(wasm);
    expect(trace.calls.map((c) => c.export)).toEqual(['init', 'run', 'run']);
    const replay = await replayTrace(wasm, JSON.stringify(trace));
    expect(replay.divergence).toBeNull();
    expect(replay).toMatchTrace();
    expect(replay.calls.map((c) => c.value)).toEqual([undefined, { words: 2 }, { words: 2 }]);
    // Answered from the trace: the fake host of the replay has no a.md and no storage.
    expect(replay.calls[1]!.hostCalls.map((c) => [c.name, c.output])).toEqual([
      ['host_read_file', 'one two'],
      ['host_storage_get', expect.stringContaining('"data"')],
      ['host_log', ''],
    ]);
    expect(replay.host.logs).toContainEqual({ level: 'info', message: '[plugin replayed] counted' });
    expect(describeReplay(replay)).toBe('replayed 1.0.0: 3 of 3 calls replayed identically (strict)');
  });

  it('replays denied and trapping host calls and failed calls as recorded', async () => {
    const wasm = await guest({ calls: [['host_read_file', '{"path":"secret/x.md"}'], ['host_storage_get', '{']], output: 'never' });
    const { plugin } = await loadTestPlugin(wasm, { permissions: { read_files: { include: ['notes'], exclude: [] } }, record: true });
    await expect(plugin.call('run')).rejects.toMatchObject({ kind: 'host_trap' });
    const trace = plugin.takeRecording();
    expect(trace.calls[0]!.hostCalls.map((c) => c.outcome)).toEqual(['denied', 'trap']);
    const replay = await replayTrace(wasm, trace);
    expect(replay).toMatchTrace();
    expect(replay.calls[0]!.error?.kind).toBe('host_trap');
  });

  it('answers host_get_timestamp and host_get_now from the trace, and a metered plugin its WASI clocks and randomness', async () => {
    const clock = await guest({ calls: [['host_get_now', ''], ['host_get_timestamp', '']], echoLast: true });
    const recorded = await record(clock, 1);
    // Another clock now than when it was recorded: the trace's time is what the plugin gets.
    const replay = await replayTrace(clock, recorded);
    expect(replay).toMatchTrace();
    expect(replay.calls[1]!.value).toBe(Number(recorded.calls[1]!.hostCalls[1]!.output));
    const wasi = await compileWat(
      guestWat({
        manifest: MANIFEST,
        extraImports: `(import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))`,
        exports: {
          run: `(drop (call $clock (i32.const 0) (i64.const 1) (i32.const 4096)))
    (drop (call $random (i32.const 4104) (i32.const 24)))
    (call $output_bytes (i32.const 4096) (i32.const 32)) (i32.const 0)`,
        },
      }),
    );
    const { plugin } = await loadTestPlugin(wasi, { mode: 'metered', record: true });
    const first = await plugin.call('run');
    const wasiReplay = await replayTrace(wasi, plugin.takeRecording());
    expect(wasiReplay).toMatchTrace();
    expect(wasiReplay.calls[0]!.output).toEqual(first);
  });

  it('replays a plugin that reads a secret: the placeholder is its secret, and it echoes it as recorded', async () => {
    const wasm = await compileWat(secretEchoWat());
    const { plugin } = await loadTestPlugin(wasm, { secrets: { token: 'tok-123456789' }, permissions: 'allow-all', record: true });
    await plugin.call('echo');
    await plugin.call('fail').catch(() => undefined);
    const trace = plugin.takeRecording();
    expect(JSON.stringify(trace)).not.toContain('tok-123456789');
    const replay = await replayTrace(wasm, trace);
    expect(replay).toMatchTrace();
    expect(replay.calls[0]!.value).toBe('echo: [secret 1]');
  });

  it('restarts the plugin where the recording did: a call after a timeout, or marked fresh, runs on a fresh instance', async () => {
    const wasm = await compileWat(
      guestWat({
        manifest: MANIFEST,
        extra: '(global $n (mut i32) (i32.const 0))',
        exports: {
          bump: '(global.set $n (i32.add (global.get $n) (i32.const 1))) (i32.const 0)',
          spin: '(loop $l (br $l)) (i32.const 0)',
          // Outputs "0" + n: what it says depends on the instance's memory.
          count: '(i32.store8 (i32.const 0) (i32.add (i32.const 48) (global.get $n))) (call $output_bytes (i32.const 0) (i32.const 1)) (i32.const 0)',
        },
      }),
    );
    const { plugin } = await loadTestPlugin(wasm, { mode: 'metered', timeoutMs: 300, record: true });
    await plugin.call('bump');
    await plugin.call('bump');
    await expect(plugin.call('spin')).rejects.toMatchObject({ kind: 'timeout' });
    expect(new TextDecoder().decode((await plugin.call('count'))!)).toBe('0');
    const trace = plugin.takeRecording();
    const replay = await replayTrace(wasm, trace, { timeoutMs: 300 });
    expect(replay).toMatchTrace();
    expect(replay.calls.map((c) => c.value ?? c.error?.kind)).toEqual([undefined, undefined, 'timeout', 0]);
    // The trace's fresh mark alone restarts it (here the call that timed out is left out).
    const withoutStop = { ...trace, calls: trace.calls.filter((c) => c.export !== 'spin') };
    expect(withoutStop.calls.map((c) => [c.export, c.fresh ?? false])).toEqual([['bump', false], ['bump', false], ['count', true]]);
    expect(await replayTrace(wasm, withoutStop)).toMatchTrace();
  });
});

describe('replayTrace: a changed plugin diverges, with both sides', () => {
  it.each([
    ['host_call_input', { calls: [READS[0]!, ['host_storage_get', '{"key":"total"}'], READS[2]!] }, 'host call 1: the plugin called host_storage_get with another input', '{"key":"count"}', '{"key":"total"}'],
    ['other_host_call', { calls: [READS[0]!, ['host_file_exists', '{"path":"a.md"}'], READS[2]!] }, "another host function than the trace's host_storage_get", 'host_storage_get {"key":"count"}', 'host_file_exists {"path":"a.md"}'],
    ['extra_host_call', { calls: [...READS, ['host_emit_event', '{"n":1}']] }, 'host call 3: the plugin made a host call the trace does not have', '', 'host_emit_event {"n":1}'],
    ['missing_host_call', { calls: [READS[0]!] }, 'host call 1: the call ended before the host call the trace has next (host_storage_get)', 'host_storage_get {"key":"count"} (and 1 more)', ''],
    ['error', { calls: READS, fail: 'boom' }, 'the call ended otherwise', 'answered {"words":2}', 'failed (guest_error)'],
  ] as const)('%s', async (kind, changed, what, recorded, replayed) => {
    const trace = await record(await guest({ calls: READS, output: '{"words":2}' }), 1);
    const replay = await replayTrace(await guest({ output: '{"words":2}', ...changed, calls: [...changed.calls] }), trace);
    expect(replay.identical).toBe(false);
    expect(replay.divergence).toMatchObject({ kind, call: 1, seq: 1, export: 'run' });
    expect(replay.divergence!.recorded).toContain(recorded);
    expect(replay.divergence!.replayed).toContain(replayed);
    expect(replay.divergence!.message).toContain('Replay diverged at call 1 (seq 1, run {"run":0})');
    expect(replay.divergence!.message).toContain(what);
    // Strict: the replay stops at the first divergence.
    expect(replay.divergences).toHaveLength(1);
  });

  it('shows where a JSON output differs, and fails toMatchTrace with that text', async () => {
    const trace = await record(await guest({ calls: READS, output: '{"counts":{"words":2,"lines":1}}' }), 1);
    const changed = await guest({ calls: READS, output: '{"counts":{"words":3,"lines":1}}', version: '1.1.0' });
    const replay = await replayTrace(changed, trace);
    expect(replay.divergence).toMatchObject({ kind: 'output', path: 'counts.words', recorded: '{"counts":{"words":2,"lines":1}}', replayed: '{"counts":{"words":3,"lines":1}}' });
    expect(replay.notes).toContain('the trace was recorded from replayed 1.0.0; the plugin replayed is replayed 1.1.0');
    expect(() => expect(replay).toMatchTrace()).toThrow(/the output differs at counts\.words\n {2}recorded: \{"counts":\{"words":2,"lines":1\}\}\n {2}replayed: \{"counts":\{"words":3,"lines":1\}\}/);
  });

  it('lenient: logs are not compared, JSON outputs are compared as values, and every divergence is collected', async () => {
    const trace = await record(await guest({ calls: READS, output: '{"a":1,"b":2}' }), 2);
    const quiet = await guest({ calls: READS.slice(0, 2), output: '{ "b": 2, "a": 1 }' });
    expect((await replayTrace(quiet, trace)).identical).toBe(false);
    expect(await replayTrace(quiet, trace, { strict: false })).toMatchTrace();
    const wrong = await guest({ calls: READS.slice(0, 2), output: '{"a":2,"b":2}' });
    const lenient = await replayTrace(wrong, trace, { strict: false });
    expect(lenient.divergences.map((d) => [d.kind, d.call, d.path])).toEqual([
      ['output', 1, 'a'],
      ['output', 2, 'a'],
    ]);
    expect(describeReplay(lenient)).toContain('(and 1 more divergence: output at call 2)');
  });

  it('expect: what a call should answer instead of the recorded (buggy) output makes a failing test, green once fixed', async () => {
    const buggy = await guest({ calls: READS, output: '{"words":0}' });
    const trace = await record(buggy, 1);
    expect(await replayTrace(buggy, trace)).toMatchTrace();
    const red = await replayTrace(buggy, trace, { expect: { 1: { words: 2 } } });
    expect(red.divergence).toMatchObject({ kind: 'output', path: 'words', recorded: 'expected {"words":2}', replayed: '{"words":0}' });
    const fixed = await guest({ calls: READS, output: '{"words":2}' });
    expect(await replayTrace(fixed, trace, { expect: { 1: { words: 2 } } })).toMatchTrace();
  });
});
