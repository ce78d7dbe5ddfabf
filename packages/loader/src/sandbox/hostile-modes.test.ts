import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import type { LoadedPlugin } from '../loaded-plugin.js';
import { loadPlugin } from '../node/load-plugin.js';
import type { ResolvedPluginMode } from '../options.js';

// The hostile corpus in every mode that keeps a deadline (worker and metered): each runaway
// stops within its deadline plus a margin, and the plugin answers its next call. In-process
// mode has no deadline: only the cases that end by themselves (stack overflow, memory bombs)
// run there.

const DEADLINE_MS = 400;
// Loads get longer: a worker can take more than DEADLINE_MS to start on a busy machine.
const MANIFEST_DEADLINE_MS = 2_000;
// Generous for a loaded CI machine: a worker (re)start costs tens of milliseconds when idle and
// seconds on a busy two-core box; the metered mode overshoots by a few milliseconds.
const MARGINS_MS: Record<ResolvedPluginMode, number> = { worker: 4_000, metered: 1_000, 'in-process': 0 };
const OPTIONS = { timeoutMs: DEADLINE_MS, manifestTimeoutMs: MANIFEST_DEADLINE_MS, maxMemoryPages: 512 } as const;

const LOOP = '(loop $l (br $l)) (i32.const 0)';
// Exponential recursion, no loop anywhere: runs for ages without overflowing the stack.
const RECURSION = `(func $tree (param i32) (result i32)
  (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
    (else (i32.add (call $tree (i32.sub (local.get 0) (i32.const 1))) (call $tree (i32.sub (local.get 0) (i32.const 1)))))))`;

/** A guest whose `answer` export always works, so a test can see the plugin answer afterwards. */
function hostile(id: string, exports: Record<string, string>, extra: Partial<Parameters<typeof guestWat>[0]> = {}) {
  return compileWat(
    guestWat({
      manifest: hostileManifest(id),
      ...extra,
      data: { answer: '{"success":true,"data":"still here"}', ...(extra.data ?? {}) },
      exports: { answer: '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)', ...exports },
    }),
  );
}

async function answers(plugin: LoadedPlugin): Promise<void> {
  const output = await plugin.call('answer');
  expect(new TextDecoder().decode(output ?? new Uint8Array())).toContain('still here');
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

const DEADLINE_MODES: ResolvedPluginMode[] = ['worker', 'metered'];

/** A call that never ends by itself. `raises`: its failure reaches the caller (init and on_event failures are logged, as in Rust). */
interface RunawayCall {
  label: string;
  name: string;
  guest: () => Promise<Uint8Array>;
  run: (plugin: LoadedPlugin) => Promise<unknown>;
  raises: boolean;
  /** It runs until the deadline, never less (an endless loop). */
  waitsForDeadline: boolean;
}

const STORM = '(loop $l (drop (call $host_get_timestamp (call $to_block (global.get $empty_ptr) (global.get $empty_len)))) (br $l)) (i32.const 0)';

const RUNAWAY_CALLS: RunawayCall[] = [
  ...(['handle_command', 'init', 'on_event'] as const).map((exportName) => ({
    label: `an endless loop in ${exportName}`,
    name: exportName,
    guest: () => hostile(`loop-${exportName}`, { [exportName]: LOOP }),
    run: {
      handle_command: (p: LoadedPlugin) => p.handleCommand('run', null),
      init: (p: LoadedPlugin) => p.init(),
      on_event: (p: LoadedPlugin) => p.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } }),
    }[exportName],
    raises: exportName === 'handle_command',
    waitsForDeadline: true,
  })),
  {
    label: 'deep recursion without a loop',
    name: 'recursion',
    guest: () => hostile('recursion', { run: '(drop (call $tree (i32.const 60))) (i32.const 0)' }, { extra: RECURSION }),
    run: (p) => p.call('run'),
    raises: true,
    waitsForDeadline: false,
  },
  {
    label: 'a host-call storm',
    name: 'storm',
    guest: () => hostile('storm', { run: STORM }, { hostImports: ['host_get_timestamp'], data: { empty: '{}' } }),
    run: (p) => p.call('run'),
    raises: true,
    waitsForDeadline: false,
  },
];

