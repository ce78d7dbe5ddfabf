// Metered in-process mode (`mode: 'metered'`) against bare in-process Extism, the kit's
// unmetered in-process mode and the worker: per-call cost, the tight-loop worst case, cold start,
// deadline precision and the rewrite itself. One run, side by side.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import createPlugin, { type Plugin } from '@extism/extism';
import { allowAll, createHostContext, type HostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { hasJspi, type LoadedPlugin, loadPlugin, loadPluginsFromDir, type PluginMode } from '@diaryx/loader';
import { meterModule } from '@diaryx/wasm';
import { Bench } from 'tinybench';
import { bareFunctions, benchGuest, GREETING } from './bench-guest.js';
import { fuelAlternatives } from './fuel-alternatives.js';

const repo = new URL('..', import.meta.url);
const example = (name: string) => new URL(`examples/${name}/build/plugin.wasm`, repo);
const COMMAND = '{"command":"noop","params":null}';

const p50 = (bench: Bench, name: string) => ((bench.getTask(name)!.result as { latency?: { p50?: number } }).latency?.p50 ?? NaN) * 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function guest(id: string): Promise<Uint8Array> {
  return benchGuest(id, {
    // The worst case for metering: three instructions a turn, ten million turns.
    tight: '(local.set 0 (i32.const 0)) (loop $l (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 10000000)))) (i32.const 0)',
    spin: '(loop $l (br $l)) (i32.const 0)',
  });
}

function host(): HostContext {
  return createHostContext({ fs: memoryWorkspaceFs({ 'note.md': 'one two three four five' }), permissions: allowAll });
}


async function load(wasm: Uint8Array, mode: PluginMode, name: string, extra: { timeoutMs?: number; asyncHostServices?: boolean } = {}): Promise<LoadedPlugin> {
  const plugin = await loadPlugin(wasm, host(), { mode, name, ...extra });
  await plugin.call('handle_command', COMMAND);
  return plugin;
}

// Metered rows use synchronous services (`asyncHostServices: false`: the cost of metering itself);
// the JSPI rows allow async services, which is what `'auto'` does by default where JSPI exists.
const SYNC = { asyncHostServices: false } as const;

async function perCall(wasm: Uint8Array): Promise<string[]> {
  const metered = await load(wasm, 'metered', 'metered', SYNC);
  const jspi = hasJspi() ? await load(wasm, 'metered', 'metered-jspi') : null;
  const inProcess = await load(wasm, 'in-process', 'in-process');
  const worker = await load(wasm, 'worker', 'worker');
  const bare: Plugin = await createPlugin({ wasm: [{ data: wasm }] }, { useWasi: true, runInWorker: false, functions: bareFunctions() });
  const wordCount = {
    metered: await load(new Uint8Array(await readFile(example('word-count'))), 'metered', 'wc-m', SYNC),
    inProcess: await load(new Uint8Array(await readFile(example('word-count'))), 'in-process', 'wc-i'),
  };
  const wordCountTs = {
    metered: await load(new Uint8Array(await readFile(example('word-count-ts'))), 'metered', 'wcts-m', SYNC),
    jspi: hasJspi() ? await load(new Uint8Array(await readFile(example('word-count-ts'))), 'metered', 'wcts-j') : null,
    inProcess: await load(new Uint8Array(await readFile(example('word-count-ts'))), 'in-process', 'wcts-i'),
  };
  const wc = (p: LoadedPlugin) => async () => void (await p.handleCommand('word-count', { path: 'note.md' }));
  const bench = new Bench({ time: 600, warmup: true, warmupIterations: 100 });
  for (const [who, plugin] of [['metered', metered], ['in-process', inProcess], ['worker', worker], ['jspi', jspi]] as const) {
    if (!plugin) continue;
    bench
      .add(`${who} handle_command`, async () => void (await plugin.call('handle_command', COMMAND)))
      .add(`${who} host_storage_get`, async () => void (await plugin.call('get')))
      .add(`${who} host_read_file`, async () => void (await plugin.call('read')));
  }
  bench
    .add('bare handle_command', async () => void (await bare.call('handle_command', COMMAND)))
    .add('bare host_storage_get', async () => void (await bare.call('get')))
    .add('bare host_read_file', async () => void (await bare.call('read')))
    .add('metered word-count', wc(wordCount.metered))
    .add('in-process word-count', wc(wordCount.inProcess))
    .add('metered word-count-ts', wc(wordCountTs.metered))
    .add('in-process word-count-ts', wc(wordCountTs.inProcess));
  if (wordCountTs.jspi) bench.add('jspi word-count-ts', wc(wordCountTs.jspi));
  await bench.run();
  const tight = new Bench({ time: 1500, warmup: true, warmupIterations: 3 });
  tight.add('metered tight', async () => void (await metered.call('tight'))).add('in-process tight', async () => void (await inProcess.call('tight')));
  await tight.run();
  const row = (what: string, kit: number, base: number, baseline: string, goal: string) =>
    `| ${what} | ${kit.toFixed(1)} µs | ${base.toFixed(1)} µs ${baseline} | ${(kit / base).toFixed(2)}× | ${goal} |`;
  const rows = [
    '| measurement | metered | baseline | ratio | goal |',
    '|---|---|---|---|---|',
    ...['handle_command', 'host_storage_get', 'host_read_file'].map((what) =>
      row(`${what}: metered vs bare in-process Extism`, p50(bench, `metered ${what}`), p50(bench, `bare ${what}`), 'bare Extism', '≤ 1.3×'),
    ),
    ...['handle_command', 'host_storage_get', 'host_read_file'].map((what) =>
      row(`${what}: metered vs the kit in-process (unmetered)`, p50(bench, `metered ${what}`), p50(bench, `in-process ${what}`), 'kit in-process', '≤ 1.3×'),
    ),
    row('word-count (AssemblyScript) `word-count` command', p50(bench, 'metered word-count'), p50(bench, 'in-process word-count'), 'kit in-process', '≤ 1.3×'),
    row('word-count-ts (QuickJS) `word-count` command', p50(bench, 'metered word-count-ts'), p50(bench, 'in-process word-count-ts'), 'kit in-process', '≤ 1.3×'),
    ...(jspi
      ? [
          ...['handle_command', 'host_storage_get', 'host_read_file'].map((what) =>
            row(`${what}: metered with JSPI (async services allowed: the default on Node 26) vs bare in-process Extism`, p50(bench, `jspi ${what}`), p50(bench, `bare ${what}`), 'bare Extism', 'reported'),
          ),
          row('word-count-ts (QuickJS) `word-count` command, metered with JSPI', p50(bench, 'jspi word-count-ts'), p50(bench, 'in-process word-count-ts'), 'kit in-process', 'reported'),
        ]
      : []),
    row('tight loop, 10 M turns of 3 instructions (worst case)', p50(tight, 'metered tight'), p50(tight, 'in-process tight'), 'kit in-process', 'reported'),
    ...['handle_command', 'host_storage_get', 'host_read_file'].map((what) => {
      const m = p50(bench, `metered ${what}`);
      const w = p50(bench, `worker ${what}`);
      return `| ${what}: metered vs worker | ${m.toFixed(1)} µs | ${w.toFixed(1)} µs worker | ${(w / m).toFixed(1)}× faster | ≥ 10× faster |`;
    }),
  ];
  await Promise.all([metered, jspi, inProcess, worker, ...Object.values(wordCount), ...Object.values(wordCountTs)].map((p) => p?.close()));
  await bare.close();
  return rows;
}

async function coldStart(base: string): Promise<string> {
  const samples: Record<'metered' | 'worker', number[]> = { metered: [], worker: [] };
  for (let sample = 0; sample < 5; sample++) {
    for (const mode of ['metered', 'worker'] as const) {
      const dir = join(base, `cold-${mode}-${sample}`);
      for (let i = 0; i < 20; i++) {
        await mkdir(join(dir, `p${i}`), { recursive: true });
        await writeFile(join(dir, `p${i}`, 'plugin.wasm'), await guest(`cold.${mode}.${sample}.${i}`));
      }
      // The garbage of the last sample (closed plugins) is collected before, not during, this one.
      (globalThis as { gc?: () => void }).gc?.();
      const started = performance.now();
      const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext({ permissions: allowAll }), { mode });
      samples[mode].push(performance.now() - started);
      if (failures.length > 0 || plugins.length !== 20) throw new Error(`cold start: ${failures[0]?.error.message}`);
      await Promise.all(plugins.map((p) => p.close()));
    }
  }
  const m = median(samples.metered);
  const w = median(samples.worker);
  return `| cold start, 20 new plugins (median of 5) | ${m.toFixed(0)} ms | ${w.toFixed(0)} ms worker | ${(w / m).toFixed(1)}× faster | ≥ 10× faster |`;
}

