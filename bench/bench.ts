// `pnpm bench`: what the kit costs over raw @extism/extism, measured side by side in one run.
// Prints the ratios and writes bench/results.md. Run on the built packages (dist).
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync, realpathSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import createPlugin, { type CallContext, type Plugin } from '@extism/extism';
import { allowAll, createHostContext, MemoryPluginStorage, nodeWorkspaceFs } from '@diaryx/host-fns';
import { DEFAULT_MAX_MEMORY_PAGES, guestEvents, type LoadedPlugin, loadPlugin, loadPluginsFromDir } from '@diaryx/loader';
import { Bench } from 'tinybench';
import { benchGuest } from './bench-guest.js';
import { jsRuntimeSection } from './js-runtime.js';
import { meteredSection } from './metered.js';
import { responsivenessSection } from './responsiveness.js';

const NOTE = 'A short note with a few words in it.\n';
const GREETING = new TextEncoder().encode('hello from storage');

/** Bare Extism host functions doing the same work as ours (parse, look up, answer). */
function bareFunctions(root: string, options: { containment?: boolean } = {}) {
  const store = new Map([['bench:greeting', GREETING]]);
  const realRoot = realpathSync.native(root);
  return {
    'extism:host/user': {
      host_storage_get(cp: CallContext, off: bigint) {
        const { key } = JSON.parse(cp.read(off)!.text()) as { key: string };
        const value = store.get(`bench:${key}`);
        return value ? cp.store(JSON.stringify({ data: Buffer.from(value).toString('base64') })) : 0n;
      },
      host_read_file(cp: CallContext, off: bigint) {
        const { path } = JSON.parse(cp.read(off)!.text()) as { path: string };
        const full = join(root, path);
        // The workspace check every safe host needs: the real path (links resolved) stays inside.
        if (options.containment && !realpathSync.native(full).startsWith(realRoot + sep)) return cp.store('{"error":"outside"}');
        return cp.store(readFileSync(full, 'utf8'));
      },
    },
  };
}

// The two rc13 workarounds the kit applies in worker mode (see @diaryx/loader's extism-runtime):
// reset the SDK's host-side block list every 64 calls, and answer host calls a macrotask later.
function withRc13Fixes(functions: ReturnType<typeof bareFunctions>) {
  const later = <T>(value: T) => new Promise<T>((resolve) => setImmediate(() => resolve(value)));
  const wrapped: Record<string, (cp: CallContext, off: bigint) => Promise<bigint>> = {};
  for (const [name, fn] of Object.entries(functions['extism:host/user'])) wrapped[name] = (cp, off) => later(fn(cp, off));
  return { 'extism:host/user': wrapped };
}
function resetting(plugin: Plugin) {
  let calls = 0;
  return async (name: string, input?: string) => {
    const output = await plugin.call(name, input);
    if (++calls % 64 === 0) await plugin.reset();
    return output;
  };
}

type Stats = { latency?: { p50?: number } };
const median = (task: { result?: unknown }) => ((task.result as Stats | undefined)?.latency?.p50 ?? Number.NaN) * 1000;
/** Calls that took over 100 ms (rc13's lost wake-up costs 500 ms). */
const stalls = (task: { result?: unknown }) => {
  const result = task.result as { latency?: { samples?: number[] } } | undefined;
  return (result?.latency?.samples ?? []).filter((ms) => ms > 100).length;
};

/**
 * Runs the tasks in rounds (each round a tinybench run of every task), so slow drifts of the
 * machine hit every task alike; a task's figure is the median of its per-round medians.
 */
async function inRounds(tasks: Record<string, () => Promise<void>>, rounds: number, msPerTask: number) {
  const medians = new Map<string, number[]>();
  const slow = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: msPerTask, warmup: round === 0, warmupIterations: 200, retainSamples: true });
    for (const [name, task] of Object.entries(tasks)) bench.add(name, task);
    await bench.run();
    for (const task of bench.tasks) {
      medians.set(task.name, [...(medians.get(task.name) ?? []), median(task)]);
      slow.set(task.name, (slow.get(task.name) ?? 0) + stalls(task));
    }
  }
  const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { t: (name: string) => middle(medians.get(name)!), s: (name: string) => slow.get(name)! };
}

