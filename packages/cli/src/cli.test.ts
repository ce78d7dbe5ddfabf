import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HostileModuleName, hostileModules } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { runConformance } from './conformance.js';
import { inspectPlugin } from './inspect.js';
import { parseAllow, runCommand } from './run-command.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const cli = join(here, '..', 'dist', 'bin.js');
const example = (name: string) => join(repo, 'examples', name, 'build', 'plugin.wasm');
const EXAMPLES = ['word-count', 'word-count-ts', 'daily', 'webhook', 'contents'];

function diaryxPlugin(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

async function hostileFile(name: HostileModuleName): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'diaryx-cli-')), `${name}.wasm`);
  writeFileSync(path, await hostileModules[name]());
  return path;
}

describe('diaryx-plugin output', () => {
  it('prints no WASI ExperimentalWarning (the bin drops that one warning) and nothing else on stderr for a good plugin', () => {
    const result = diaryxPlugin('inspect', example('word-count-ts'));
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('diaryx-plugin check', () => {
  it.each(EXAMPLES)('passes on the %s example', async (name) => {
    const results = await runConformance(example(name), { randomRuns: 30 });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(results.filter((r) => r.status === 'pass').length).toBeGreaterThanOrEqual(6);
  });

  it.each([
    ['unknownImport', 'module compiles and imports only Diaryx host functions', 'unknown import "extism:host/user" "host_teleport"'],
    ['noManifest', 'manifest is valid and complete', 'no `manifest` export'],
    ['manifestNotJson', 'manifest is valid and complete', 'Failed to parse manifest'],
    ['manifestMissingId', 'manifest is valid and complete', 'missing field `id`'],
    ['protocol99', 'manifest is valid and complete', 'Protocol version mismatch'],
    ['commandTrap', 'declared commands answer with a CommandResponse', '{"command":"run","params":null}: '],
    ['stackOverflow', 'declared commands answer with a CommandResponse', 'Maximum call stack size exceeded'],
    ['commandNotJson', 'declared commands answer with a CommandResponse', 'Failed to parse command response'],
    ['errorSet', 'declared commands answer with a CommandResponse', 'guest says no'],
    ['commandLoop', 'every call stays under 300 ms', 'command run took'],
    ['eventTrap', 'every event type is accepted', 'workspace_opened: '],
  ] as const)('fails on the hostile %s module: %s', async (name, check, reason) => {
    const results = await runConformance(await hostileFile(name), { timeBudgetMs: 300, randomRuns: 5 });
    const result = results.find((r) => r.name === check);
    expect(result, `${check} in ${JSON.stringify(results)}`).toMatchObject({ status: 'fail' });
    expect(result!.detail).toContain(reason);
  });

  it('passes a plugin written like Diaryx\'s first-party ones: absolute paths from init, EditorExtension, no config echo (§2.1, §8.6, D11, D3)', async () => {
    const results = await runConformance(example('contents'), { randomRuns: 20 });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(results.map((r) => r.name)).not.toContain('get_config returns what set_config stored');
    expect(results.find((r) => r.name === 'every event type is accepted')).toMatchObject({ status: 'pass' });
  });

  it('names the input it sent with every failure', async () => {
    const events = await runConformance(await hostileFile('eventTrap'), { timeBudgetMs: 1_000, randomRuns: 5 });
    expect(events.find((r) => r.name === 'every event type is accepted')?.detail).toContain(
      'workspace_opened: on_event ← {"event_type":"workspace_opened","payload":{"workspace_root":"/workspace"}}: ',
    );
    const random = events.find((r) => r.name === 'survives random and malformed event payloads')?.detail;
    expect(random).toMatch(/^on_event ← .*: /);
    const commands = await runConformance(await hostileFile('commandTrap'), { timeBudgetMs: 1_000, randomRuns: 5 });
    expect(commands.find((r) => r.name === 'declared commands answer with a CommandResponse')?.detail).toContain('handle_command ← {"command":"run","params":null}: ');
    const missing = await runConformance(await hostileFile('noManifest'), { randomRuns: 5 });
    expect(missing.find((r) => r.name === 'manifest is valid and complete')?.detail).toMatch(/^manifest ← "": /);
  });

  it('has one time budget: the deadline of every call and the limit the budget check names', async () => {
    const results = await runConformance(await hostileFile('commandLoop'), { timeBudgetMs: 300, randomRuns: 5 });
    expect(results.find((r) => r.name === 'declared commands answer with a CommandResponse')?.detail).toContain('ran longer than 300 ms');
    expect(results.find((r) => r.name === 'every call stays under 300 ms')).toMatchObject({ status: 'fail' });
  });

  it('prints a line per check and a summary, with exit code 0 or 1', async () => {
    const ok = diaryxPlugin('check', example('word-count'), '--runs', '10');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('✓ manifest is valid and complete');
    expect(ok.stdout).toMatch(/PASS \d+ passed, 0 failed/);
    const bad = diaryxPlugin('check', await hostileFile('eventTrap'), '--json', '--runs', '5');
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ passed: false });
  });

  it('refuses a --budget-ms or --runs that is not a whole number above 0: one line, exit code 2', () => {
    for (const [option, value] of [['--budget-ms', 'abc'], ['--runs', '0']] as const) {
      const refused = diaryxPlugin('check', example('word-count'), option, value);
      expect(refused.status).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain(`${option} ${value} is not a whole number`);
    }
  });
});

describe('diaryx-plugin inspect', () => {
  it('reports manifest, exports, host imports, permissions with reasons and compatibility', async () => {
    const report = await inspectPlugin(example('daily'));
    expect(report.manifest.id).toBe('diaryx.example.daily');
    expect(report.exports).toEqual(expect.arrayContaining(['manifest', 'handle_command', 'on_event', 'set_config', 'get_config']));
    expect(report.hostImports).toEqual(expect.arrayContaining(['host_get_now', 'host_write_file', 'host_storage_get']));
    expect(report.manifest.requested_permissions?.reasons['create_files']).toBe("to create today's entry");
    expect(report.compatibility).toEqual([]);
    const text = diaryxPlugin('inspect', dirname(example('daily')));
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('create_files (Daily): to create today\'s entry');
  });

  it('flags an incompatible plugin and fails on one it cannot read', async () => {
    const future = diaryxPlugin('inspect', await hostileFile('protocol99'), '--json');
    expect(future.status).toBe(1);
    expect(JSON.parse(future.stdout).compatibility).toEqual(['protocol v99 is not supported (this host speaks v1..=v1)']);
    const broken = diaryxPlugin('inspect', await hostileFile('notWasm'));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('✗');
  });
});

describe('diaryx-plugin run', () => {
  it('runs a command against a real folder with the permissions given, printing the host calls', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-cli-ws-'));
    writeFileSync(join(workspace, 'a.md'), 'one two three');
    const allowed = diaryxPlugin('run', example('word-count'), '--workspace', workspace, 'word-count', '--params', '{"path":"a.md"}', '--allow', 'read_files=all');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('"words":3');
    expect(allowed.stdout).toContain('host_read_file {"path":"a.md"} → ok');
    const denied = diaryxPlugin('run', example('word-count'), '--workspace', workspace, 'word-count', '--params', '{"path":"a.md"}', '--json');
    expect(denied.status).toBe(1);
    expect(JSON.parse(denied.stdout).calls[0]).toMatchObject({ name: 'host_read_file', outcome: 'denied' });
  });

  it('gives init the folder it serves, so a plugin\'s <workspace_root>/… paths reach the folder (§13 D3)', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-cli-ws-'));
    const result = await runCommand({
      wasmPath: example('contents'),
      workspace,
      command: 'tour',
      params: null,
      allow: parseAllow(['read_files', 'create_files', 'edit_files', 'delete_files']),
    });
    expect(result.response).toMatchObject({ success: true, data: { root: workspace, read: '# Contents\n', exists_after_delete: false } });
    expect(readFileSync(join(workspace, 'tour', 'a.md'), 'utf8')).toBe('# Contents\n');
    expect(result.calls.filter((c) => c.outcome !== 'ok')).toEqual([]);
  });

  it('explains bad arguments, and every command has --help', () => {
    expect(diaryxPlugin('run', example('word-count'), '--workspace', '.', 'word-count', '--params', '{oops').stderr).toContain('--params is not JSON');
    for (const command of ['inspect', 'check', 'run']) {
      const help = diaryxPlugin(command, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`Usage: diaryx-plugin ${command}`);
    }
    expect(diaryxPlugin('frobnicate').status).toBe(2);
  });

  it('parses --allow specs', () => {
    expect(parseAllow(['read_files', 'http_requests=a.com,b.org'])).toEqual({
      read_files: { include: ['all'], exclude: [] },
      http_requests: { include: ['a.com', 'b.org'], exclude: [] },
    });
    expect(() => parseAllow(['teleport=all'])).toThrow(/unknown permission "teleport"/);
  });
});