async function precision(wasm: Uint8Array): Promise<string[]> {
  const rows: string[] = [];
  for (const mode of ['metered', 'worker'] as const) {
    const plugin = await load(wasm, mode, `deadline-${mode}`, { timeoutMs: 50 });
    const overshoot: number[] = [];
    let unanswered = 0;
    for (let run = 0; run < 20; run++) {
      const started = performance.now();
      await plugin.call('spin').catch(() => undefined);
      overshoot.push(performance.now() - started - 50);
      // Answers afterwards (after a restart); a fresh worker's first call can itself pass 50 ms.
      await plugin.call('handle_command', COMMAND).catch(() => unanswered++);
    }
    await plugin.close();
    rows.push(
      `| deadline precision (${mode}): endless loop, 50 ms deadline, 20 runs | median +${median(overshoot).toFixed(1)} ms, max +${Math.max(...overshoot).toFixed(1)} ms | | next call failed ${unanswered}/20 | ≤ 10 ms |`,
    );
  }
  return rows;
}

/** The first rewrite in a fresh process (what an app waits for at its first load), in ms. */
function coldRewrite(path: string): number {
  const script = `import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs'; import { meterModule } from '@diaryx/wasm';
const bytes = new Uint8Array(readFileSync(process.argv[1])); const started = performance.now(); meterModule(bytes);
console.log(performance.now() - started);`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, path], { cwd: fileURLToPath(repo), encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`cold rewrite of ${path}: ${child.stderr}`);
  return Number(child.stdout.trim());
}

