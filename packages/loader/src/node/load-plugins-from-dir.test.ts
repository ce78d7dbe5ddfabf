import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostContext, type HostCallRecord } from '@diaryx/host-fns';
import { compileWat, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginLoadError } from '../errors.js';
import { loadPluginsFromDir } from './load-plugins-from-dir.js';
import { guestWasm, manifestJson, writePluginFolder } from '../test-support/fixtures.js';

const inProcess = { runInWorker: false } as const;

afterEach(removeTempDirs);

async function setTime(path: string, seconds: number): Promise<void> {
  await utimes(path, seconds, seconds);
}

describe('loadPluginsFromDir: scanning (§7.2, AB-L1, AB-L2)', () => {
  it('loads good folders, skips folders without plugin.wasm and stray files, reports bad ones and goes on', async () => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, 'a-good', await guestWasm({ manifest: manifestJson({ id: 'good.a' }) }));
    await writePluginFolder(dir, 'b-not-wasm', new TextEncoder().encode('this is not wasm'));
    await writePluginFolder(dir, 'c-no-manifest', await guestWasm({ manifest: null }));
    await writePluginFolder(dir, 'd-good', await guestWasm({ manifest: manifestJson({ id: 'good.d' }) }));
    await mkdir(join(dir, 'e-empty-folder'));
    await writeFile(join(dir, 'stray.txt'), 'not a plugin');

    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);

    expect(plugins.map((p) => p.id)).toEqual(['good.a', 'good.d']);
    expect(failures.map((f) => [f.dir, f.error.kind])).toEqual([
      [join(dir, 'b-not-wasm'), 'plugin_create'],
      [join(dir, 'c-no-manifest'), 'manifest_call'],
    ]);
    expect(failures[0]!.error.message).toMatch(/^Failed to create Extism plugin 'b-not-wasm': /);
    expect(failures[1]!.error.message).toContain("Failed to get manifest from plugin 'c-no-manifest'");
    await Promise.all(plugins.map((p) => p.close()));
  });

  it('rejects with read_dir when the plugins folder is missing', async () => {
    const dir = join(await makeTempDir(), 'missing');
    const error = await loadPluginsFromDir(dir, createHostContext(), inProcess).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect(error).toMatchObject({ kind: 'read_dir' });
    expect((error as Error).message).toContain(`Failed to read plugins directory: ${dir}`);
  });

  it('reports an unknown host import as plugin_create and still loads the others', async () => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, 'bad-import', await guestWasm({ manifest: manifestJson({ id: 'x' }), hostImports: ['host_teleport'] }));
    await writePluginFolder(dir, 'good', await guestWasm({ manifest: manifestJson({ id: 'good' }) }));
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(plugins.map((p) => p.id)).toEqual(['good']);
    expect(failures[0]!.error.kind).toBe('plugin_create');
    expect(failures[0]!.error.message).toContain('host_teleport');
  });

  it('runs in worker mode by default and reports failures the same way', async () => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, 'good', await guestWasm({ manifest: manifestJson({ id: 'good' }) }));
    await writePluginFolder(dir, 'bad', await guestWasm({ manifest: 'not json' }));
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext());
    expect(plugins.map((p) => p.id)).toEqual(['good']);
    expect(failures.map((f) => f.error.kind)).toEqual(['manifest_parse']);
    await Promise.all(plugins.map((p) => p.close()));
  });
});

