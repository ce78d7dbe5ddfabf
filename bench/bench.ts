// `pnpm bench`: what the kit costs over raw @extism/extism, measured side by side in one run.
// Prints the ratios and writes bench/results.md. Run on the built packages (dist).
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import createPlugin, { type CallContext, type Plugin } from '@extism/extism';
import { allowAll, createHostContext, MemoryPluginStorage, nodeWorkspaceFs } from '@diaryx/host-fns';
import { guestEvents, type LoadedPlugin, loadPlugin, loadPluginsFromDir } from '@diaryx/loader';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { Bench } from 'tinybench';
import { jsRuntimeSection } from './js-runtime.js';

const NOTE = 'A short note with a few words in it.\n';
const GREETING = new TextEncoder().encode('hello from storage');

function benchGuest(id: string): Promise<Uint8Array> {
  const call = (fn: string, data: string) =>
    `(call $output_handle (call $${fn} (call $to_block (global.get $${data}_ptr) (global.get $${data}_len)))) (i32.const 0)`;
  return compileWat(
    guestWat({
      manifest: JSON.stringify({ id, name: id, version: '1', description: 'bench', capabilities: ['custom_commands'], commands: ['noop'] }),
      hostImports: ['host_storage_get', 'host_read_file'],
      data: { ok: '{"success":true,"data":1}', key: '{"key":"greeting"}', path: '{"path":"note.md"}' },
      exports: {
        handle_command: '(call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)',
        get: call('host_storage_get', 'key'),
        read: call('host_read_file', 'path'),
        on_event: '(i32.const 0)',
      },
    }),
  );
}

/** Bare Extism host functions doing the same work as ours (parse, look up, answer). */
function bareFunctions(root: string) {
  const store = new Map([['bench:greeting', GREETING]]);
  return {
    'extism:host/user': {
      host_storage_get(cp: CallContext, off: bigint) {
        const { key } = JSON.parse(cp.read(off)!.text()) as { key: string };
        const value = store.get(`bench:${key}`);
        return value ? cp.store(JSON.stringify({ data: Buffer.from(value).toString('base64') })) : 0n;
      },
      host_read_file(cp: CallContext, off: bigint) {
        const { path } = JSON.parse(cp.read(off)!.text()) as { path: string };
        return cp.store(readFileSync(join(root, path), 'utf8'));
      },
    },
  };
}

const median = (task: { result?: unknown }) => {
  const result = task.result as { latency?: { p50?: number } } | undefined;
  return result?.latency?.p50 ?? Number.NaN;
};

interface Row {
  name: string;
  kit: number;
  bare: number;
  unit: string;
  goal: string;
}

async function pairs(root: string, wasm: Uint8Array, runInWorker: boolean): Promise<Row[]> {
  const storage = new MemoryPluginStorage();
  storage.set('bench:greeting', GREETING);
  const host = createHostContext({ fs: nodeWorkspaceFs(root), storage, permissions: allowAll });
  const kit = await loadPlugin(wasm, host, { name: 'bench', runInWorker });
  const bare: Plugin = await createPlugin({ wasm: [{ data: wasm }] }, { useWasi: true, runInWorker, functions: bareFunctions(root) });
  const mode = runInWorker ? 'worker' : 'in-process';
  const bench = new Bench({ time: runInWorker ? 1500 : 800, warmup: true, warmupIterations: 200 });
  bench
    .add(`kit handle_command`, async () => void (await kit.handleCommand('noop', null)))
    .add(`bare handle_command`, async () => void JSON.parse((await bare.call('handle_command', '{"command":"noop","params":null}'))!.text()))
    .add(`kit host_storage_get`, async () => void (await kit.call('get')))
    .add(`bare host_storage_get`, async () => void (await bare.call('get')))
    .add(`kit host_read_file`, async () => void (await kit.call('read')))
    .add(`bare host_read_file`, async () => void (await bare.call('read')));
  await bench.run();
  await kit.close();
  await bare.close();
  const t = (name: string) => median(bench.getTask(name)!) * 1000;
  return [
    { name: `handle_command (${mode})`, kit: t('kit handle_command'), bare: t('bare handle_command'), unit: 'µs', goal: '≤ 1.10×' },
    { name: `host_storage_get (${mode})`, kit: t('kit host_storage_get'), bare: t('bare host_storage_get'), unit: 'µs', goal: '≤ 1.10×' },
    { name: `host_read_file (${mode})`, kit: t('kit host_read_file'), bare: t('bare host_read_file'), unit: 'µs', goal: '≤ 1.10×' },
  ];
}

async function startup(base: string, runInWorker: boolean): Promise<Row> {
  const host = createHostContext({ permissions: allowAll });
  const samples = { cold: [] as number[], warm: [] as number[] };
  for (let sample = 0; sample < 5; sample++) {
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
    const jsRuntime = await jsRuntimeSection(join(new URL('.tmp', import.meta.url).pathname));
    const wasm = await benchGuest('bench');
    const rows: Row[] = [...(await pairs(root, wasm, false)), ...(await pairs(root, wasm, true))];
    rows.push(await startup(base, false), await startup(base, true));
    const events = await throughput(root, wasm);
    const lines = [
      '| measurement | kit | baseline | ratio | goal |',
      '|---|---|---|---|---|',
      ...rows.map((r) => {
        const ratio = r.name.startsWith('start-up') ? `${(r.bare / r.kit).toFixed(2)}× faster warm` : `${(r.kit / r.bare).toFixed(2)}×`;
        const baseline = r.name.startsWith('start-up') ? `${r.bare.toFixed(1)} ${r.unit} cold` : `${r.bare.toFixed(1)} ${r.unit} bare Extism`;
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
      events,
      '',
      ...jsRuntime,
      '',
    ].join('\n');
    console.log(report);
    await writeFile(new URL('./results.md', import.meta.url), report);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