interface Row {
  name: string;
  kit: number;
  bare: number;
  unit: string;
  goal: string;
  baseline?: string;
}

const COMMAND = '{"command":"noop","params":null}';

/** The kit's host for the bench guests: the workspace folder and a stored greeting. */
function benchHost(root: string) {
  const storage = new MemoryPluginStorage();
  storage.set('bench:greeting', GREETING);
  return createHostContext({ fs: nodeWorkspaceFs(root), storage, permissions: allowAll });
}

async function inProcessPairs(root: string, wasm: Uint8Array): Promise<{ rows: Row[]; notes: string[] }> {
  const host = benchHost(root);
  const kit = await loadPlugin(wasm, host, { name: 'bench', runInWorker: false });
  const bareOptions = { useWasi: true, runInWorker: false };
  const bare: Plugin = await createPlugin({ wasm: [{ data: wasm }] }, { ...bareOptions, functions: bareFunctions(root) });
  const capped: Plugin = await createPlugin({ wasm: [{ data: wasm }] }, { ...bareOptions, memory: { maxPages: DEFAULT_MAX_MEMORY_PAGES }, functions: bareFunctions(root) });
  const contained: Plugin = await createPlugin({ wasm: [{ data: wasm }] }, { ...bareOptions, functions: bareFunctions(root, { containment: true }) });
  const { t } = await inRounds(
    {
      'kit handle_command': async () => void (await kit.handleCommand('noop', null)),
      'bare handle_command': async () => void JSON.parse((await bare.call('handle_command', COMMAND))!.text()),
      'bare call': async () => void (await bare.call('handle_command', COMMAND)),
      'bare call, memory cap': async () => void (await capped.call('handle_command', COMMAND)),
      'kit call': async () => void (await kit.call('handle_command', COMMAND)),
      'kit host_storage_get': async () => void (await kit.call('get')),
      'bare host_storage_get': async () => void (await bare.call('get')),
      'kit host_read_file': async () => void (await kit.call('read')),
      'bare host_read_file': async () => void (await bare.call('read')),
      'bare host_read_file, containment': async () => void (await contained.call('read')),
    },
    5,
    200,
  );
  await Promise.all([kit.close(), bare.close(), capped.close(), contained.close()]);
  const rows: Row[] = [
    { name: 'handle_command (in-process)', kit: t('kit handle_command'), bare: t('bare handle_command'), unit: 'µs', goal: '≤ 1.10×' },
    { name: 'host_storage_get (in-process)', kit: t('kit host_storage_get'), bare: t('bare host_storage_get'), unit: 'µs', goal: '≤ 1.10×' },
    { name: 'host_read_file (in-process)', kit: t('kit host_read_file'), bare: t('bare host_read_file'), unit: 'µs', goal: '≤ 1.10×' },
    {
      name: 'host_read_file (in-process), bare with the same workspace check',
      kit: t('kit host_read_file'),
      bare: t('bare host_read_file, containment'),
      unit: 'µs',
      goal: '≤ 1.10×',
      baseline: 'bare + realpath check',
    },
  ];
  const us = (name: string) => `${t(name).toFixed(2)} µs`;
  const notes = [
    'Where the in-process handle_command time goes (same run; medians of 5 interleaved rounds):',
    `bare call ${us('bare call')}; with the kit's memory cap (the SDK re-sums its blocks at every alloc) ${us('bare call, memory cap')}; ` +
      `kit \`call\` (queue, input-size check, error normalisation) ${us('kit call')}; ` +
      `kit \`handleCommand\` (adds sorted-key input JSON and CommandResponse validation) ${us('kit handle_command')}; ` +
      `bare with JSON.parse of the output ${us('bare handle_command')}.`,
  ];
  return { rows, notes };
}