function rewriteTime(): string[] {
  const files = [
    ['word-count-ts plugin.wasm', example('word-count-ts')],
    ['js-runtime runtime.wasm', new URL('packages/js-runtime/dist/runtime.wasm', repo)],
    ['daily plugin.wasm (AssemblyScript)', example('daily')],
  ] as const;
  return files.map(([what, url]) => {
    const bytes = new Uint8Array(readFileSync(url));
    const times: number[] = [];
    for (let i = 0; i < 11; i++) {
      const started = performance.now();
      meterModule(bytes);
      times.push(performance.now() - started);
    }
    const cold = [0, 1, 2].map(() => coldRewrite(fileURLToPath(url)));
    return `| rewrite (meterModule) of ${what}, ${(bytes.length / 1024).toFixed(0)} KiB | median ${median(times).toFixed(1)} ms; first in a fresh process (median of 3) ${median(cold).toFixed(1)} ms | | | ≤ 50 ms |`;
  });
}

/** A host call to an async service (a resolved Promise): metered with JSPI vs worker. */
async function asyncHostCall(wasm: Uint8Array): Promise<string> {
  if (!hasJspi()) return `| async host service (\`host_storage_get\` awaiting a Promise): metered with JSPI vs worker | n/a: no JSPI in Node ${process.versions.node} | | | reported |`;
  const asyncHost = () =>
    createHostContext({
      permissions: allowAll,
      storage: { get: async () => new TextEncoder().encode(GREETING), set: () => undefined, delete: () => undefined },
    });
  const metered = await loadPlugin(wasm, asyncHost(), { mode: 'metered', name: 'jspi-m' });
  const worker = await loadPlugin(wasm, asyncHost(), { mode: 'worker', name: 'jspi-w' });
  const bench = new Bench({ time: 600, warmup: true, warmupIterations: 100 });
  bench.add('metered', async () => void (await metered.call('get'))).add('worker', async () => void (await worker.call('get')));
  await bench.run();
  await Promise.all([metered.close(), worker.close()]);
  const m = p50(bench, 'metered');
  const w = p50(bench, 'worker');
  return `| async host service (\`host_storage_get\` awaiting a Promise): metered with JSPI vs worker | ${m.toFixed(1)} µs | ${w.toFixed(1)} µs worker | ${(w / m).toFixed(1)}× faster | reported |`;
}

/** The metered-mode rows of the bench report (a markdown table). */
export async function meteredSection(base: string): Promise<string[]> {
  const wasm = await guest('metered-bench');
  const rewrite = rewriteTime();
  const calls = await perCall(wasm);
  const cold = await coldStart(base);
  const deadline = await precision(wasm);
  const jspi = await asyncHostCall(wasm);
  const fuel = await fuelAlternatives();
  return ['## Metered in-process mode', '', `Node ${process.versions.node}.`, '', ...calls, jspi, cold, ...deadline, ...rewrite, ...fuel];
}
