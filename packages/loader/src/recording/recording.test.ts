import { allowAll, createHostContext, HOST_FUNCTION_NAMES, type HostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { compileWat, guestWat, probeWat, secretEchoWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { LoaderOptionError, PluginCallError } from '../errors.js';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';
import type { LoaderOptions } from '../options.js';
import { parseTrace } from './parse-trace.js';
import type { PluginTrace } from './trace.js';

const PROBE_MANIFEST = JSON.stringify({ id: 'probe', name: 'Probe', version: '1.0.0', description: 'probe', capabilities: [] });
const metered = { mode: 'metered', asyncHostServices: false } as const;

async function probe(options: LoaderOptions = {}, services: Partial<HostContext> = {}) {
  const wasm = await compileWat(probeWat(PROBE_MANIFEST, HOST_FUNCTION_NAMES));
  const host = createHostContext({ fs: memoryWorkspaceFs({ 'a.md': 'alpha', 'b.md': 'beta' }), permissions: allowAll, ...services });
  return loadPluginFromBytes(wasm, host, { ...metered, record: true, ...options });
}

const json = (value: unknown) => JSON.stringify(value);

describe('recording a plugin (loader option record)', () => {
  it('records each export call with its input, every host call with input, output and outcome, the output and timings', async () => {
    const plugin = await probe({}, { permissions: { check: (_id, _key, target) => (target === 'b.md' ? { allowed: false, reason: 'denied', message: 'no b' } : { allowed: true, reason: 'allowed' }) } });
    await plugin.call('probe_host_read_file', json({ path: 'a.md' }));
    await plugin.call('probe_host_read_file', json({ path: 'b.md' }));
    await expect(plugin.call('probe_host_storage_get', '{')).rejects.toThrow(PluginCallError);
    const trace = plugin.takeRecording();
    expect(trace).toMatchObject({ format: 'diaryx-plugin-trace', version: 1, plugin: { id: 'probe', name: 'Probe', version: '1.0.0' }, dropped: 0 });
    expect(trace.runtime).toEqual({ mode: 'metered', wasiRecorded: true });
    expect(trace.calls.map((c) => [c.seq, c.export, c.input])).toEqual([
      [0, 'probe_host_read_file', '{"path":"a.md"}'],
      [1, 'probe_host_read_file', '{"path":"b.md"}'],
      [2, 'probe_host_storage_get', '{'],
    ]);
    expect(trace.calls[0]!.hostCalls).toEqual([{ fn: 'host_read_file', input: '{"path":"a.md"}', outcome: 'ok', output: 'alpha', durationMs: expect.any(Number) }]);
    expect(trace.calls[0]!.result).toEqual({ output: 'alpha' });
    expect(trace.calls[1]!.hostCalls[0]).toMatchObject({ outcome: 'denied', message: 'no b' });
    expect(trace.calls[2]!.hostCalls[0]).toMatchObject({ fn: 'host_storage_get', outcome: 'trap', output: '' });
    expect(trace.calls[2]!.result).toEqual({ error: { kind: 'host_trap', message: expect.stringContaining('host_storage_get: invalid input') } });
    for (const call of trace.calls) {
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(call.startedAt)).not.toBeNaN();
    }
    // Workspace files appear only as the outputs of the reads that returned them: b.md's read was denied.
    expect(JSON.stringify(trace)).toContain('alpha');
    expect(JSON.stringify(trace)).not.toContain('beta');
    // What a trace file holds reads back as the same trace.
    expect(parseTrace(JSON.stringify(trace))).toEqual(trace);
    await plugin.close();
  });

  it('keeps a ring of the last calls, counting the ones left out; takeRecording empties it unless keep', async () => {
    const plugin = await probe({ record: { calls: 2 } });
    for (const path of ['a.md', 'b.md', 'a.md']) await plugin.call('probe_host_file_exists', json({ path }));
    const kept = plugin.takeRecording({ keep: true });
    expect(kept.calls.map((c) => c.seq)).toEqual([1, 2]);
    expect(kept.dropped).toBe(1);
    expect(plugin.takeRecording().calls.map((c) => c.seq)).toEqual([1, 2]);
    await plugin.call('probe_host_file_exists', json({ path: 'b.md' }));
    const next = plugin.takeRecording();
    expect(next.calls.map((c) => c.seq)).toEqual([3]);
    expect(next.dropped).toBe(0);
    await plugin.close();
  });

  it('keeps the last set_config and init older than the ring as setup calls, for replay to start from', async () => {
    const wasm = await compileWat(
      guestWat({ manifest: PROBE_MANIFEST, exports: { set_config: '(i32.const 0)', init: '(i32.const 0)', on_event: '(i32.const 0)' } }),
    );
    const plugin = await loadPluginFromBytes(wasm, createHostContext(), { ...metered, record: { calls: 2 }, config: { folder: 'Journal' } });
    await plugin.init({ workspace_root: '/ws' });
    for (let i = 0; i < 4; i++) await plugin.onEvent({ event_type: 'file_saved', payload: { path: `${i}.md` } });
    const trace = plugin.takeRecording();
    expect(trace.calls.map((c) => [c.seq, c.export, c.setup ?? false])).toEqual([
      [0, 'set_config', true],
      [1, 'init', true],
      [4, 'on_event', false],
      [5, 'on_event', false],
    ]);
    expect(trace.calls[0]!.input).toBe('{"folder":"Journal"}');
    expect(trace.dropped).toBe(2);
    await plugin.close();
  });

  it('marks the first call on a fresh instance (after a timeout) and forgets setup calls of the instance before', async () => {
    const wasm = await compileWat(
      guestWat({ manifest: PROBE_MANIFEST, exports: { init: '(i32.const 0)', spin: '(loop $l (br $l)) (i32.const 0)', ok: '(i32.const 0)' } }),
    );
    const plugin = await loadPluginFromBytes(wasm, createHostContext(), { ...metered, timeoutMs: 200, record: { calls: 1 } });
    await plugin.init();
    await expect(plugin.call('spin')).rejects.toMatchObject({ kind: 'timeout' });
    await plugin.call('ok');
    await plugin.call('ok');
    const trace = plugin.takeRecording();
    // init ran on the instance the timeout dropped: replay must not run it before the last call.
    expect(trace.calls.map((c) => [c.export, c.fresh ?? false, c.setup ?? false])).toEqual([['ok', false, false]]);
    const all = await loadPluginFromBytes(wasm, createHostContext(), { ...metered, timeoutMs: 200, record: true });
    await expect(all.call('spin')).rejects.toThrow();
    await all.call('ok');
    expect(all.takeRecording().calls.map((c) => [c.export, c.fresh ?? false, 'error' in c.result ? c.result.error.kind : 'output'])).toEqual([
      ['spin', false, 'timeout'],
      ['ok', true, 'output'],
    ]);
    await Promise.all([plugin.close(), all.close()]);
  });

  it('bounds the trace: its compact JSON stays under maxBytes, older calls go first, a call too large alone loses its largest values', async () => {
    const big = 'x'.repeat(20_000);
    const plugin = await probe({ record: { maxBytes: 8192 } }, { fs: memoryWorkspaceFs({ 'big.md': big, 'a.md': 'alpha' }) });
    for (let i = 0; i < 5; i++) await plugin.call('probe_host_read_file', json({ path: 'a.md' }));
    await plugin.call('probe_host_read_file', json({ path: 'big.md' }));
    const trace = plugin.takeRecording();
    expect(new TextEncoder().encode(JSON.stringify(trace)).length).toBeLessThanOrEqual(8192);
    const last = trace.calls.at(-1)!;
    expect(last.hostCalls[0]!.output).toEqual({ omitted: 20_000 });
    expect(last.result).toEqual({ output: { omitted: 20_000 } });
    expect(trace.calls.length + trace.dropped).toBe(6);
    await plugin.close();
  });

  it('records outputs that are not UTF-8 as base64, and the WASI clocks and randomness a metered plugin reads', async () => {
    const wasm = await compileWat(
      guestWat({
        manifest: PROBE_MANIFEST,
        extraImports: `(import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))`,
        exports: {
          sample: `(drop (call $clock (i32.const 0) (i64.const 1) (i32.const 4096)))
    (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 4104)))
    (drop (call $random (i32.const 4112) (i32.const 16)))
    (i32.store8 (i32.const 4128) (i32.const 255))
    (call $output_bytes (i32.const 4096) (i32.const 33)) (i32.const 0)`,
        },
      }),
    );
    const plugin = await loadPluginFromBytes(wasm, createHostContext(), { ...metered, record: true });
    const output = (await plugin.call('sample'))!;
    const call = plugin.takeRecording().calls[0]!;
    const view = new DataView(output.buffer, output.byteOffset);
    expect(call.wasi!.clocks).toEqual([
      { id: 0, ns: view.getBigUint64(0, true).toString() },
      { id: 1, ns: view.getBigUint64(8, true).toString() },
    ]);
    expect(call.wasi!.random).toEqual({ base64: Buffer.from(output.subarray(16, 32)).toString('base64') });
    expect(call.result).toEqual({ output: { base64: Buffer.from(output).toString('base64') } });
    // A fixed WASI source makes the same call give the same bytes (what replay relies on).
    const fixed = { clockNs: (id: number) => BigInt(1_700_000_000_000_000_000 + id), fillRandom: (bytes: Uint8Array) => bytes.fill(7) };
    const a = await loadPluginFromBytes(wasm, createHostContext(), { ...metered, wasiSource: fixed });
    expect(Array.from((await a.call('sample'))!.subarray(0, 20))).toEqual(Array.from((await a.call('sample'))!.subarray(0, 20)));
    expect((await a.call('sample'))!.subarray(16, 32).every((b) => b === 7)).toBe(true);
    await Promise.all([plugin.close(), a.close()]);
  });

  it('says which plugin is not recorded when takeRecording is called without the option', async () => {
    const plugin = await probe({ record: false });
    expect(() => plugin.takeRecording()).toThrow(LoaderOptionError);
    expect(() => plugin.takeRecording()).toThrow(/Plugin 'probe' is not recorded: load it with the loader option record/);
    await plugin.close();
  });

  it.each([
    [{ calls: 0 }, 'record.calls'],
    [{ calls: 1.5 }, 'record.calls'],
    [{ maxBytes: 10 }, 'record.maxBytes'],
    [{ redact: ['ok', 3] }, 'record.redact'],
    [{ redact: [''] }, 'record.redact'],
    ['yes', 'record'],
  ])('refuses the record option %j, naming %s', async (record, option) => {
    await expect(probe({ record: record as LoaderOptions['record'] })).rejects.toMatchObject({ kind: 'invalid_option', option });
  });
});

const MODES = [
  ['metered', metered],
  ['worker', { mode: 'worker' }],
  ['in-process', { mode: 'in-process' }],
] as const;

describe.each(MODES)('recording: no secret in a trace (%s)', (_mode, modeOptions) => {
  const SECRET = 'hunter2-Sup3r/secret+token';
  async function echo(options: LoaderOptions = {}): Promise<PluginTrace> {
    const secrets = new Map([['secret-echo:token', SECRET]]);
    const events: string[] = [];
    const host = createHostContext({
      permissions: allowAll,
      secrets: { get: (k) => secrets.get(k) ?? null, set: () => undefined, delete: () => undefined },
      events: { emit: (text) => void events.push(text) },
    });
    const plugin = await loadPluginFromBytes(await compileWat(secretEchoWat()), host, { ...modeOptions, record: true, ...options });
    // The plugin does let it out: into its output, its log, its event and its error.
    expect(new TextDecoder().decode((await plugin.call('echo'))!)).toBe(`echo: ${SECRET}`);
    expect(events).toEqual([JSON.stringify({ token: SECRET })]);
    await expect(plugin.call('fail')).rejects.toThrow(`secret was ${SECRET}`);
    // Encoded forms a plugin might pass on: JSON-escaped, URL-encoded, base64.
    await plugin.call('echo', `${encodeURIComponent(SECRET)} ${Buffer.from(`Bearer ${SECRET}`).toString('base64')}`);
    const trace = plugin.takeRecording();
    await plugin.close();
    return trace;
  }

  it('replaces what host_secret_get returned in the host call output, the export output, the logs, events and errors', async () => {
    const trace = await echo();
    const text = JSON.stringify(trace);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(encodeURIComponent(SECRET));
    expect(text).not.toContain(Buffer.from(`Bearer ${SECRET}`).toString('base64').slice(10, -4));
    const [first, failed] = trace.calls;
    expect(first!.hostCalls.map((h) => [h.fn, h.fn === 'host_secret_get' ? h.output : h.input])).toEqual([
      ['host_secret_get', '{"value":"[secret 1]"}'],
      ['host_log', '{"level":"info","message":"token is [secret 1]"}'],
      ['host_emit_event', '{"token":"[secret 1]"}'],
    ]);
    expect(first!.result).toEqual({ output: 'echo: [secret 1]' });
    expect(failed!.result).toMatchObject({ error: { kind: 'guest_error', message: expect.stringContaining('secret was [secret 1]') } });
    expect(trace.redactions).toBe(1);
  });

  it('replaces the strings and patterns of the redact option too', async () => {
    const trace = await echo({ record: { redact: ['echo', /token/i] } });
    const text = JSON.stringify(trace);
    expect(text).not.toContain('echo:');
    expect(text).not.toMatch(/token is/i);
    expect(trace.calls[0]!.result).toEqual({ output: '[redacted 1]: [secret 1]' });
  });
});