/** A load that never ends by itself: it fails with `kind`, at or before the manifest deadline. */
const RUNAWAY_LOADS = [
  {
    label: 'an endless loop in manifest',
    name: 'manifest-loop',
    guest: () => hostile('manifest-loop', { manifest: LOOP }),
    failure: { kind: 'manifest_call', message: expect.stringMatching(/timeout/) },
    waitsForDeadline: true,
  },
  {
    label: 'an endless loop in the start function',
    name: 'start-loop',
    guest: () => hostile('start-loop', {}, { extra: '(func $start (loop $l (br $l))) (start $start)' }),
    failure: { kind: 'plugin_create', message: expect.stringMatching(/timed out|timeout/) },
    waitsForDeadline: false,
  },
];

describe.each(DEADLINE_MODES)('hostile corpus, mode %s: stopped at the deadline, answers afterwards', (mode) => {
  const load = async (wasm: Uint8Array, name: string) => loadPlugin(wasm, createHostContext(), { ...OPTIONS, mode, name });
  const MARGIN_MS = MARGINS_MS[mode];

  it.each(RUNAWAY_LOADS)('$label fails the load with a timeout; the host goes on', async ({ name, guest, failure, waitsForDeadline }) => {
    const wasm = await guest();
    const { ms, result } = await timed(() => load(wasm, name).then(() => null, (error: unknown) => error));
    expect(result).toMatchObject(failure);
    if (waitsForDeadline) expect(ms).toBeGreaterThanOrEqual(MANIFEST_DEADLINE_MS - 5);
    expect(ms).toBeLessThan(MANIFEST_DEADLINE_MS + MARGIN_MS);
  });

  it.each(RUNAWAY_CALLS)('$label is stopped at the deadline; the plugin answers afterwards', async ({ name, guest, run, raises, waitsForDeadline }) => {
    const plugin = await load(await guest(), name);
    try {
      const { ms, result } = await timed(() => run(plugin).then(() => null, (error: unknown) => error));
      if (raises) expect(result).toMatchObject({ kind: 'timeout' });
      if (waitsForDeadline) expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
      expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      await answers(plugin);
    } finally {
      await plugin.close();
    }
  });
});

describe.each(['worker', 'metered', 'in-process'] as ResolvedPluginMode[])('hostile corpus, mode %s: runaways that end by themselves', (mode) => {
  const load = async (wasm: Uint8Array, name: string) => loadPlugin(wasm, createHostContext(), { ...OPTIONS, mode, name });

  it('a stack overflow fails the call; the plugin answers afterwards', async () => {
    const plugin = await load(await hostile('overflow', { run: '(call $recurse) (i32.const 0)' }, { extra: '(func $recurse (call $recurse))' }), 'overflow');
    try {
      await expect(plugin.call('run')).rejects.toMatchObject({ kind: 'trap', message: expect.stringMatching(/call stack/), details: { trap: expect.stringMatching(/call stack/) } });
      await answers(plugin);
    } finally {
      await plugin.close();
    }
  });

  it('memory bombs stop at the cap (memory.grow and kernel alloc); the plugin answers afterwards', async () => {
    const grow = '(block $d (loop $l (br_if $d (i32.eq (memory.grow (i32.const 16)) (i32.const -1))) (br $l))) (i32.const 0)';
    const alloc = '(block $d (loop $l (br_if $d (i64.eqz (call $alloc (i64.const 1048576)))) (br $l))) (i32.const 0)';
    const plugin = await load(await hostile('bombs', { grow, alloc }), 'bombs');
    try {
      await expect(plugin.call('grow')).resolves.toBeNull();
      await plugin.call('alloc').catch(() => null);
      await answers(plugin);
    } finally {
      await plugin.close();
    }
  });
});

describe('metered mode refuses a module it cannot rewrite', () => {
  it('names the opcode and the function, and the way out', async () => {
    // A valid module using an atomic fence (threads), which the rewriter does not decode.
    const wasm = await compileWat(
      guestWat({ manifest: hostileManifest('atomic'), exports: { run: '(atomic.fence) (i32.const 0)' } }),
      'atomic.wat',
      { threads: true },
    );
    await expect(loadPlugin(wasm, createHostContext(), { mode: 'metered', name: 'atomic' })).rejects.toMatchObject({
      kind: 'plugin_create',
      message: expect.stringMatching(/unsupported opcode 0xfe in function \d+.*mode: 'worker'/),
    });
  });
});
