import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, createHostContext } from '@diaryx/host-fns';
import { compileWat, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestJson, recorderWat, writePluginFolder } from '../test-support/fixtures.js';
import { createPluginHost } from './create-plugin-host.js';
import { watchPluginsDir } from './watch-plugins-dir.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await removeTempDirs();
});

const plugin = (id: string, version: string) => compileWat(recorderWat(manifestJson({ id, name: id, version })));

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

describe('watchPluginsDir: the host follows its plugins folder', () => {
  it('reloads a plugin once when its plugin.wasm changes (the loader\'s manifest.json write starts nothing), loads a new folder, unloads a removed one', async () => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, 'acme.a', await plugin('acme.a', '1.0.0'));
    const host = createPluginHost({ pluginsDir: dir, host: createHostContext({ permissions: allowAll }), mode: 'in-process' });
    cleanups.push(() => host.shutdown());
    const log: string[] = [];
    for (const type of ['loaded', 'reloaded', 'unloaded', 'failed'] as const) host.addEventListener(type, (event) => log.push(`${type} ${event.detail.id}`));
    await host.load();
    const watcher = watchPluginsDir(dir, host, { debounceMs: 100 });
    cleanups.push(() => watcher.close());
    await watcher.ready;

    // A build writes a moment after the load wrote manifest.json (file times can be coarser than a test is fast).
    const later = new Date(Date.now() + 2_000);
    await writeFile(join(dir, 'acme.a', 'plugin.wasm'), await plugin('acme.a', '2.0.0'));
    await utimes(join(dir, 'acme.a', 'plugin.wasm'), later, later);
    await until(() => log.includes('reloaded acme.a'));
    await new Promise((r) => setTimeout(r, 800));
    expect(host.get('acme.a')!.manifest.version).toBe('2.0.0');
    expect(log).toEqual(['loaded acme.a', 'unloaded acme.a', 'reloaded acme.a']);

    await writePluginFolder(dir, 'acme.b', await plugin('acme.b', '1.0.0'));
    await until(() => log.includes('loaded acme.b'));
    await rm(join(dir, 'acme.a', 'plugin.wasm'));
    await until(() => log.length === 5);
    expect(log.slice(3)).toEqual(['loaded acme.b', 'unloaded acme.a']);
    expect(host.plugins.get('acme.a')!.state).toBe('closed');
  });
});
