// The loader tells `onLifecycleEvent` what happens to a plugin outside the call its caller
// awaits, from where it knows it (the call's failure, the runtime's restart, the config read).
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostContext, type HostLogger } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import type { PluginLifecycleEvent } from './lifecycle-events.js';
import { loadPluginFromBytes } from './load-plugin-from-bytes.js';
import type { LoadedPlugin } from './loaded-plugin.js';
import { loadPluginsFromDir } from './node/load-plugins-from-dir.js';
import { writePluginFolder } from './test-support/fixtures.js';

afterAll(removeTempDirs);
const opened: LoadedPlugin[] = [];
afterAll(() => Promise.all(opened.map((p) => p.close())));

const ANSWER = '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)';
const LOOP = '(loop $l (br $l)) (i32.const 0)';

function misbehaving(): Promise<Uint8Array> {
  return compileWat(
    guestWat({
      manifest: hostileManifest('misbehaving'),
      extraImports: '(import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))',
      data: { answer: '{"success":true,"data":"ok"}' },
      exports: { answer: ANSWER, loop: LOOP, trap: 'unreachable', exit: '(call $proc_exit (i32.const 2)) unreachable', on_event: 'unreachable' },
    }),
  );
}

async function load(mode: 'metered' | 'worker' | 'in-process', events: PluginLifecycleEvent[]): Promise<LoadedPlugin> {
  const plugin = await loadPluginFromBytes(await misbehaving(), createHostContext(), { mode, timeoutMs: 300, onLifecycleEvent: (e) => events.push(e) });
  opened.push(plugin);
  return plugin;
}

describe.each(['metered', 'worker'] as const)('lifecycle events (mode %s)', (mode) => {
  it('a timeout is told once, with the export, the deadline and the error; the fresh instance after it is told as restarted', async () => {
    const events: PluginLifecycleEvent[] = [];
    const plugin = await load(mode, events);
    const error = await plugin.call('loop').catch((e: unknown) => e);
    expect(events).toEqual([{ type: 'timeout', pluginId: 'misbehaving', exportName: 'loop', timeoutMs: 300, error }]);
    await plugin.call('answer');
    expect(events.slice(1)).toEqual([{ type: 'restarted', pluginId: 'misbehaving', mode, restarts: 1 }]);
    expect(plugin.stats()).toMatchObject({ timeouts: 1, restarts: 1 });
  }, 20_000);
});

describe.each(['metered', 'worker', 'in-process'] as const)('lifecycle events (mode %s)', (mode) => {
  it('a trap and a proc_exit are told as crashed; a failed on_event as event-failed, while onEvent resolves', async () => {
    const events: PluginLifecycleEvent[] = [];
    const plugin = await load(mode, events);
    const trap = await plugin.call('trap').catch((e: unknown) => e);
    const exit = await plugin.call('exit').catch((e: unknown) => e);
    await expect(plugin.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } })).resolves.toBeUndefined();
    expect(events).toEqual([
      { type: 'crashed', pluginId: 'misbehaving', exportName: 'trap', error: trap },
      { type: 'crashed', pluginId: 'misbehaving', exportName: 'exit', error: exit },
      { type: 'crashed', pluginId: 'misbehaving', exportName: 'on_event', error: expect.objectContaining({ kind: 'trap' }) },
      { type: 'event-failed', pluginId: 'misbehaving', eventType: 'file_saved', error: expect.objectContaining({ kind: 'trap', exportName: 'on_event' }) },
    ]);
    expect(trap).toMatchObject({ kind: 'trap' });
    expect(exit).toMatchObject({ kind: 'exit', details: { exitCode: 2 } });
  }, 20_000);
});

describe('config-recovered', () => {
  it('a corrupt config.json moved aside at load is told with where it went', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'misbehaving', await misbehaving());
    await writeFile(join(folder, 'config.json'), '{ not json');
    const events: PluginLifecycleEvent[] = [];
    const { plugins } = await loadPluginsFromDir(dir, createHostContext(), { mode: 'in-process', onLifecycleEvent: (e) => events.push(e) });
    opened.push(...plugins);
    const movedAside = (await readdir(folder)).find((name) => name.startsWith('config.json.corrupt-'))!;
    expect(events).toEqual([
      {
        type: 'config-recovered',
        pluginName: 'misbehaving',
        configPath: join(folder, 'config.json'),
        movedTo: join(folder, movedAside),
        message: plugins[0]!.warnings[0],
      },
    ]);
  });
});

describe('onLifecycleEvent', () => {
  it('a listener that throws is logged at warn and the call fails only as it would have', async () => {
    const warnings: string[] = [];
    const none = () => undefined;
    const logger: HostLogger = { error: none, warn: (m) => void warnings.push(m), info: none, debug: none, trace: none };
    const plugin = await loadPluginFromBytes(await misbehaving(), createHostContext(), {
      mode: 'in-process',
      logger,
      onLifecycleEvent: () => {
        throw new Error('listener broke');
      },
    });
    opened.push(plugin);
    await expect(plugin.call('trap')).rejects.toMatchObject({ kind: 'trap' });
    expect(warnings).toEqual([expect.stringContaining("onLifecycleEvent threw on a 'crashed' event: listener broke")]);
  });

  it('is refused at load when it is not a function', async () => {
    await expect(loadPluginFromBytes(await misbehaving(), createHostContext(), { onLifecycleEvent: 'yes' as never })).rejects.toMatchObject({
      kind: 'invalid_option',
      option: 'onLifecycleEvent',
    });
  });
});
