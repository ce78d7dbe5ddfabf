// Run as its own process (with --expose-gc) by handles.test.ts: loads each plugin at argv[2..]
// again and again, in a worker and in-process in turn, closes some and drops the others without
// close() (as an app that reloads plugins, or a start-up that fails half-way, may do), forces
// garbage collection, and then closes everything it still holds. Nothing may reach stderr, the
// process must exit by itself, and at exit only the handles it had before the first load may be
// open. Prints one line per phase on stdout.
import { readFileSync } from 'node:fs';
import { allowAll, createHostContext, MemoryPluginStorage } from '@diaryx/host-fns';
import { loadPlugin } from '@diaryx/loader';

const ROUNDS = 6;
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with --expose-gc');
const collect = async () => {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

const baseline = new Set(process.getActiveResourcesInfo());
const host = createHostContext({ storage: new MemoryPluginStorage(), permissions: allowAll });
const modules = process.argv.slice(2).map((path) => new Uint8Array(readFileSync(path)));
const kept = [];
let loads = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, bytes] of modules.entries()) {
    const plugin = await loadPlugin(bytes, host, { name: `p${i}-${round}`, runInWorker: round % 2 === 0 });
    await plugin.call('manifest');
    loads++;
    if (round % 3 === 0) await plugin.close();
    else if (round % 3 === 1) kept.push(plugin);
    // round % 3 === 2: dropped without close()
  }
  await collect();
}
console.log(`loaded ${loads}`);
for (const plugin of kept) await plugin.close();
await collect();
console.log('closed');
process.on('exit', () => {
  const left = process.getActiveResourcesInfo().filter((r) => !baseline.has(r));
  console.log(`open at exit: ${left.length === 0 ? 'nothing' : left.join(', ')}`);
});