async function workerPairs(root: string, wasm: Uint8Array): Promise<{ rows: Row[]; notes: string[] }> {
  const host = benchHost(root);
  const kit = await loadPlugin(wasm, host, { name: 'bench', runInWorker: true });
  const bareOptions = { useWasi: true, runInWorker: true };
  const raw: Plugin = await createPlugin({ wasm: [{ data: wasm }] }, { ...bareOptions, functions: bareFunctions(root) });
  const fixedPlugin: Plugin = await createPlugin({ wasm: [{ data: wasm }] }, { ...bareOptions, functions: withRc13Fixes(bareFunctions(root, { containment: true })) });
  const fixed = resetting(fixedPlugin);
  const { t, s } = await inRounds(
    {
      'kit handle_command': async () => void (await kit.handleCommand('noop', null)),
      'bare handle_command': async () => void JSON.parse((await fixed('handle_command', COMMAND))!.text()),
      'raw handle_command': async () => void JSON.parse((await raw.call('handle_command', COMMAND))!.text()),
      'kit host_storage_get': async () => void (await kit.call('get')),
      'bare host_storage_get': async () => void (await fixed('get')),
      'raw host_storage_get': async () => void (await raw.call('get')),
      'kit host_read_file': async () => void (await kit.call('read')),
      'bare host_read_file': async () => void (await fixed('read')),
      'raw host_read_file': async () => void (await raw.call('read')),
    },
    6,
    250,
  );
  await Promise.all([kit.close(), raw.close(), fixedPlugin.close()]);
  const baseline = 'bare Extism + the rc13 fixes';
  const rows: Row[] = ['handle_command', 'host_storage_get', 'host_read_file'].map((what) => ({
    name: `${what} (worker)`,
    kit: t(`kit ${what}`),
    bare: t(`bare ${what}`),
    unit: 'µs',
    goal: '≤ 1.10×',
    baseline,
  }));
  const count = (who: string) =>
    ['handle_command', 'host_storage_get', 'host_read_file'].map((what) => `${s(`${who} ${what}`)}`).join(' / ');
  const notes = [
    `Worker mode, three plugins in one process, medians of 6 interleaved rounds. The baseline is bare Extism with the two rc13 fixes the kit applies ` +
      `(block list reset every 64 calls; host calls answered a macrotask later) and, for host_read_file, the same workspace check. Bare rc13 without them: ` +
      `${t('raw handle_command').toFixed(1)} / ${t('raw host_storage_get').toFixed(1)} / ${t('raw host_read_file').toFixed(1)} µs ` +
      `(handle_command / host_storage_get / host_read_file).`,
    `Calls over 100 ms (rc13's lost wake-up costs 500 ms each): kit ${count('kit')}; bare with the fixes ${count('bare')}; bare rc13 ${count('raw')}.`,
  ];
  return { rows, notes };
}

/**
 * Two worker plugins taking turns (batches of 500 host calls), the pattern that made rc13 lose
 * wake-ups: without the kit's fix, calls of 500 ms appeared after about a thousand calls.
 */
async function alternatingWorkers(root: string, wasm: Uint8Array): Promise<string> {
  const host = benchHost(root);
  const plugins = [await loadPlugin(wasm, host, { name: 'a' }), await loadPlugin(wasm, host, { name: 'b' })];
  let slow = 0;
  let slowest = 0;
  for (let round = 0; round < 6; round++) {
    for (const plugin of plugins) {
      for (let i = 0; i < 500; i++) {
        const started = performance.now();
        await plugin.call('get');
        const ms = performance.now() - started;
        slowest = Math.max(slowest, ms);
        if (ms > 100) slow++;
      }
    }
  }
  await Promise.all(plugins.map((p) => p.close()));
  return `Two worker plugins taking turns, 6,000 host calls: ${slow} over 100 ms (slowest ${slowest.toFixed(1)} ms).`;
}

