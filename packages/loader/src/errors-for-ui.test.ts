// Every PluginLoadError and PluginCallError kind, produced by real plugins through the real
// loader: `details` carries the facts a program needs, `userMessage` is short and names no path.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, createHostContext, rulesChecker } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest, hostileModules, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { type PluginCallError, PluginLoadError } from './errors.js';
import { loadPluginFromBytes } from './load-plugin-from-bytes.js';
import type { LoadedPlugin } from './loaded-plugin.js';
import { loadPlugin } from './node/load-plugin.js';
import { loadPluginFolder, loadPluginsFromDir } from './node/load-plugins-from-dir.js';
import { manifestJson, writePluginFolder } from './test-support/fixtures.js';

afterAll(removeTempDirs);

const inProcess = { mode: 'in-process' } as const;
const opened: LoadedPlugin[] = [];
afterAll(() => Promise.all(opened.map((p) => p.close())));

/** A user message names no path, temporary file or stack, and is one short line. */
function expectUserText(text: string, dir?: string): void {
  expect(text.length).toBeGreaterThan(10);
  expect(text.length).toBeLessThan(240);
  expect(text).not.toMatch(/\n|\.tmp|\.wasm|[A-Za-z]:\\|(^|\s)\/[^\s]+\/|\bat \w+ \(/);
  if (dir !== undefined) expect(text).not.toContain(dir);
}

async function loadFailure(run: () => Promise<unknown>): Promise<PluginLoadError> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginLoadError);
  return error as PluginLoadError;
}

describe('PluginLoadError: details and a userMessage for every kind', () => {
  it('protocol_mismatch carries { guestVersion, min, max }', async () => {
    const error = await loadFailure(async () => loadPluginFromBytes(await hostileModules.protocol99(), createHostContext(), { ...inProcess, name: 'future' }));
    expect(error).toMatchObject({ kind: 'protocol_mismatch', details: { guestVersion: 99, min: 1, max: 1 } });
    expect(error.userMessage).toBe('The plugin "future" was built for another version of the plugin protocol (v99; this app supports v1 to v1).');
  });

  it('app_version_too_old carries { required, running }', async () => {
    const error = await loadFailure(async () => loadPluginFromBytes(await hostileModules.minAppFuture(), createHostContext(), { ...inProcess, name: 'newer' }));
    expect(error).toMatchObject({ kind: 'app_version_too_old', details: { required: '999.0.0', running: '1.4.1' } });
    expect(error.userMessage).toBe('The plugin "newer" needs Diaryx 999.0.0 or later (this is 1.4.1).');
  });

  it('invalid_id carries the id; plugin_create, manifest_call and manifest_parse carry the problem', async () => {
    const badId = await compileWat(guestWat({ manifest: manifestJson({ id: 'bad id' }) }));
    const cases: Array<[Uint8Array, string, object]> = [
      [badId, 'invalid_id', { id: 'bad id' }],
      [await hostileModules.notWasm(), 'plugin_create', { problem: expect.any(String) }],
      [await hostileModules.manifestTrap(), 'manifest_call', { problem: expect.stringContaining('unreachable') }],
      [await hostileModules.manifestNotJson(), 'manifest_parse', { problem: expect.any(String), source: 'plugin' }],
    ];
    const dir = await makeTempDir();
    for (const [bytes, kind, details] of cases) {
      const path = join(dir, `${kind}.wasm`);
      await writeFile(path, bytes);
      const error = await loadFailure(() => loadPlugin(path, createHostContext(), inProcess));
      expect(error, kind).toMatchObject({ kind, pluginName: kind, details });
      expect(error.message).toContain(kind);
      expectUserText(error.userMessage, dir);
      expect(error.userMessage).toContain(`"${kind}"`);
    }
  });

  it('read_dir carries the path; its user text names none', async () => {
    const dir = join(await makeTempDir(), 'missing');
    const error = await loadFailure(() => loadPluginsFromDir(dir, createHostContext()));
    expect(error).toMatchObject({ kind: 'read_dir', details: { path: dir } });
    expectUserText(error.userMessage, dir);
  });

  it('duplicate_id carries { id, folders, owner }, in a scan and against the ids a host holds (takenIds)', async () => {
    const dir = await makeTempDir();
    const wasm = await compileWat(guestWat({ manifest: manifestJson({ id: 'same.id' }) }));
    const owner = await writePluginFolder(dir, 'same.id', wasm);
    const squatter = await writePluginFolder(dir, 'other', wasm);
    const { plugins, failures } = await loadPluginsFromDir(dir, createHostContext(), inProcess);
    opened.push(...plugins);
    expect(failures[0]!.error).toMatchObject({ kind: 'duplicate_id', details: { id: 'same.id', folders: [squatter, owner], owner } });
    expectUserText(failures[0]!.error.userMessage, dir);
    const refused = await loadFailure(() => loadPluginFolder(squatter, createHostContext(), { ...inProcess, takenIds: new Map([['same.id', owner]]) }));
    expect(refused).toMatchObject({ kind: 'duplicate_id', pluginName: 'other', details: { id: 'same.id', folders: [owner, squatter], owner } });
    expect(refused.message).toContain(owner);
  });
});

async function callFailure(run: () => Promise<unknown>): Promise<PluginCallError> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect((error as Error | null)?.name).toBe('PluginCallError');
  return error as PluginCallError;
}

const ANSWER = '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)';

