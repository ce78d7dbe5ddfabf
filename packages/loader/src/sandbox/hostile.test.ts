import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostContext, MemoryPluginStorage, nodeWorkspaceFs, type PluginsConfig, rulesChecker } from '@diaryx/host-fns';
import { guestWat, compileWat, type HostileModuleName, hostileManifest, hostileModules, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadedPlugin } from '../loaded-plugin.js';
import { loadPluginsFromDir } from '../node/load-plugins-from-dir.js';
import { guestEvents } from '../protocol/events.js';

// Every case runs in a real plugins folder next to a well-behaved canary plugin, in worker mode
// (the default), against a workspace on disk. After each case: the expected error, the canary
// still answers, and the workspace is byte for byte what it should be.

const all = { include: ['all'], exclude: [] };
const GRANTS: PluginsConfig = {
  canary: { permissions: { read_files: all } },
  traversal: { permissions: { read_files: all, create_files: all, edit_files: all } },
  encoded: { permissions: { read_files: all, create_files: all, edit_files: all } },
  absolute: { permissions: { read_files: all } },
  'denied-write': { permissions: { read_files: all } },
  'self-call': { permissions: { execute_commands: all } },
};
const WORKSPACE = { 'notes/keep.md': 'do not touch', 'README.md': '# journal' };
const LIMITS = { manifestTimeoutMs: 1_500, timeoutMs: 1_500, maxInputBytes: 1024 * 1024 } as const;

type Outcome =
  | { load: string; message: string | RegExp }
  | { call: 'run' | 'event' | 'big-event'; rejects?: string; message: string | RegExp; response?: object; usableAfter?: boolean };

const CASES: Array<[HostileModuleName, Outcome]> = [
  ['notWasm', { load: 'plugin_create', message: 'not a WebAssembly module' }],
  ['truncated', { load: 'plugin_create', message: 'truncated' }],
  ['unknownImport', { load: 'plugin_create', message: '"extism:host/user" "host_teleport"' }],
  ['importedMemory', { load: 'plugin_create', message: 'imports its memory' }],
  ['noManifest', { load: 'manifest_call', message: 'no `manifest` export' }],
  ['manifestNotJson', { load: 'manifest_parse', message: 'Failed to parse manifest' }],
  ['manifestMissingId', { load: 'manifest_parse', message: 'missing field `id`' }],
  ['protocol0', { load: 'protocol_mismatch', message: 'guest has v0, host supports v1..=v1' }],
  ['protocol99', { load: 'protocol_mismatch', message: 'guest has v99' }],
  ['minAppFuture', { load: 'app_version_too_old', message: 'requires Diaryx v999.0.0 or later, but this is v1.4.1' }],
  ['minAppGarbage', { load: 'app_version_too_old', message: 'requires Diaryx vgarbage or later' }],
  ['manifestLoop', { load: 'manifest_call', message: /timeout/ }],
  ['manifestTrap', { load: 'manifest_call', message: 'unreachable' }],
  ['startTrap', { load: 'plugin_create', message: 'unreachable' }],
  // The default mode ('auto') is metered where the runtime has JSPI, a worker elsewhere: each words it its way.
  ['startLoop', { load: 'plugin_create', message: /timed out while waiting for plugin to instantiate|timeout \(while the plugin was being instantiated\)/ }],
  ['hugeMinimumMemory', { load: 'plugin_create', message: 'needs at least 8192 pages' }],
  ['commandLoop', { call: 'run', rejects: 'timeout', message: 'ran longer than 1500 ms', usableAfter: true }],
  ['commandTrap', { call: 'run', rejects: 'trap', message: 'unreachable', usableAfter: true }],
  ['stackOverflow', { call: 'run', rejects: 'trap', message: /Maximum call stack size exceeded/, usableAfter: true }],
  ['growBomb', { call: 'run', rejects: 'invalid_response', message: 'Failed to parse command response' }],
  ['allocBomb', { call: 'run', rejects: 'invalid_response', message: 'Failed to parse command response' }],
  ['hugeOutput', { call: 'run', rejects: 'trap', message: /cannot assign to this block|length longer than target block/ }],
  ['invalidUtf8Output', { call: 'run', message: '', response: { success: true, data: 'bad \uFFFD byte' } }],
  ['commandNotJson', { call: 'run', rejects: 'invalid_response', message: 'output: "<html>oops</html>"' }],
  ['errorSet', { call: 'run', rejects: 'guest_error', message: 'Plugin-originated error: guest says no' }],
  ['eventTrap', { call: 'event', message: '' }],
  ['commandTrap', { call: 'big-event', rejects: 'input_too_large', message: 'more than maxInputBytes' }],
  ['traversalWrite', { call: 'run', rejects: 'host_trap', message: "Path traversal not allowed: '../outside.md'" }],
  ['absoluteRead', { call: 'run', rejects: 'host_trap', message: "Absolute path outside the workspace not allowed: '/etc/passwd'" }],
  ['deniedWrite', { call: 'run', rejects: 'host_trap', message: "Permission not configured for plugin 'denied-write': edit_files on 'notes/keep.md'" }],
  ['storageOverQuota', { call: 'run', message: '', response: { success: true } }],
  ['selfCommand', { call: 'run', message: '', response: { success: true } }],
  ['badHostInput', { call: 'run', rejects: 'host_trap', message: 'host_read_file: invalid input: missing field `path`', usableAfter: true }],
  ['encodedTraversal', { call: 'run', message: '', response: { success: true } }],
];

