// The app's thread while plugins misbehave (issue 25), and what the default path costs: the
// event loop's largest gap and p99 while one plugin loops, a healthy plugin's call latency
// meanwhile, what yielding costs, and the default mode ('auto') against bare in-process Extism.
// One run, side by side.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFile } from 'node:fs/promises';
import createPlugin, { type Plugin } from '@extism/extism';
import { allowAll, createHostContext, type HostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { hasJspi, type LoadedPlugin, loadPlugin, type LoaderOptions } from '@diaryx/loader';
import { Bench } from 'tinybench';
import { largestGapWhile } from '@diaryx/test-utils';
import { bareFunctions, benchGuest, GREETING } from './bench-guest.js';

const repo = new URL('..', import.meta.url);
const example = (name: string) => new URL(`examples/${name}/build/plugin.wasm`, repo);
const COMMAND = '{"command":"noop","params":null}';

const p50 = (bench: Bench, name: string) => ((bench.getTask(name)!.result as { latency?: { p50?: number } }).latency?.p50 ?? NaN) * 1000;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

function host(): HostContext {
  return createHostContext({
    fs: memoryWorkspaceFs({ 'note.md': 'one two three four five' }),
    permissions: allowAll,
    storage: { get: () => new TextEncoder().encode(GREETING), set: () => undefined, delete: () => undefined },
  });
}

function guest(id: string): Promise<Uint8Array> {
  return benchGuest(id, {
    tight: '(local.set 0 (i32.const 0)) (loop $l (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 10000000)))) (i32.const 0)',
    spin: '(loop $l (br $l)) (i32.const 0)',
  });
}

async function load(wasm: Uint8Array, name: string, options: LoaderOptions = {}): Promise<LoadedPlugin> {
  const plugin = await loadPlugin(wasm, host(), { name, ...options });
  await plugin.call('handle_command', COMMAND);
  return plugin;
}

/** The event loop while one plugin loops for `ms`: largest gap and p99 (ms), and a healthy plugin's call latencies. */
async function whileLooping(wasm: Uint8Array, ms: number): Promise<{ maxGap: number; p99Gap: number; healthy: number[]; mode: string }> {
  const runaway = await load(wasm, 'runaway', { timeoutMs: ms });
  const healthy = await load(wasm, 'healthy');
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const latencies: number[] = [];
  const { gap: maxGap } = await largestGapWhile(async () => {
    const loop = runaway.call('spin').catch(() => undefined);
    const started = performance.now();
    while (performance.now() - started < ms - 100) {
      const at = performance.now();
      await healthy.call('handle_command', COMMAND);
      latencies.push(performance.now() - at);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await loop;
  });
  histogram.disable();
  const mode = runaway.runtime.mode;
  await Promise.all([runaway.close(), healthy.close()]);
  // The histogram holds the event loop's delay past the 1 ms resolution, in ns.
  return { maxGap, p99Gap: histogram.percentile(99) / 1e6, healthy: latencies, mode };
}

/** The default mode ('auto') and yielding against bare in-process Extism and against no yielding. */
async function defaultPath(wasm: Uint8Array): Promise<string[]> {
  const byDefault = await load(wasm, 'default');
  const noYield = hasJspi() ? await load(wasm, 'no-yield', { mode: 'metered', sliceMs: Number.POSITIVE_INFINITY }) : null;
  const bare: Plugin = await createPlugin({ wasm: [{ data: wasm }] }, { useWasi: true, runInWorker: false, functions: bareFunctions() });
  const wcBytes = new Uint8Array(await readFile(example('word-count')));
  const wctsBytes = new Uint8Array(await readFile(example('word-count-ts')));
  const wc = { byDefault: await load(wcBytes, 'wc-d'), inProcess: await load(wcBytes, 'wc-i', { mode: 'in-process' }) };
  const wcts = {
    byDefault: await load(wctsBytes, 'wcts-d'),
    inProcess: await load(wctsBytes, 'wcts-i', { mode: 'in-process' }),
    noYield: hasJspi() ? await load(wctsBytes, 'wcts-n', { mode: 'metered', sliceMs: Number.POSITIVE_INFINITY }) : null,
  };
  const count = (p: LoadedPlugin) => async () => void (await p.handleCommand('word-count', { path: 'note.md' }));
  const bench = new Bench({ time: 600, warmup: true, warmupIterations: 100 });
  bench
    .add('default handle_command', async () => void (await byDefault.call('handle_command', COMMAND)))
    .add('default host_storage_get', async () => void (await byDefault.call('get')))
    .add('default host_read_file', async () => void (await byDefault.call('read')))
    .add('bare handle_command', async () => void (await bare.call('handle_command', COMMAND)))
    .add('bare host_storage_get', async () => void (await bare.call('get')))
    .add('bare host_read_file', async () => void (await bare.call('read')))
    .add('default word-count', count(wc.byDefault))
    .add('in-process word-count', count(wc.inProcess))
    .add('default word-count-ts', count(wcts.byDefault))
    .add('in-process word-count-ts', count(wcts.inProcess));
  if (wcts.noYield) bench.add('no-yield word-count-ts', count(wcts.noYield));
  await bench.run();
  const tight = new Bench({ time: 1500, warmup: true, warmupIterations: 3 });
  tight.add('default tight', async () => void (await byDefault.call('tight')));
  if (noYield) tight.add('no-yield tight', async () => void (await noYield.call('tight')));
  await tight.run();
  const mode = `${byDefault.runtime.mode}${byDefault.runtime.sliceMs === null ? '' : `, slice ${byDefault.runtime.sliceMs} ms`}`;
  const row = (what: string, kit: number, base: number, baseline: string, goal: string) =>
    `| ${what} | ${kit.toFixed(1)} µs | ${base.toFixed(1)} µs ${baseline} | ${(kit / base).toFixed(2)}× | ${goal} |`;
  const rows = [
    ...['handle_command', 'host_storage_get', 'host_read_file'].map((what) =>
      row(`${what}: the default mode (${mode}) vs bare in-process Extism`, p50(bench, `default ${what}`), p50(bench, `bare ${what}`), 'bare Extism', '≤ 1.3×'),
    ),
    row(`word-count (AssemblyScript): the default mode vs the kit in-process`, p50(bench, 'default word-count'), p50(bench, 'in-process word-count'), 'kit in-process', '≤ 1.3×'),
    row(`word-count-ts (QuickJS): the default mode vs the kit in-process`, p50(bench, 'default word-count-ts'), p50(bench, 'in-process word-count-ts'), 'kit in-process', '≤ 1.3×'),
  ];
  if (wcts.noYield && noYield) {
    rows.push(
      row('what yielding costs: word-count-ts, slice 5 ms vs never yielding (both metered, JSPI)', p50(bench, 'default word-count-ts'), p50(bench, 'no-yield word-count-ts'), 'no yielding', 'reported'),
      row('what yielding costs: tight loop (10 M turns), slice 5 ms vs never yielding', p50(tight, 'default tight'), p50(tight, 'no-yield tight'), 'no yielding', 'reported'),
    );
  }
  await Promise.all([byDefault, noYield, ...Object.values(wc), ...Object.values(wcts)].map((p) => p?.close()));
  await bare.close();
  return rows;
}

/** The responsiveness rows of the bench report (a markdown table). */
export async function responsivenessSection(): Promise<string[]> {
  const wasm = await guest('responsiveness-bench');
  const looping = await whileLooping(wasm, 2_000);
  const latency = (q: number) => quantile(looping.healthy, q).toFixed(1);
  const rows = [
    '## The app\'s thread while a plugin loops, and the default path',
    '',
    `Node ${process.versions.node}; the default mode here is ${looping.mode}${hasJspi() ? ' (JSPI: metered, yielding every 5 ms)' : ' (no JSPI: a worker)'}.`,
    '',
    '| measurement | kit | baseline | ratio | goal |',
    '|---|---|---|---|---|',
    `| event loop while one plugin loops for 2 s (default mode): largest gap / p99 of the loop's delay | ${looping.maxGap.toFixed(1)} ms / ${looping.p99Gap.toFixed(1)} ms | | | ≤ 10 ms |`,
    `| a healthy plugin's \`handle_command\` while another plugin loops (default mode), ${looping.healthy.length} calls: median / p99 / max | ${latency(0.5)} / ${latency(0.99)} / ${Math.max(...looping.healthy).toFixed(1)} ms | | | ≤ 20 ms |`,
    ...(await defaultPath(wasm)),
  ];
  return rows;
}
