// Run as its own process by hostile-exit.test.ts: loads the plugin at argv[2] with default
// options but the mode argv[3], calls it, closes it and then has nothing left to do. Prints the
// time of the last close() (ms since the epoch); the test measures how long the process takes to
// exit after it.
import { readFileSync } from 'node:fs';
import { createHostContext } from '@diaryx/host-fns';
import { loadPlugin } from '@diaryx/loader';

const plugin = await loadPlugin(new Uint8Array(readFileSync(process.argv[2])), createHostContext(), { name: 'quick', mode: process.argv[3] });
await plugin.call('manifest');
await plugin.close();
console.log(`closed at ${Date.now()}`);