async function startup(base: string, runInWorker: boolean): Promise<Row> {
  const host = createHostContext({ permissions: allowAll });
  const samples = { cold: [] as number[], warm: [] as number[] };
  for (let sample = 0; sample < 9; sample++) {
    const dir = join(base, `plugins-${runInWorker}-${sample}`);
    for (let i = 0; i < 20; i++) {
      await mkdir(join(dir, `p${i}`), { recursive: true });
      // Distinct ids give distinct bytes, so a cold load compiles every module afresh.
      await writeFile(join(dir, `p${i}`, 'plugin.wasm'), await benchGuest(`bench.s${sample}.p${i}.${runInWorker}`));
    }
    for (const kind of ['cold', 'warm'] as const) {
      const started = performance.now();
      const { plugins, failures } = await loadPluginsFromDir(dir, host, { runInWorker });
      samples[kind].push(performance.now() - started);
      if (failures.length > 0 || plugins.length !== 20) throw new Error(`startup: ${failures[0]?.error.message}`);
      await Promise.all(plugins.map((p) => p.close()));
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { name: `start-up, 20 plugins (${runInWorker ? 'worker' : 'in-process'}): warm vs cold`, kit: med(samples.warm), bare: med(samples.cold), unit: 'ms', goal: 'warm ≥ 5× faster' };
}

async function throughput(root: string, wasm: Uint8Array): Promise<string> {
  const plugin: LoadedPlugin = await loadPlugin(wasm, createHostContext({ fs: nodeWorkspaceFs(root), permissions: allowAll }), { name: 'events' });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().rss;
  const started = performance.now();
  for (let i = 0; i < 10_000; i++) await plugin.onEvent(guestEvents.fileSaved(`notes/${i}.md`));
  const elapsed = performance.now() - started;
  gc?.();
  const after = process.memoryUsage().rss;
  await plugin.close();
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  return `10,000 file_saved events through one worker plugin: ${(elapsed / 10_000 * 1000).toFixed(0)} µs/event, RSS ${mib(before)} MiB before, ${mib(after)} MiB after`;
}

async function main() {
  const base = await mkdtemp(join(tmpdir(), 'diaryx-bench-'));
  try {
    const root = join(base, 'workspace');
    await mkdir(root);
    await writeFile(join(root, 'note.md'), NOTE);
    // First, while the process is quiet: cold first calls are what an app sees at start-up (later,
    // after the other sections, a large heap adds GC pauses of a few ms to them).
    // `DIARYX_BENCH=metered pnpm bench` runs the metered-mode section alone.
    if (process.env.DIARYX_BENCH === 'metered') {
      const report = ['# Benchmark results (metered section only)', '', ...(await meteredSection(base)), ''].join('\n');
      console.log(report);
      await writeFile(new URL('./results-metered.md', import.meta.url), report);
      return;
    }
    // `DIARYX_BENCH=responsiveness pnpm bench`: the app's thread while a plugin loops, and the default path.
    if (process.env.DIARYX_BENCH === 'responsiveness') {
      const report = ['# Benchmark results (responsiveness section only)', '', ...(await responsivenessSection()), ''].join('\n');
      console.log(report);
      await writeFile(new URL('./results-responsiveness.md', import.meta.url), report);
      return;
    }
    const jsRuntime = await jsRuntimeSection(join(new URL('.tmp', import.meta.url).pathname));
    const metered = await meteredSection(base);
    const responsiveness = await responsivenessSection();
    const wasm = await benchGuest('bench');
    const inProcess = await inProcessPairs(root, wasm);
    const worker = await workerPairs(root, wasm);
    const rows: Row[] = [...inProcess.rows, ...worker.rows];
    const alternating = await alternatingWorkers(root, wasm);
    rows.push(await startup(base, false), await startup(base, true));
    const events = await throughput(root, wasm);
    const lines = [
      '| measurement | kit | baseline | ratio | goal |',
      '|---|---|---|---|---|',
      ...rows.map((r) => {
        const ratio = r.name.startsWith('start-up') ? `${(r.bare / r.kit).toFixed(2)}× faster warm` : `${(r.kit / r.bare).toFixed(2)}×`;
        const baseline = r.name.startsWith('start-up') ? `${r.bare.toFixed(1)} ${r.unit} cold` : `${r.bare.toFixed(1)} ${r.unit} ${r.baseline ?? 'bare Extism'}`;
        return `| ${r.name} | ${r.kit.toFixed(1)} ${r.unit} | ${baseline} | ${ratio} | ${r.goal} |`;
      }),
    ];
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
    const report = [
      '# Benchmark results',
      '',
      `Written by \`pnpm bench\` (bench/bench.ts). Machine: ${machine}. Medians (p50) from tinybench; one run.`,
      '',
      ...lines,
      '',
      ...inProcess.notes,
      '',
      ...worker.notes,
      alternating,
      '',
      events,
      '',
      ...jsRuntime,
      '',
      ...metered,
      '',
      ...responsiveness,
      '',
    ].join('\n');
    console.log(report);
    await writeFile(new URL('./results.md', import.meta.url), report);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
