import { allowAll, createHostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest, largestGapWhile } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedPlugin } from '../loaded-plugin.js';
import { loadPlugin } from '../node/load-plugin.js';
import type { LoaderOptions } from '../options.js';
import { pluginCommandBridge } from '../plugin-command-bridge.js';
import { hasJspi } from '../runtime/jspi.js';

// Issue 25: the app's thread stays free while a plugin misbehaves. The default mode ('auto') is
// metered with yielding where the runtime has JSPI (Node 26, Chromium) and a worker elsewhere:
// either way a runaway plugin must not hold the app's event loop. Bounds are generous for two
// busy cores (the bench measures the real figures: a slice is 5 ms).

// Generous: two cores shared with the rest of the suite (the bench measures the real gap, ~5 ms).
const MAX_GAP_MS = 750;
const LOOP = '(loop $l (br $l)) (i32.const 0)';
const ANSWER = '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)';

function guest(id: string, exports: Record<string, string>, extra: Partial<Parameters<typeof guestWat>[0]> = {}) {
  return compileWat(
    guestWat({
      manifest: hostileManifest(id, { commands: ['run', 'call-other'] }),
      ...extra,
      data: { answer: '{"success":true,"data":"still here"}', ...(extra.data ?? {}) },
      exports: { answer: ANSWER, ...exports },
    }),
  );
}

const looping = () => guest('looping', { handle_command: LOOP, loop: LOOP });
const healthy = () => guest('healthy', { handle_command: ANSWER });

const open: LoadedPlugin[] = [];
async function load(bytes: Uint8Array, options: LoaderOptions & { name: string }, host = createHostContext()): Promise<LoadedPlugin> {
  const plugin = await loadPlugin(bytes, host, { manifestTimeoutMs: 5_000, ...options });
  open.push(plugin);
  return plugin;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());

describe("the default mode keeps the app's event loop free (metered with JSPI, a worker elsewhere)", () => {
  it('an endless loop with a 1.5 s deadline never holds the event loop for long; a 50 ms timer fires on time', async () => {
    const plugin = await load(await looping(), { name: 'looping', timeoutMs: 1_500 });
    expect(plugin.runtime.mode).toBe(hasJspi() ? 'metered' : 'worker');
    let timerLate = Number.POSITIVE_INFINITY;
    const armed = performance.now();
    setTimeout(() => (timerLate = performance.now() - armed - 50), 50);
    const { gap, settled: result } = await largestGapWhile(() => plugin.handleCommand('run'));
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toMatchObject({ kind: 'timeout' });
    expect(gap).toBeLessThan(MAX_GAP_MS);
    expect(timerLate).toBeLessThan(MAX_GAP_MS);
  });

  it("a healthy plugin's call is answered while another plugin loops", async () => {
    const runaway = await load(await looping(), { name: 'looping', timeoutMs: 3_000 });
    const fine = await load(await healthy(), { name: 'healthy' });
    await fine.handleCommand('run'); // started, warm
    const loopCall = runaway.handleCommand('run').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    const response = await fine.handleCommand('run');
    const latency = performance.now() - started;
    expect(response).toMatchObject({ success: true, data: 'still here' });
    expect(latency).toBeLessThan(MAX_GAP_MS * 2);
    runaway.close().catch(() => undefined);
    expect(await loopCall).toMatchObject({ kind: 'closed' });
  });
});

