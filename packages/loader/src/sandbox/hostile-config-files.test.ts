import { spawnSync } from 'node:child_process';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostContext } from '@diaryx/host-fns';
import { compileWat, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';
import type { LoadedPlugin } from '../loaded-plugin.js';
import { loadPlugin } from '../node/load-plugin.js';
import { loadPluginsFromDir } from '../node/load-plugins-from-dir.js';
import { guestWasm, manifestJson, recorderWat, writePluginFolder } from '../test-support/fixtures.js';
import { LOAD_MODES } from '../test-support/load-modes.js';

// Issue 15 (security round 2): config.json and the temporary files of its saves, against
// hostile or damaged plugin folders. Each case where a guest runs, in worker and in-process mode.

const MODES = LOAD_MODES;

const opened: LoadedPlugin[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
  await removeTempDirs();
});

const plainWasm = () => guestWasm({ manifest: manifestJson({ id: 'cfg' }) });

describe.each(MODES)('15.11 config.json with invalid UTF-8 (D1), %s', (_mode, options) => {
  it('is treated as corrupt: kept aside byte for byte, a warning, an empty config; a save cannot lose it', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'cfg', await plainWasm());
    const original = Buffer.concat([Buffer.from('{"token":"'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]);
    await writeFile(join(folder, 'config.json'), original);
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), options);
    opened.push(...plugins);
    expect(failures).toEqual([]);
    const plugin = plugins[0]!;
    expect(plugin.getConfig()).toBeNull();
    expect(plugin.warnings).toHaveLength(1);
    expect(plugin.warnings[0]).toContain('not valid JSON (or not UTF-8)');
    const kept = (await readdir(folder)).filter((name) => name.startsWith('config.json.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(plugin.warnings[0]).toContain(kept[0]);
    await plugin.setConfig({ fresh: true });
    expect(await readFile(join(folder, kept[0]!))).toEqual(original);
    expect(JSON.parse(await readFile(join(folder, 'config.json'), 'utf8'))).toEqual({ fresh: true });
  });
});

describe.each(MODES)('15.13 concurrent setConfig calls, %s', (_mode, options) => {
  it('run in call order: the store, getConfig() and the guest\'s last set_config agree (saves of different speeds)', async () => {
    const events: string[] = [];
    const saved: unknown[] = [];
    // The first save is slow, the second fast: unserialised, the first one's continuation would
    // run last and leave getConfig() on the config the store no longer holds.
    let calls = 0;
    const saveConfig = async (config: unknown) => {
      saved.push(config);
      await new Promise((resolve) => setTimeout(resolve, calls++ % 2 === 0 ? 30 : 0));
    };
    const wasm = await compileWat(recorderWat(manifestJson({ id: 'cfg' })));
    const host = createHostContext({ events: { emit: (text) => void events.push(text) } });
    const plugin = await loadPluginFromBytes(wasm, host, { ...options, saveConfig });
    opened.push(plugin);
    for (let pair = 0; pair < 5; pair++) {
      await Promise.all([plugin.setConfig({ pair, who: 'a' }), plugin.setConfig({ pair, who: 'b' })]);
      expect(saved.at(-1)).toEqual({ pair, who: 'b' });
      expect(plugin.getConfig()).toEqual({ pair, who: 'b' });
      expect(JSON.parse(events.at(-1)!)).toEqual({ pair, who: 'b' });
    }
    expect(events.map((e) => JSON.parse(e) as unknown)).toEqual(saved);
  });

  it('config.json and getConfig() agree after 200 concurrent pairs', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'cfg', await plainWasm());
    const plugin = await loadPlugin(join(folder, 'plugin.wasm'), createHostContext(), options);
    opened.push(plugin);
    for (let pair = 0; pair < 200; pair++) {
      await Promise.all([plugin.setConfig({ pair, who: 'a' }), plugin.setConfig({ pair, who: 'b' })]);
      const onDisk: unknown = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8'));
      if (JSON.stringify(onDisk) !== JSON.stringify(plugin.getConfig())) {
        expect({ pair, onDisk }).toEqual({ pair, onDisk: plugin.getConfig() });
      }
    }
    expect(plugin.getConfig()).toEqual({ pair: 199, who: 'b' });
  });
});

describe('15.19 temporary files of interrupted saves', () => {
  it('are removed at load when their process is gone or they are old; a live, recent one and other files stay', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'cfg', await plainWasm());
    const names = {
      deadConfig: `config.json.${dead}.0123abcd.tmp`,
      deadManifest: `manifest.json.${dead}.deadbeef.tmp`,
      liveRecent: `config.json.${process.pid}.89abcdef.tmp`,
      liveOld: `manifest.json.${process.pid}.00ff00ff.tmp`,
      otherName: `notes.json.${dead}.0123abcd.tmp`,
      notOurs: `config.json.${dead}.tmp`,
      backup: 'config.json.bak',
    };
    for (const name of Object.values(names)) await writeFile(join(folder, name), 'x'.repeat(1000));
    const old = new Date(Date.now() - 11 * 60_000);
    await utimes(join(folder, names.liveOld), old, old);
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), { runInWorker: false });
    opened.push(...plugins);
    expect(failures).toEqual([]);
    const left = await readdir(folder);
    for (const gone of [names.deadConfig, names.deadManifest, names.liveOld]) expect(left).not.toContain(gone);
    for (const kept of [names.liveRecent, names.otherName, names.notOurs, names.backup]) expect(left).toContain(kept);
  });

  it('are removed by loadPlugin next to the wasm file and at a custom configPath', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'cfg', await plainWasm());
    const other = await makeTempDir();
    await writeFile(join(folder, `manifest.json.${dead}.0123abcd.tmp`), '{');
    await writeFile(join(other, `settings.json.${dead}.0123abcd.tmp`), '{');
    const plugin = await loadPlugin(join(folder, 'plugin.wasm'), createHostContext(), { runInWorker: false, configPath: join(other, 'settings.json') });
    opened.push(plugin);
    expect((await readdir(folder)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await readdir(other)).toEqual([]);
  });
});
