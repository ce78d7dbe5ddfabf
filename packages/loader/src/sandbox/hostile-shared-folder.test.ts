import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostContext } from '@diaryx/host-fns';
import { makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LoadedPlugin } from '../loaded-plugin.js';
import { type LoadRacePoint, setLoadRaceHook } from '../node/load-race-points.js';
import { loadPluginsFromDir } from '../node/load-plugins-from-dir.js';
import { guestWasm, manifestJson, writePluginFolder } from '../test-support/fixtures.js';

// Security round 3 (issue 30): two hosts share one plugins folder (the app and `diaryx-plugin
// dev`, two windows). A file that vanishes between the scan and the read (a config.json moved
// aside by the other host, a manifest.json being replaced, a plugin.wasm removed) means "absent"
// for that plugin and never fails the folder. In-process: the file handling is the same in every mode.

const opened: LoadedPlugin[] = [];
afterEach(async () => {
  setLoadRaceHook(null);
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(removeTempDirs);

const options = { mode: 'in-process' } as const;
const CORRUPT = '{"token": "abc", oops';

/** A plugins folder with plugins `a` and `b` (ids as the folders). */
async function twoPlugins(): Promise<string> {
  const dir = await makeTempDir('diaryx-shared-');
  for (const id of ['a', 'b']) await writePluginFolder(dir, id, await guestWasm({ manifest: manifestJson({ id }) }));
  return dir;
}

async function load(dir: string) {
  const result = await loadPluginsFromDir(dir, createHostContext(), options);
  opened.push(...result.plugins);
  return result;
}

describe('issue 30: two hosts loading one plugins folder at once', () => {
  it('a corrupt config.json: one host moves it aside, neither fails, the bytes are kept once (20 rounds)', async () => {
    const rounds = 20;
    const failed: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const dir = await twoPlugins();
      await writeFile(join(dir, 'a', 'config.json'), CORRUPT);
      const results = await Promise.all([load(dir), load(dir)]);
      for (const { plugins, failures } of results) {
        failed.push(...failures.map((f) => `round ${round}: ${f.error.kind}: ${f.error.message}`));
        expect(plugins.map((p) => p.id).sort()).toEqual(['a', 'b']);
        expect(plugins.find((p) => p.id === 'a')!.getConfig()).toBeNull();
      }
      const kept = (await readdir(join(dir, 'a'))).filter((name) => name.startsWith('config.json.corrupt-'));
      expect(kept).toHaveLength(1);
      expect(await readFile(join(dir, 'a', kept[0]!), 'utf8')).toBe(CORRUPT);
    }
    expect(failed).toEqual([]);
  });
});

describe('issue 30: a file removed at each step of the load', () => {
  /** Loads `dir` with `act` run once, for plugin `a`, at `point`. */
  async function loadRemovingAt(dir: string, point: LoadRacePoint, act: (path: string) => Promise<void>) {
    let acted = false;
    setLoadRaceHook(async (at, path) => {
      if (at !== point || acted || !path.includes(`${join(dir, 'a')}`)) return;
      acted = true;
      await act(path);
    });
    const result = await load(dir);
    expect(acted, `the load never reached '${point}'`).toBe(true);
    return result;
  }

  it('plugin.wasm removed after the scan: that plugin is absent (not a failure), the other loads', async () => {
    const dir = await twoPlugins();
    const { plugins, failures } = await loadRemovingAt(dir, 'scanned', (folder) => rm(join(folder, 'plugin.wasm')));
    expect(failures).toEqual([]);
    expect(plugins.map((p) => p.id)).toEqual(['b']);
  });

  it('plugin.wasm removed just before it is read: absent', async () => {
    const dir = await twoPlugins();
    const { plugins, failures } = await loadRemovingAt(dir, 'wasm-read', (wasm) => rm(wasm));
    expect(failures).toEqual([]);
    expect(plugins.map((p) => p.id)).toEqual(['b']);
  });

  it('the whole plugin folder removed after the scan: absent', async () => {
    const dir = await twoPlugins();
    const { plugins, failures } = await loadRemovingAt(dir, 'scanned', (folder) => rm(folder, { recursive: true }));
    expect(failures).toEqual([]);
    expect(plugins.map((p) => p.id)).toEqual(['b']);
  });

  it('a fresh manifest.json removed just before it is read: the manifest comes from the plugin', async () => {
    const dir = await twoPlugins();
    await load(dir); // writes both manifest caches
    const { plugins, failures } = await loadRemovingAt(dir, 'manifest-read', (cache) => rm(cache));
    expect(failures).toEqual([]);
    expect(plugins.map((p) => p.id).sort()).toEqual(['a', 'b']);
    // The plugin answers, and its cache was written again.
    expect(JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8')).id).toBe('a');
  });

  it('a fresh manifest.json replaced just before it is read (another host rewriting it): loads', async () => {
    const dir = await twoPlugins();
    await load(dir);
    const { plugins, failures } = await loadRemovingAt(dir, 'manifest-read', async (cache) => {
      const text = await readFile(cache, 'utf8');
      await writeFile(`${cache}.other`, text);
      await rename(`${cache}.other`, cache);
    });
    expect(failures).toEqual([]);
    expect(plugins.map((p) => p.id).sort()).toEqual(['a', 'b']);
  });

  it('config.json removed just before it is read: an empty config', async () => {
    const dir = await twoPlugins();
    await writeFile(join(dir, 'a', 'config.json'), '{"x":1}');
    const { plugins, failures } = await loadRemovingAt(dir, 'config-read', (config) => rm(config));
    expect(failures).toEqual([]);
    expect(plugins.find((p) => p.id === 'a')!.getConfig()).toBeNull();
  });

  it('a corrupt config.json moved aside by another host before this one moves it: an empty config, no failure', async () => {
    const dir = await twoPlugins();
    await writeFile(join(dir, 'a', 'config.json'), CORRUPT);
    const { plugins, failures } = await loadRemovingAt(dir, 'config-move-aside', (config) => rename(config, `${config}.corrupt-by-the-other-host`));
    expect(failures).toEqual([]);
    const a = plugins.find((p) => p.id === 'a')!;
    expect(a.getConfig()).toBeNull();
    expect(await readFile(join(dir, 'a', 'config.json.corrupt-by-the-other-host'), 'utf8')).toBe(CORRUPT);
  });

  it('a corrupt config.json replaced by a good one before it is moved aside: the good one is read, not moved', async () => {
    const dir = await twoPlugins();
    await writeFile(join(dir, 'a', 'config.json'), CORRUPT);
    const { plugins, failures } = await loadRemovingAt(dir, 'config-move-aside', async (config) => {
      await writeFile(`${config}.new`, '{"fixed":true}');
      await rename(`${config}.new`, config);
    });
    expect(failures).toEqual([]);
    expect(plugins.find((p) => p.id === 'a')!.getConfig()).toEqual({ fixed: true });
    expect(await readFile(join(dir, 'a', 'config.json'), 'utf8')).toBe('{"fixed":true}');
    expect((await readdir(join(dir, 'a'))).filter((name) => name.includes('corrupt'))).toEqual([]);
  });

  it('a plugin folder replaced by a file after the scan: absent', async () => {
    const dir = await twoPlugins();
    const { plugins, failures } = await loadRemovingAt(dir, 'scanned', async (folder) => {
      await rm(folder, { recursive: true });
      await mkdir(dir, { recursive: true });
      await writeFile(folder, 'not a folder any more');
    });
    expect(failures).toEqual([]);
    expect(plugins.map((p) => p.id)).toEqual(['b']);
  });
});