describe('per-call options and cancellation', () => {
  it.each(['metered', 'worker'] as const)('%s: an AbortSignal stops a running endless loop (kind aborted), and the plugin answers next', async (mode) => {
    if (mode === 'metered' && !hasJspi()) return; // without JSPI a metered call holds the thread: nothing can fire the signal
    const plugin = await load(await looping(), { name: 'looping', mode, timeoutMs: 20_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('the user closed the panel')), 100);
    const started = performance.now();
    await expect(plugin.handleCommand('run', null, { signal: controller.signal })).rejects.toMatchObject({
      kind: 'aborted',
      message: expect.stringMatching(/aborted \(the user closed the panel\)/),
    });
    expect(performance.now() - started).toBeLessThan(100 + MAX_GAP_MS * 2);
    expect(text(await plugin.call('answer'))).toContain('still here');
  });

  it('a call waiting behind another rejects at once when its signal fires, without reaching the guest', async () => {
    const plugin = await load(await looping(), { name: 'looping', timeoutMs: 1_000 });
    const first = plugin.handleCommand('run').catch((error: unknown) => error);
    const controller = new AbortController();
    const second = plugin.call('answer', '', { signal: controller.signal });
    const started = performance.now();
    controller.abort();
    await expect(second).rejects.toMatchObject({ kind: 'aborted', exportName: 'answer' });
    expect(performance.now() - started).toBeLessThan(MAX_GAP_MS);
    expect(await first).toMatchObject({ kind: 'timeout' });
  });

  it('an already aborted signal never reaches the guest', async () => {
    const plugin = await load(await healthy(), { name: 'healthy' });
    const before = plugin.stats().calls; // the manifest call of the load
    await expect(plugin.handleCommand('run', null, { signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: 'aborted' });
    expect(plugin.stats().calls).toBe(before);
  });

  it("a call's own timeoutMs overrides the loader's and is named in the error", async () => {
    const plugin = await load(await looping(), { name: 'looping', timeoutMs: 20_000 });
    const started = performance.now();
    await expect(plugin.handleCommand('run', null, { timeoutMs: 200 })).rejects.toMatchObject({
      kind: 'timeout',
      message: expect.stringMatching(/ran longer than 200 ms/),
    });
    expect(performance.now() - started).toBeLessThan(200 + 1_500);
  });

  it('refuses call options it cannot honour, naming the option, before the guest runs', async () => {
    const plugin = await load(await healthy(), { name: 'healthy' });
    await expect(plugin.handleCommand('run', null, { timeoutMs: 0 })).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringMatching(/timeoutMs/) });
    await expect(plugin.call('answer', '', { signal: 'stop' as unknown as AbortSignal })).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringMatching(/signal/) });
  });

  it.each(['metered', 'worker'] as const)('%s: close() stops a call in progress and rejects the waiting ones at once (kind closed)', async (mode) => {
    if (mode === 'metered' && !hasJspi()) return;
    const plugin = await load(await looping(), { name: 'looping', mode, timeoutMs: 4_000 });
    const running = plugin.handleCommand('run').catch((error: unknown) => error);
    const waiting = plugin.call('answer').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await plugin.close();
    expect(performance.now() - started).toBeLessThan(MAX_GAP_MS * 2);
    expect(await running).toMatchObject({ kind: 'closed' });
    expect(await waiting).toMatchObject({ kind: 'closed' });
    await expect(plugin.call('answer')).rejects.toMatchObject({ kind: 'closed' });
  });
});

describe('a timeout restarts the plugin lazily', () => {
  it.each(['metered', 'worker'] as const)('%s: no replacement starts until the next call, which then answers', async (mode) => {
    const plugin = await load(await looping(), { name: 'looping', mode, timeoutMs: 200 });
    await expect(plugin.handleCommand('run')).rejects.toMatchObject({ kind: 'timeout' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(plugin.stats()).toMatchObject({ timeouts: 1, restarts: 0 });
    expect(text(await plugin.call('answer'))).toContain('still here');
    expect(plugin.stats()).toMatchObject({ timeouts: 1, restarts: 1 });
  });

  it.runIf(hasJspi())("metered: a start function that loops is stopped at the start-up deadline, and yields meanwhile", async () => {
    const bytes = await compileWat(
      guestWat({ manifest: hostileManifest('start-loop'), extra: '(func $start (loop $l (br $l))) (start $start)' }),
    );
    const { gap, settled: result } = await largestGapWhile(() =>
      loadPlugin(bytes, createHostContext(), { name: 'start-loop', mode: 'metered', manifestTimeoutMs: 800 }),
    );
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toMatchObject({ kind: 'plugin_create', message: expect.stringMatching(/timeout/) });
    expect(gap).toBeLessThan(MAX_GAP_MS);
  });
});

describe('WASI proc_exit is an exit with its code, in every mode', () => {
  const exiting = () =>
    guest('exiting', { handle_command: '(call $proc_exit (i32.const 3)) unreachable' }, {
      extraImports: '(import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))',
    });

  it.each(['metered', 'worker', 'in-process'] as const)('%s', async (mode) => {
    const plugin = await load(await exiting(), { name: 'exiting', mode });
    const error = await plugin.handleCommand('run').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'exit', details: { exitCode: 3 }, message: expect.stringMatching(/exited with code 3/) });
    expect(text(await plugin.call('answer'))).toContain('still here');
  });
});