describe('loadPluginsFromDir: manifest cache (§7.3, AB-L3, AB-L4)', () => {
  it('writes manifest.json on first load', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson({ id: 'cached' }) }));
    await loadPluginsFromDir(dir, createHostContext(), inProcess);
    const cache = await readFile(join(folder, 'manifest.json'), 'utf8');
    expect(JSON.parse(cache)).toMatchObject({ protocol_version: 1, id: 'cached', requested_permissions: null });
    expect(cache.endsWith('}')).toBe(true);
  });

  it('uses a fresh cache (newer mtime) without calling the guest', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson({ id: 'from.guest' }) }));
    await writeFile(join(folder, 'manifest.json'), manifestJson({ id: 'from.cache', name: 'Cached' }));
    await setTime(join(folder, 'plugin.wasm'), 1_000);
    await setTime(join(folder, 'manifest.json'), 2_000);
    const { plugins } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(plugins[0]!.id).toBe('from.cache');
  });

  it('a plugin.wasm replaced in place is compiled again in the same process (modules are cached by path, mtime and size)', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson({ id: 'first.build' }) }));
    await setTime(join(folder, 'plugin.wasm'), 1_000);
    const first = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(first.plugins.map((p) => p.id)).toEqual(['first.build']);
    await Promise.all(first.plugins.map((p) => p.close()));

    await writeFile(join(folder, 'plugin.wasm'), await guestWasm({ manifest: manifestJson({ id: 'second.build', name: 'A longer name' }) }));
    await setTime(join(folder, 'manifest.json'), 2_000);
    await setTime(join(folder, 'plugin.wasm'), 3_000);
    const second = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    // The cache is stale, so the manifest comes from the guest: the new module's.
    expect(second.plugins.map((p) => p.id)).toEqual(['second.build']);
    await Promise.all(second.plugins.map((p) => p.close()));
  });

  it('treats an equal mtime as fresh', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson({ id: 'from.guest' }) }));
    await writeFile(join(folder, 'manifest.json'), manifestJson({ id: 'from.cache' }));
    await setTime(join(folder, 'plugin.wasm'), 5_000);
    await setTime(join(folder, 'manifest.json'), 5_000);
    const { plugins } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(plugins[0]!.id).toBe('from.cache');
  });

  it('ignores a stale cache (older than the wasm) and rewrites it from the guest', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson({ id: 'from.guest' }) }));
    await writeFile(join(folder, 'manifest.json'), manifestJson({ id: 'from.cache' }));
    await setTime(join(folder, 'manifest.json'), 1_000);
    await setTime(join(folder, 'plugin.wasm'), 2_000);
    const { plugins } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(plugins[0]!.id).toBe('from.guest');
    expect(JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'))).toMatchObject({ id: 'from.guest' });
    expect((await stat(join(folder, 'manifest.json'))).mtimeMs).toBeGreaterThan(2_000_000);
  });

  it('fails a fresh but corrupt cache with manifest_parse (no fallback to the guest)', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson() }));
    await writeFile(join(folder, 'manifest.json'), '{ corrupt');
    await setTime(join(folder, 'plugin.wasm'), 1_000);
    await setTime(join(folder, 'manifest.json'), 2_000);
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(plugins).toEqual([]);
    expect(failures[0]!.error.kind).toBe('manifest_parse');
    expect(failures[0]!.error.message).toContain('manifest.json');
    expect(await readFile(join(folder, 'manifest.json'), 'utf8')).toBe('{ corrupt');
  });

  it('a scan writes the cache before validating, so an incompatible plugin still gets one (AB-L7)', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'future', await guestWasm({ manifest: manifestJson({ protocol_version: 2 }) }));
    const { failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(failures[0]!.error.kind).toBe('protocol_mismatch');
    expect(JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'))).toMatchObject({ protocol_version: 2 });
  });
});

describe('loadPluginsFromDir: validation (§7.4, AB-L5, AB-L6)', () => {
  it.each([0, 2, 99])('protocol_version %i → protocol_mismatch naming the folder', async (version) => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, 'old-folder', await guestWasm({ manifest: manifestJson({ protocol_version: version }) }));
    const { failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(failures[0]!.error).toMatchObject({ kind: 'protocol_mismatch', pluginName: 'old-folder' });
    expect(failures[0]!.error.message).toBe(
      `Protocol version mismatch for plugin 'old-folder': guest has v${version}, host supports v1..=v1`,
    );
  });

  it.each([
    ['999.0.0', '1.4.1', false],
    ['garbage', '1.4.1', false],
    ['1.4.1', '1.4.1', true],
    ['1.0', '1.4.1', true],
    ['2.0.0', '2.1.0', true],
  ])('min_app_version %s on app %s loads: %s', async (required, app, loads) => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson({ min_app_version: required }) }));
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), { ...inProcess, appVersion: app });
    expect(plugins.length).toBe(loads ? 1 : 0);
    if (!loads) {
      expect(failures[0]!.error.kind).toBe('app_version_too_old');
      expect(failures[0]!.error.message).toBe(`Plugin 'p' requires Diaryx v${required} or later, but this is v${app}`);
    }
  });

  it('checks the protocol before the app version', async () => {
    const dir = await makeTempDir();
    await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson({ protocol_version: 2, min_app_version: '999.0' }) }));
    const { failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(failures[0]!.error.kind).toBe('protocol_mismatch');
  });
});

