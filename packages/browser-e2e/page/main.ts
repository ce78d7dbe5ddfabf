// A browser app's whole plugin host: the portable loader, an in-memory workspace, recorded events.
import { allowAll, createHostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { loadPluginFromBytes, type PluginMode } from '@diaryx/loader';
import wasmUrl from '@diaryx-examples/word-count/plugin.wasm?url';
import type { DeadlineReport, PageReport, RunReport } from './report.js';
import { webHostRun } from './web-host-run.js';

const failure = (error: unknown) => {
  const { name, message } = error as Error;
  return { ok: false as const, error: { name, message, kind: (error as { kind?: string }).kind ?? null } };
};

async function run(mode: PluginMode | undefined): Promise<RunReport> {
  const events: Array<{ pluginId: string; event: unknown }> = [];
  const host = createHostContext({
    fs: memoryWorkspaceFs({ 'notes/today.md': 'Grüße aus dem Browser, one two three', 'notes/other.md': 'four five' }),
    permissions: allowAll,
    events: { emit: (text, pluginId) => void events.push({ pluginId, event: JSON.parse(text) as unknown }) },
  });
  const bytes = new Uint8Array(await (await fetch(wasmUrl)).arrayBuffer());
  try {
    const plugin = await loadPluginFromBytes(bytes, host, mode === undefined ? {} : { mode });
    try {
      await plugin.init({ workspace_root: null });
      const command = await plugin.handleCommand('word-count', { path: 'notes/today.md' });
      await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'notes/other.md' } });
      return { ok: true, pluginId: plugin.id, command, events, mode: plugin.runtime.mode };
    } finally {
      await plugin.close();
    }
  } catch (error) {
    return failure(error);
  }
}

/** The largest gap between ticks of a 1 ms interval while `work` runs: how long the page's thread was held. */
async function largestGap<T>(work: Promise<T>): Promise<{ result: T; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 1);
  const result = await work;
  clearInterval(timer);
  return { result, maxGapMs };
}

const kindOf = (error: unknown) => (error as { kind?: string }).kind ?? null;

/**
 * A metered plugin on the page's own thread: an endless call stopped at its deadline while the
 * page keeps running (the plugin yields every slice), and one stopped by its AbortSignal.
 */
async function meteredDeadline(): Promise<DeadlineReport> {
  const deadlineMs = 1_000;
  try {
    // The test injects the plugin (WAT compiled with wabt in Node) before the page runs.
    const bytes = spinWasm();
    const plugin = await loadPluginFromBytes(bytes, createHostContext(), { mode: 'metered', timeoutMs: deadlineMs, name: 'spin' });
    try {
      const started = performance.now();
      const { result: kind, maxGapMs } = await largestGap(plugin.call('spin').then(() => null, kindOf));
      const ms = performance.now() - started;
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const abortStarted = performance.now();
      const abortedKind = await plugin.call('spin', '', { signal: controller.signal, timeoutMs: 10_000 }).then(() => null, kindOf);
      const abortedMs = performance.now() - abortStarted;
      const next = new TextDecoder().decode((await plugin.call('answer')) ?? new Uint8Array());
      return { ok: true, kind, ms, deadlineMs, maxGapMs, abortedKind, abortedMs, next };
    } finally {
      await plugin.close();
    }
  } catch (error) {
    return failure(error);
  }
}

/** The test's misbehaving plugin (WAT compiled with wabt in Node), injected before the page runs. */
function spinWasm(): Uint8Array {
  const spinBase64 = (globalThis as { __DIARYX_SPIN_WASM__?: string }).__DIARYX_SPIN_WASM__;
  if (spinBase64 === undefined) throw new Error('no spin plugin: the test injects __DIARYX_SPIN_WASM__');
  return Uint8Array.from(atob(spinBase64), (c) => c.charCodeAt(0));
}

const status = document.querySelector('#status')!;
const report: PageReport = {
  crossOriginIsolated: globalThis.crossOriginIsolated,
  inProcess: await run('in-process'),
  worker: await run('worker'),
  metered: await run('metered'),
  defaultMode: await run(undefined),
  meteredDeadline: await meteredDeadline(),
  webHost: await webHostRun(spinWasm()),
};
document.querySelector('#result')!.textContent = JSON.stringify(report, null, 2);
status.textContent = 'done';
