// The TypeScript runtime against its AssemblyScript twin (examples/word-count-ts vs word-count),
// one run, side by side; plus first-call latency of a small and of a ≈400 KB plugin.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, createHostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { buildPlugin, RUNTIME_WASM_PATH } from '@diaryx/js-runtime';
import { guestEvents, loadPlugin } from '@diaryx/loader';
import { Bench } from 'tinybench';

const root = new URL('..', import.meta.url);
const example = (name: string) => new URL(`examples/${name}/build/plugin.wasm`, root);
const OTHER_EVENT = { event_type: 'workspace_opened', payload: { workspace_root: '/w' } } as const;

function host() {
  return createHostContext({ fs: memoryWorkspaceFs({ 'note.md': 'one two three four five' }), permissions: allowAll });
}

const p50 = (bench: Bench, name: string) => ((bench.getTask(name)!.result as { latency?: { p50?: number } }).latency?.p50 ?? NaN) * 1000;

/** Per-call medians of the twins: a near-trivial export and handle_command with one host call. */
async function twins(): Promise<string[]> {
  const as = await loadPlugin(new Uint8Array(await readFile(example('word-count'))), host(), { runInWorker: false });
  const ts = await loadPlugin(new Uint8Array(await readFile(example('word-count-ts'))), host(), { runInWorker: false });
  const bench = new Bench({ time: 800, warmup: true, warmupIterations: 200 });
  bench
    .add('as on_event', () => as.onEvent(OTHER_EVENT))
    .add('ts on_event', () => ts.onEvent(OTHER_EVENT))
    .add('as handle_command', async () => void (await as.handleCommand('word-count', { path: 'note.md' })))
    .add('ts handle_command', async () => void (await ts.handleCommand('word-count', { path: 'note.md' })));
  await bench.run();
  const rows = [
    ['near-trivial export (`on_event`, an event it ignores)', 'on_event', '≤ 1.5×'],
    ['`handle_command` with one host call (`host_read_file`)', 'handle_command', '≤ 2×'],
  ].map(([what, task, goal]) => {
    const a = p50(bench, `as ${task}`);
    const t = p50(bench, `ts ${task}`);
    return `| ${what} | ${t.toFixed(1)} µs | ${a.toFixed(1)} µs | ${(t / a).toFixed(2)}× | ${goal} |`;
  });

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 10_000; i++) await ts.onEvent(guestEvents.fileSaved('note.md'));
  gc?.();
  const after = process.memoryUsage().rss;
  await Promise.all([as.close(), ts.close()]);
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  rows.push(`| 10,000 \`file_saved\` events through the TS twin (read + emit each) | RSS ${mib(before)} → ${mib(after)} MiB | | | flat |`);
  return rows;
}

/**
 * A generated plugin: the yaml package (optional) and `stepsBytes` of small functions. `variant`
 * goes into the manifest, so every variant is new bytes, compiled cold as at an app's start-up.
 */
async function generatedPlugin(dir: string, options: { stepsBytes: number; yaml: boolean; variant: number }): Promise<string> {
  await mkdir(dir, { recursive: true });
  const fn = (i: number) =>
    `export function step${i}(input: string): string {\n  let out = '';\n  for (const ch of input) out += ch.charCodeAt(0) % ${(i % 7) + 2} === 0 ? ch.toUpperCase() : ch;\n  return out + '${i}';\n}\n`;
  await writeFile(join(dir, 'steps.ts'), Array.from({ length: Math.max(1, Math.round(options.stepsBytes / 200)) }, (_, i) => fn(i)).join(''));
  const render = options.yaml ? 'stringify(parse(params?.yaml ?? \'\'))' : "params?.yaml ?? ''";
  await writeFile(
    join(dir, 'index.ts'),
    `${options.yaml ? "import { parse, stringify } from 'yaml';\n" : ''}import { commandRequest, ok, outputManifest } from '@diaryx/js-runtime/sdk';
import * as steps from './steps.js';
const table = Object.values(steps) as Array<(s: string) => string>;
export function manifest(): number {
  return outputManifest({ id: 'bench.generated.${options.variant}', name: 'Generated', version: '1', description: 'bench', capabilities: ['custom_commands'], commands: ['render'] });
}
export function handle_command(): number {
  const { params } = commandRequest<{ yaml: string; n: number }>();
  return ok({ out: ${render}, step: table[(params?.n ?? 0) % table.length]!('abc') });
}
`,
  );
  return join(dir, 'index.ts');
}

/** Median of five cold loads (new bytes each): load time and the first call after it. */
async function coldFirstCalls(tmp: string, stepsBytes: number, yaml: boolean): Promise<{ load: number; first: number; bundle: number; wasm: number }> {
  const builds = [];
  for (let variant = 0; variant < 5; variant++) {
    const entry = await generatedPlugin(join(tmp, `generated-${stepsBytes}-${variant}`), { stepsBytes, yaml, variant: Date.now() + variant });
    builds.push(await buildPlugin({ entry }));
  }
  // An app does not build plugins at start-up: let the engine finish the background compilation
  // that building (running the runtime to snapshot it) started before timing the loads.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const samples: Array<{ load: number; first: number; bundle: number; wasm: number }> = [];
  for (const built of builds) {
    const timing = await firstCall(built.wasm, 'render', { yaml: 'a: 1\nb: [x, y]\n', n: 3 });
    samples.push({ ...timing, bundle: built.bundleBytes, wasm: built.wasm.length });
  }
  return samples.sort((a, b) => a.first - b.first)[2]!;
}

async function firstCall(wasm: Uint8Array, command: string, params: unknown): Promise<{ load: number; first: number }> {
  // As at an app's start-up: no garbage of the bench's own work (building the plugin) to collect.
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const plugin = await loadPlugin(wasm, host(), { runInWorker: false });
  const loaded = performance.now();
  await plugin.handleCommand(command, params);
  const first = performance.now() - loaded;
  await plugin.close();
  return { load: loaded - started, first };
}

/** The js-runtime section of bench/results.md. */
export async function jsRuntimeSection(tmp: string): Promise<string[]> {
  // First calls first, in a quiet process: each is a cold module, as at an app's start-up.
  const asFirst = await firstCall(new Uint8Array(await readFile(example('word-count'))), 'word-count', { path: 'note.md' });
  const small = await coldFirstCalls(tmp, 6_000, false);
  const big = await coldFirstCalls(tmp, 250_000, true);
  const rows = await twins();
  const runtimeBytes = (await readFile(RUNTIME_WASM_PATH)).length;
  const twinBytes = async (name: string) => (await readFile(example(name))).length;
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const ms = (t: { load: number; first: number }) => `${t.first.toFixed(2)} ms (load ${t.load.toFixed(1)} ms)`;
  return [
    '## @diaryx/js-runtime vs the AssemblyScript twin',
    '',
    '| measurement | TypeScript (js-runtime) | AssemblyScript | ratio | goal |',
    '|---|---|---|---|---|',
    ...rows,
    `| first call after a cold load, small plugin (${kb(small.bundle)} bundle) | ${ms(small)} | ${ms(asFirst)} (word-count) | | ≤ 5 ms |`,
    `| first call after a cold load, ${kb(big.bundle)} bundle (yaml + generated code) | ${ms(big)} | | | ≤ 20 ms |`,
    `| runtime.wasm | ${kb(runtimeBytes)} | | | ≤ 600 KB |`,
    `| plugin.wasm: word-count twins; the ${kb(big.bundle)} bundle | ${kb(await twinBytes('word-count-ts'))}; ${kb(big.wasm)} | ${kb(await twinBytes('word-count'))} | | |`,
  ];
}