describe('a caller suspended in host_plugin_command keeps its own deadline', () => {
  it.runIf(hasJspi())('metered: the caller is answered at its deadline, and the looping callee is stopped with it', async () => {
    const plugins: LoadedPlugin[] = [];
    const host = createHostContext({ permissions: allowAll, commands: pluginCommandBridge(() => plugins) });
    const callee = await load(await guest('callee', { handle_command: LOOP }), { name: 'callee', timeoutMs: 3_000 }, host);
    const caller = await load(
      await guest(
        'caller',
        {
          handle_command:
            '(drop (call $host_plugin_command (call $to_block (global.get $request_ptr) (global.get $request_len)))) ' + ANSWER,
        },
        { hostImports: ['host_plugin_command'], data: { request: JSON.stringify({ plugin_id: 'callee', command: 'run' }) } },
      ),
      { name: 'caller', timeoutMs: 500 },
      host,
    );
    plugins.push(callee, caller);
    const started = performance.now();
    await expect(caller.handleCommand('run')).rejects.toMatchObject({ kind: 'timeout' });
    expect(performance.now() - started).toBeLessThan(500 + 1_000);
    // The callee's call ended with the caller's: it answers at once.
    const next = performance.now();
    expect(text(await callee.call('answer'))).toContain('still here');
    expect(performance.now() - next).toBeLessThan(1_000);
  });
});

describe("an async permission checker's wait does not count against the call's deadline (a person answering a prompt)", () => {
  const reader = () =>
    guest(
      'reader',
      { handle_command: '(call $output_handle (call $host_read_file (call $to_block (global.get $request_ptr) (global.get $request_len)))) (i32.const 0)' },
      { hostImports: ['host_read_file'], data: { request: JSON.stringify({ path: 'note.md' }) } },
    );
  // A checker that asks "a user" who answers after 600 ms; the call's own deadline is 300 ms.
  const slowYes = { check: () => new Promise<{ allowed: true; reason: 'allowed' }>((resolve) => setTimeout(() => resolve({ allowed: true, reason: 'allowed' }), 600)) };

  it.each(['metered', 'worker'] as const)('%s: the call answers after the prompt, and a loop still stops at the deadline', async (mode) => {
    if (mode === 'metered' && !hasJspi()) return; // an async checker needs JSPI in metered mode
    const host = createHostContext({ fs: memoryWorkspaceFs({ 'note.md': 'the note' }), permissions: slowYes });
    const plugin = await load(await reader(), { name: 'reader', mode, timeoutMs: 300 }, host);
    // The raw output is the host function's answer: the note's text, not a timeout.
    expect(text(await plugin.call('handle_command', '{"command":"run","params":null}'))).toBe('the note');
    // The pause ended with the prompt: the deadline applies again to the guest's own work.
    const looping = await load(await guest('looping-too', { handle_command: LOOP }), { name: 'looping-too', mode, timeoutMs: 300 }, host);
    await expect(looping.handleCommand('run')).rejects.toMatchObject({ kind: 'timeout' });
  });
});
