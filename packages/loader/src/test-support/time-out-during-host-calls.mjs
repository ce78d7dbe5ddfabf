// Run as its own process by worker-host-calls.test.ts: loads the plugin at argv[2] in a worker,
// lets three calls of its `spin` export (host calls in an endless loop) time out, closes it and
// then has nothing left to do, so the process must exit on its own.
import { readFileSync } from 'node:fs';
import { allowAll, createHostContext, MemoryPluginStorage } from '@diaryx/host-fns';
import { loadPlugin } from '@diaryx/loader';

const host = createHostContext({ storage: new MemoryPluginStorage(), permissions: allowAll });
const plugin = await loadPlugin(new Uint8Array(readFileSync(process.argv[2])), host, { name: 'spin', timeoutMs: 200, manifestTimeoutMs: 1000 });
for (let i = 0; i < 3; i++) {
  await plugin.call('spin').then(
    () => console.log('answered'),
    (error) => console.log(error.kind),
  );
}
await plugin.close();
console.log('closed');