async function plugin(exports: Record<string, string>, options: Parameters<typeof loadPluginFromBytes>[2] = {}, extra: Partial<Parameters<typeof guestWat>[0]> = {}): Promise<LoadedPlugin> {
  const bytes = await compileWat(
    guestWat({
      manifest: hostileManifest('ui.errors', { name: 'Word Count' }),
      ...extra,
      data: { answer: '{"success":true,"data":"ok"}', oops: 'the index is corrupt', ...(extra.data ?? {}) },
      exports: { answer: ANSWER, ...exports },
    }),
  );
  const loaded = await loadPluginFromBytes(bytes, createHostContext({ permissions: allowAll }), { mode: 'metered', timeoutMs: 300, ...options });
  opened.push(loaded);
  return loaded;
}

describe('PluginCallError: details and a userMessage for every kind', () => {
  it('guest_error (error_set) carries the guest\'s text, and the user sees it after the plugin\'s name', async () => {
    const p = await plugin({ handle_command: '(call $fail (global.get $oops_ptr) (global.get $oops_len)) (i32.const 1)' });
    const error = await callFailure(() => p.handleCommand('run'));
    expect(error).toMatchObject({ kind: 'guest_error', details: { guestMessage: 'the index is corrupt' } });
    expect(error.userMessage).toBe('The plugin "Word Count" reported an error: the index is corrupt');
  });

  it('trap carries the trap text; the plugin answers afterwards', async () => {
    const p = await plugin({ handle_command: 'unreachable' });
    const error = await callFailure(() => p.handleCommand('run'));
    expect(error).toMatchObject({ kind: 'trap', details: { trap: 'unreachable' } });
    expect(error.userMessage).toBe('The plugin "Word Count" crashed while handling this request.');
    expect(new TextDecoder().decode((await p.call('answer'))!)).toContain('ok');
  });

  it('timeout carries the deadline', async () => {
    const p = await plugin({ handle_command: '(loop $l (br $l)) (i32.const 0)' });
    const error = await callFailure(() => p.handleCommand('run', null, { timeoutMs: 200 }));
    expect(error).toMatchObject({ kind: 'timeout', details: { timeoutMs: 200 } });
    expect(error.userMessage).toBe('The plugin "Word Count" took longer than 200 ms and was stopped.');
  });

  it('missing_export, input_too_large, invalid_input, aborted and closed carry what a program needs', async () => {
    const p = await plugin({ handle_command: ANSWER }, { maxInputBytes: 64 });
    expect(await callFailure(() => p.call('nope'))).toMatchObject({
      kind: 'missing_export',
      details: { available: expect.arrayContaining(['answer', 'handle_command', 'manifest']) },
    });
    expect(await callFailure(() => p.call('answer', 'x'.repeat(100)))).toMatchObject({ kind: 'input_too_large', details: { bytes: 100, limit: 64 } });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(await callFailure(() => p.handleCommand('run', cyclic))).toMatchObject({ kind: 'invalid_input', details: { problem: expect.stringContaining('cycle') } });
    expect(await callFailure(() => p.call('answer', '', { signal: AbortSignal.abort(new Error('the user left')) }))).toMatchObject({
      kind: 'aborted',
      details: { reason: 'the user left' },
    });
    await p.close();
    const closed = await callFailure(() => p.call('answer'));
    expect(closed).toMatchObject({ kind: 'closed', details: {} });
    for (const error of [closed]) expectUserText(error.userMessage);
  });

  it('host_trap carries the host function\'s message; invalid_response the problem and the output', async () => {
    const denied = await loadPluginFromBytes(await hostileModules.deniedWrite(), createHostContext({ permissions: rulesChecker({}) }), inProcess);
    opened.push(denied);
    const trapped = await callFailure(() => denied.handleCommand('run'));
    expect(trapped).toMatchObject({ kind: 'host_trap', details: { hostMessage: expect.stringContaining("Permission not configured for plugin 'denied-write'") } });
    expectUserText(trapped.userMessage);
    const notJson = await loadPluginFromBytes(await hostileModules.commandNotJson(), createHostContext(), inProcess);
    opened.push(notJson);
    const invalid = await callFailure(() => notJson.handleCommand('run'));
    expect(invalid).toMatchObject({ kind: 'invalid_response', details: { problem: expect.any(String), output: '<html>oops</html>' } });
    expectUserText(invalid.userMessage);
  });

  it('exit carries the exit code', async () => {
    const p = await plugin({ handle_command: '(call $proc_exit (i32.const 3)) unreachable' }, {}, {
      extraImports: '(import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))',
    });
    const error = await callFailure(() => p.handleCommand('run'));
    expect(error).toMatchObject({ kind: 'exit', details: { exitCode: 3 } });
    expect(error.userMessage).toBe('The plugin "Word Count" quit unexpectedly (exit code 3).');
  });

  it('config_write carries the config file and the problem; the user text names neither', async () => {
    const dir = await makeTempDir();
    const configPath = join(dir, 'settings', 'config.json');
    await mkdir(join(dir, 'settings'));
    const p = await loadPlugin(await hostileModules.commandTrap(), createHostContext(), { ...inProcess, configPath });
    opened.push(p);
    // The folder becomes a file after the load: the save cannot create config.json in it.
    await rm(join(dir, 'settings'), { recursive: true });
    await writeFile(join(dir, 'settings'), '');
    const error = await callFailure(() => p.setConfig({ a: 1 }));
    expect(error).toMatchObject({ kind: 'config_write', details: { configPath, problem: expect.any(String) } });
    expect(error.userMessage).toBe('The settings of the plugin "command-trap" could not be saved.');
    expectUserText(error.userMessage, dir);
  });
});