const opened: LoadedPlugin[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
  await removeTempDirs();
});

async function canaryWasm(): Promise<Uint8Array> {
  return compileWat(
    guestWat({
      manifest: hostileManifest('canary'),
      hostImports: ['host_read_file'],
      data: { req: '{"path":"notes/keep.md"}', pre: '{"success":true,"data":"' },
      exports: {
        handle_command: '(call $output_handle (call $host_read_file (call $to_block (global.get $req_ptr) (global.get $req_len)))) (i32.const 0)',
      },
    }),
  );
}

async function snapshot(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await snapshot(dir, rel));
    else out[rel] = await readFile(join(dir, rel), 'utf8');
  }
  return out;
}

async function setUp(name: HostileModuleName) {
  const base = await makeTempDir('diaryx-hostile-');
  const plugins = join(base, 'plugins');
  const workspace = join(base, 'workspace');
  for (const [path, text] of Object.entries(WORKSPACE)) {
    await mkdir(join(workspace, path, '..'), { recursive: true });
    await writeFile(join(workspace, path), text);
  }
  for (const [folder, wasm] of [['canary', await canaryWasm()], ['hostile', await hostileModules[name]()]] as const) {
    await mkdir(join(plugins, folder), { recursive: true });
    await writeFile(join(plugins, folder, 'plugin.wasm'), wasm);
  }
  const storage = new MemoryPluginStorage();
  const host = createHostContext({ fs: nodeWorkspaceFs(workspace), storage, permissions: rulesChecker(GRANTS) });
  const result = await loadPluginsFromDir(plugins, host, LIMITS);
  opened.push(...result.plugins);
  return { ...result, workspace, base, storage };
}

async function expectCanaryAnswers(plugins: LoadedPlugin[]): Promise<void> {
  const canary = plugins.find((p) => p.id === 'canary');
  expect(canary, 'the canary plugin loaded').toBeDefined();
  const out = await canary!.call('handle_command', '{"command":"run","params":null}');
  expect(new TextDecoder().decode(out!)).toBe('do not touch');
}

