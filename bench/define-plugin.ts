// definePlugin's dispatch: a sync command handler, an async one and a sync on_event, per call
// (in-process, median of tinybench's samples). Run: npx tsx bench/define-plugin.ts
// Measures that awaiting async handlers (issue 29) costs sync handlers nothing: the sync path
// only checks whether the handler's value is a thenable.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { allowAll, createHostContext } from '@diaryx/host-fns';
import { buildPlugin } from '@diaryx/js-runtime';
import { loadPluginFromBytes } from '@diaryx/loader';
import { Bench } from 'tinybench';

const SOURCE = `import { definePlugin } from '@diaryx/js-runtime/sdk';
export const { manifest, handle_command, on_event } = definePlugin<{ sync: { n: number }; later: { n: number } }>({
  manifest: { id: 'bench.define-plugin', name: 'Bench', version: '1', description: 'bench', capabilities: [] },
  commands: {
    sync: (params) => ({ twice: (params.n ?? 0) * 2 }),
    later: async (params) => ({ twice: (await Promise.resolve(params.n ?? 0)) * 2 }),
  },
  onEvent: () => undefined,
});
`;

// Inside the repository, so the entry resolves @diaryx/js-runtime/sdk.
const dir = await mkdtemp(join(fileURLToPath(new URL('.', import.meta.url)), '.define-plugin-'));
try {
  const entry = join(dir, 'index.ts');
  await writeFile(entry, SOURCE);
  const { wasm } = await buildPlugin({ entry, typeCheck: false });
  const plugin = await loadPluginFromBytes(wasm, createHostContext({ permissions: allowAll }), { mode: 'in-process' });
  const bench = new Bench({ time: 1000, warmup: true, warmupIterations: 300 });
  bench
    .add('sync command', async () => void (await plugin.handleCommand('sync', { n: 2 })))
    .add('async command', async () => void (await plugin.handleCommand('later', { n: 2 })))
    .add('on_event (sync hook)', async () => void (await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } })));
  await bench.run();
  for (const task of bench.tasks) {
    const p50 = ((task.result as { latency?: { p50?: number } }).latency?.p50 ?? NaN) * 1000;
    console.log(`| ${task.name} | ${p50.toFixed(1)} µs |`);
  }
  await plugin.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