describe('loadPluginsFromDir: plugin id lifecycle (§7.5, AB-L9)', () => {
  it('host calls inside manifest use the folder name; later calls use the manifest id', async () => {
    const dir = await makeTempDir();
    const wasm = await compileWat(`(module
      (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
      (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
      (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
      (import "extism:host/user" "host_emit_event" (func $emit (param i64) (result i64)))
      (memory 1)
      (data (i32.const 0) ${JSON.stringify(manifestJson({ id: 'canonical.id' }))})
      (func $block (param $len i32) (result i64) (local $off i64) (local $i i32)
        (local.set $off (call $alloc (i64.extend_i32_u (local.get $len))))
        (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $len)))
          (call $store_u8 (i64.add (local.get $off) (i64.extend_i32_u (local.get $i))) (i32.load8_u (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
        (local.get $off))
      (func (export "manifest") (result i32) (local $b i64)
        (drop (call $emit (call $input_offset)))
        (local.set $b (call $block (i32.const ${manifestJson({ id: 'canonical.id' }).length})))
        (call $output_set (local.get $b) (i64.const ${manifestJson({ id: 'canonical.id' }).length}))
        (i32.const 0))
      (func (export "on_event") (result i32) (drop (call $emit (call $input_offset))) (i32.const 0)))`);
    await writePluginFolder(dir, 'folder-name', wasm);
    const calls: HostCallRecord[] = [];
    const host = createHostContext({ observer: (record) => calls.push(record) });
    const { plugins } = await loadPluginsFromDir(dir, host, inProcess);
    await plugins[0]!.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } });
    expect(calls.map((c) => c.pluginId)).toEqual(['folder-name', 'canonical.id']);
    expect(plugins[0]!.id).toBe('canonical.id');
  });
});

describe('loadPluginsFromDir: config.json (§7.3 step 5, AB-L10, kit D1)', () => {
  async function loadWithConfig(content: string | null) {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson() }));
    if (content !== null) await writeFile(join(folder, 'config.json'), content);
    const result = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    return { folder, ...result };
  }

  it.each([
    ['missing', null, null],
    ['an object', '{"a":1}', { a: 1 }],
    ['an array', '[1,2]', [1, 2]],
    ['null', 'null', null],
    ['an empty object', '{}', null],
  ])('config.json %s → getConfig() %j', async (_label, content, expected) => {
    const { plugins } = await loadWithConfig(content);
    expect(plugins[0]!.getConfig()).toEqual(expected);
  });

  it('keeps the bytes of a corrupt config.json (moved aside, reported) and starts with {}', async () => {
    const { folder, plugins } = await loadWithConfig('{"theme": "dark",');
    const plugin = plugins[0]!;
    expect(plugin.getConfig()).toBeNull();
    expect(plugin.warnings).toHaveLength(1);
    const preserved = /moved to (\S+) and/.exec(plugin.warnings[0]!)![1]!;
    expect(preserved.startsWith(join(folder, 'config.json.corrupt-'))).toBe(true);
    expect(await readFile(preserved, 'utf8')).toBe('{"theme": "dark",');
    await plugin.setConfig({ theme: 'light' });
    expect(await readFile(preserved, 'utf8')).toBe('{"theme": "dark",');
  });

  it('an unreadable config.json fails the plugin with read_dir', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson() }));
    await mkdir(join(folder, 'config.json'));
    const { failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(failures[0]!.error.kind).toBe('read_dir');
  });
});

describe('loadPluginsFromDir: duplicate ids (kit)', () => {
  it('refuses every folder of an id none of them is named after (D20), naming them all', async () => {
    const dir = await makeTempDir();
    const wasm = await guestWasm({ manifest: manifestJson({ id: 'same.id' }) });
    await writePluginFolder(dir, 'a', wasm);
    await writePluginFolder(dir, 'b', wasm);
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(plugins).toEqual([]);
    expect(failures.map((f) => f.dir)).toEqual([join(dir, 'a'), join(dir, 'b')]);
    for (const failure of failures) {
      expect(failure.error).toMatchObject({ kind: 'duplicate_id', message: expect.stringContaining(`'same.id'`) });
      expect(failure.error.message).toContain(join(dir, 'a'));
      expect(failure.error.message).toContain(join(dir, 'b'));
    }
  });
});

describe('loadPluginsFromDir: lazy start with a fresh cache (kit)', () => {
  it('validates from manifest.json without instantiating; a plugin that cannot start fails its first call', async () => {
    const dir = await makeTempDir();
    // A start function that traps: instantiation fails, so only a cache can get it loaded.
    const folder = await writePluginFolder(dir, 'p', await guestWasm({ manifest: manifestJson(), extra: '(func $s unreachable) (start $s)' }));
    const first = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(first.failures[0]!.error.kind).toBe('plugin_create');
    await writeFile(join(folder, 'manifest.json'), manifestJson({ id: 'from.cache' }));
    await setTime(join(folder, 'plugin.wasm'), 1_000);
    await setTime(join(folder, 'manifest.json'), 2_000);
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    expect(failures).toEqual([]);
    expect(plugins[0]!.id).toBe('from.cache');
    await expect(plugins[0]!.call('manifest')).rejects.toMatchObject({
      kind: 'trap',
      message: expect.stringContaining('could not start the plugin'),
    });
  });
});
