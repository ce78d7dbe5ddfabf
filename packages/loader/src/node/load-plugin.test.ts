import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostContext } from '@diaryx/host-fns';
import { makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectPluginWasmManifest } from './inspect.js';
import { loadPlugin } from './load-plugin.js';
import { guestWasm, manifestJson, recorderWat, writePluginFolder } from '../test-support/fixtures.js';
import { compileWat } from '@diaryx/test-utils';
import { createRecordingEmitter } from '../test-support/recording.js';

const inProcess = { runInWorker: false } as const;

afterEach(removeTempDirs);

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

describe('loadPlugin: a single file (§7.7, AB-L12)', () => {
  it('names the plugin after the file stem and writes manifest.json next to it after validation', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'my-plugin.wasm');
    await writeFile(path, await guestWasm({ manifest: manifestJson({ id: 'single.id', protocol_version: 7 }) }));
    const error = await loadPlugin(path, createHostContext(), inProcess).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'protocol_mismatch', pluginName: 'my-plugin' });
    expect(await exists(join(dir, 'manifest.json'))).toBe(false);

    await writeFile(path, await guestWasm({ manifest: manifestJson({ id: 'single.id' }) }));
    const plugin = await loadPlugin(path, createHostContext(), inProcess);
    expect(plugin.id).toBe('single.id');
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))).toMatchObject({ id: 'single.id' });
  });

  it('always calls the guest: a fresh manifest.json next to the file is never read', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'plugin.wasm');
    await writeFile(path, await guestWasm({ manifest: manifestJson({ id: 'from.guest' }) }));
    await writeFile(join(dir, 'manifest.json'), manifestJson({ id: 'from.cache' }));
    expect((await loadPlugin(path, createHostContext(), inProcess)).id).toBe('from.guest');
  });

  it('reads config.json next to the wasm, or the explicit configPath', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'plugin.wasm');
    await writeFile(path, await guestWasm({ manifest: manifestJson() }));
    await writeFile(join(dir, 'config.json'), '{"next":"to wasm"}');
    await writeFile(join(dir, 'other.json'), '{"explicit":true}');
    expect((await loadPlugin(path, createHostContext(), inProcess)).getConfig()).toEqual({ next: 'to wasm' });
    const explicit = await loadPlugin(path, createHostContext(), { ...inProcess, configPath: join(dir, 'other.json') });
    expect(explicit.getConfig()).toEqual({ explicit: true });
    expect(explicit.configPath).toBe(join(dir, 'other.json'));
  });

  it('loads from bytes without touching any file, config in memory', async () => {
    const plugin = await loadPlugin(await guestWasm({ manifest: manifestJson() }), createHostContext(), { ...inProcess, name: 'bytes' });
    expect(plugin.configPath).toBeNull();
    await plugin.setConfig({ a: 1 });
    expect(plugin.getConfig()).toEqual({ a: 1 });
  });

  it('a missing manifest export → manifest_call; non-JSON or empty output → manifest_parse (AB-L8)', async () => {
    const host = createHostContext();
    await expect(loadPlugin(await guestWasm({ manifest: null }), host, inProcess)).rejects.toMatchObject({ kind: 'manifest_call' });
    await expect(loadPlugin(await guestWasm({ manifest: 'not json' }), host, inProcess)).rejects.toMatchObject({ kind: 'manifest_parse' });
    await expect(loadPlugin(await guestWasm({ manifest: '' }), host, inProcess)).rejects.toMatchObject({ kind: 'manifest_parse' });
    await expect(loadPlugin(await guestWasm({ manifest: '{"id":"x"}' }), host, inProcess)).rejects.toMatchObject({
      kind: 'manifest_parse',
      message: expect.stringContaining('missing field `name`'),
    });
  });

  it('a manifest export that traps → manifest_call with the trap', async () => {
    const wasm = await guestWasm({ manifest: manifestJson(), exports: { manifest: 'unreachable' } });
    await expect(loadPlugin(wasm, createHostContext(), inProcess)).rejects.toMatchObject({
      kind: 'manifest_call',
      message: expect.stringMatching(/Failed to get manifest from plugin 'plugin': .*unreachable/),
    });
  });

  it('decodes the manifest output as lossy UTF-8 (AB-P11)', async () => {
    const text = manifestJson({ name: 'bad \u0000 byte' }).replace('\\u0000', '\u0000');
    const bytes = [...new TextEncoder().encode(text)].map((b) => (b === 0 ? 0xff : b));
    const data = bytes.map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
    const wasm = await compileWat(`(module
      (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
      (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
      (memory 1)
      (data (i32.const 0) "${data}")
      (func (export "manifest") (result i32) (local $o i64) (local $i i32)
        (local.set $o (call $alloc (i64.const ${bytes.length})))
        (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (i32.const ${bytes.length})))
          (call $store_u8 (i64.add (local.get $o) (i64.extend_i32_u (local.get $i))) (i32.load8_u (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
        (call $output_set (local.get $o) (i64.const ${bytes.length})) (i32.const 0)))`);
    const plugin = await loadPlugin(wasm, createHostContext(), inProcess);
    expect(plugin.manifest.name).toBe('bad \uFFFD byte');
  });

  it('refuses an import the host cannot satisfy, naming it, before instantiating (worker mode too)', async () => {
    const wasm = await guestWasm({ manifest: manifestJson(), hostImports: ['host_teleport'] });
    for (const runInWorker of [false, true]) {
      await expect(loadPlugin(wasm, createHostContext(), { runInWorker, name: 'tele' })).rejects.toMatchObject({
        kind: 'plugin_create',
        message: expect.stringContaining(`Failed to create Extism plugin 'tele': it imports the host function "extism:host/user" "host_teleport"`),
      });
    }
  });

  it('loading calls no lifecycle export (AB-L13)', async () => {
    const { emitter, events } = createRecordingEmitter();
    await loadPlugin(await compileWat(recorderWat(manifestJson())), createHostContext({ events: emitter }), inProcess);
    expect(events).toEqual([]);
  });
});

describe('inspectPluginWasmManifest (§7.8, AB-L11)', () => {
  it('returns the manifest despite version mismatches, warns, and writes nothing', async () => {
    const dir = await makeTempDir();
    const folder = await writePluginFolder(
      dir,
      'p',
      await guestWasm({ manifest: manifestJson({ protocol_version: 2, min_app_version: '999.0.0' }), hostImports: ['host_log'] }),
    );
    const warnings: string[] = [];
    const noop = () => undefined;
    const manifest = await inspectPluginWasmManifest(join(folder, 'plugin.wasm'), {
      logger: { warn: (m) => warnings.push(m), error: noop, info: noop, debug: noop, trace: noop },
    });
    expect(manifest.protocol_version).toBe(2);
    expect(warnings.join('\n')).toContain('Protocol version mismatch');
    expect(await exists(join(folder, 'manifest.json'))).toBe(false);
  });
});