describe('hostile corpus: the host survives, other plugins keep working, nothing is lost', () => {
  it.each(CASES)('%s', async (name, outcome) => {
    const { plugins, failures, workspace, storage } = await setUp(name);
    if ('load' in outcome) {
      expect(plugins.map((p) => p.id)).toEqual(['canary']);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.error.kind).toBe(outcome.load);
      if (typeof outcome.message === 'string') expect(failures[0]!.error.message).toContain(outcome.message);
      else expect(failures[0]!.error.message).toMatch(outcome.message);
    } else {
      const hostile = plugins.find((p) => p.id !== 'canary')!;
      expect(hostile, `${name} loaded`).toBeDefined();
      const act = () =>
        outcome.call === 'run'
          ? hostile.handleCommand('run')
          : outcome.call === 'event'
            ? hostile.onEvent(guestEvents.fileSaved('notes/keep.md'))
            : hostile.onEvent({ event_type: 'file_saved', payload: { path: 'x'.repeat(2 * 1024 * 1024) } });
      if (outcome.rejects) {
        const error = await Promise.resolve(act()).then(
          () => null,
          (e: unknown) => e as Error & { kind: string },
        );
        if (outcome.call === 'big-event') {
          // Events are fire-and-forget: the oversized one is refused and logged, never raised.
          expect(error).toBeNull();
        } else {
          expect(error, `${name} should fail`).not.toBeNull();
          expect(error!.kind).toBe(outcome.rejects);
          if (typeof outcome.message === 'string') expect(error!.message).toContain(outcome.message);
          else expect(error!.message).toMatch(outcome.message);
        }
      } else if (outcome.response) {
        expect(await act()).toEqual(outcome.response);
      } else {
        await expect(act()).resolves.toBeUndefined();
      }
      if (outcome.usableAfter) {
        await expect(hostile.call('manifest')).resolves.not.toBeNull();
      }
    }
    await expectCanaryAnswers(plugins);
    const files = await snapshot(workspace);
    if (name === 'encodedTraversal') {
      // %2e%2e is a literal folder name inside the workspace, never a way out of it.
      expect(files).toEqual({ ...WORKSPACE, '%2e%2e/outside.md': 'literal folder name' });
    } else {
      expect(files).toEqual(WORKSPACE);
    }
    expect(await stat(join(workspace, '..', 'outside.md')).catch(() => null)).toBeNull();
    if (name === 'storageOverQuota') expect(storage.values.size).toBe(0);
  });

  it('keeps a corrupt config.json (renamed) and loads with {}', async () => {
    const { base } = await setUp('commandTrap');
    await writeFile(join(base, 'plugins', 'canary', 'config.json'), '{"broken": ');
    const host = createHostContext({ permissions: rulesChecker(GRANTS), fs: nodeWorkspaceFs(join(base, 'workspace')) });
    const { plugins } = await loadPluginsFromDir(join(base, 'plugins'), host, LIMITS);
    opened.push(...plugins);
    const canary = plugins.find((p) => p.id === 'canary')!;
    expect(canary.getConfig()).toBeNull();
    expect(canary.warnings[0]).toContain('is not valid JSON');
    const kept = (await readdir(join(base, 'plugins', 'canary'))).find((f) => f.startsWith('config.json.corrupt-'))!;
    expect(await readFile(join(base, 'plugins', 'canary', kept), 'utf8')).toBe('{"broken": ');
  });

  it('a stale manifest.json is rebuilt from the guest; a corrupt fresh one fails only that plugin', async () => {
    const { base } = await setUp('commandTrap');
    const hostileDir = join(base, 'plugins', 'hostile');
    await writeFile(join(hostileDir, 'manifest.json'), hostileManifest('stale-id'));
    await utimes(join(hostileDir, 'manifest.json'), 1_000, 1_000);
    const host = createHostContext({ permissions: rulesChecker(GRANTS) });
    const first = await loadPluginsFromDir(join(base, 'plugins'), host, LIMITS);
    opened.push(...first.plugins);
    expect(first.plugins.map((p) => p.id).sort()).toEqual(['canary', 'command-trap']);
    await writeFile(join(hostileDir, 'manifest.json'), '{ not json');
    const second = await loadPluginsFromDir(join(base, 'plugins'), host, LIMITS);
    opened.push(...second.plugins);
    expect(second.plugins.map((p) => p.id)).toEqual(['canary']);
    expect(second.failures[0]!.error.kind).toBe('manifest_parse');
  });

  it('two plugins with the same id: the second is reported as duplicate_id', async () => {
    const { base } = await setUp('commandTrap');
    await mkdir(join(base, 'plugins', 'zz-copy'));
    await writeFile(join(base, 'plugins', 'zz-copy', 'plugin.wasm'), await readFile(join(base, 'plugins', 'canary', 'plugin.wasm')));
    const { plugins, failures } = await loadPluginsFromDir(join(base, 'plugins'), createHostContext({ permissions: rulesChecker(GRANTS) }), LIMITS);
    opened.push(...plugins);
    expect(plugins.map((p) => p.id).sort()).toEqual(['canary', 'command-trap']);
    expect(failures.map((f) => f.error.kind)).toEqual(['duplicate_id']);
  });
});
