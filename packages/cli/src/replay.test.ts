// `diaryx-plugin replay` end to end: traces recorded by the demo (every example plugin, a real
// folder, a real HTTP server, a secret) replay identically; a changed plugin diverges with the
// difference; run --record, --json, --emit-test (run by Vitest), and bad traces.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const cli = join(here, '..', 'dist', 'bin.js');
const example = (name: string) => join(repo, 'examples', name, 'build', 'plugin.wasm');
const EXAMPLES = ['contents', 'daily', 'webhook', 'word-count', 'word-count-ts'];

function run(command: string, args: string[], cwd = repo) {
  return spawnSync(process.execPath, [command, ...args], { encoding: 'utf8', timeout: 120_000, cwd });
}
const diaryxPlugin = (...args: string[]) => run(cli, args);

const temp = mkdtempSync(join(tmpdir(), 'diaryx-replay-'));
const traces = join(temp, 'traces');
afterAll(() => rmSync(temp, { recursive: true, force: true }));

beforeAll(() => {
  // The demo of the README: the example plugins against a sample workspace, an HTTP receiver, a secret.
  const demo = run(join(repo, 'scripts', 'demo.mjs'), ['--record', traces]);
  expect(demo.status, demo.stderr).toBe(0);
}, 120_000);

describe('traces recorded from the demo', () => {
  it('holds one trace per example plugin, none with the secret the webhook plugin reads', () => {
    const files = readdirSync(traces).sort();
    expect(files).toEqual(EXAMPLES.map((name) => `diaryx.example.${name}.trace.json`).sort());
    for (const file of files) {
      const text = readFileSync(join(traces, file), 'utf8');
      expect(text).not.toContain('demo-token');
      expect(JSON.parse(text).calls.length).toBeGreaterThanOrEqual(3);
    }
    const webhook = readFileSync(join(traces, 'diaryx.example.webhook.trace.json'), 'utf8');
    expect(webhook).toContain('Bearer [secret 1]');
  });

  it.each(EXAMPLES)('the %s trace replays identically (exit 0)', (name) => {
    const result = diaryxPlugin('replay', example(name), join(traces, `diaryx.example.${name}.trace.json`));
    expect(result.stderr).toBe('');
    // Then, where the demo ran in a worker (no JSPI: Node 22, 24), a note that WASI was not recorded.
    expect(result.stdout).toMatch(new RegExp(`^✓ diaryx\\.example\\.${name} 0\\.1\\.0: (\\d+) of \\1 calls replayed identically \\(strict\\)\\n(note: .*\\n)?$`));
    expect(result.status).toBe(0);
  });

  it('a changed plugin diverges (exit 1), showing where and both sides', () => {
    // word-count with its output key "words" renamed (an AssemblyScript string is UTF-16 in a data segment).
    const original = readFileSync(example('word-count'));
    const from = Buffer.from(',"words":', 'utf16le');
    const at = original.indexOf(from);
    expect(at).toBeGreaterThan(0);
    const changed = Buffer.from(original);
    Buffer.from(',"wordz":', 'utf16le').copy(changed, at);
    const wasm = join(temp, 'changed.wasm');
    writeFileSync(wasm, changed);
    const result = diaryxPlugin('replay', wasm, join(traces, 'diaryx.example.word-count.trace.json'));
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^✗ diaryx\.example\.word-count 0\.1\.0: Replay diverged at call 2 \(seq 2, handle_command \{"command":"word-count","params":\{"path":"notes\/café\.md"\}\}\): the output differs at data\.counts\.words$/);
    expect(lines[1]).toMatch(/^ {2}recorded: \{"success":true,"data":\{.*"words":\d+/);
    expect(lines[2]).toMatch(/^ {2}replayed: \{"success":true,"data":\{.*"wordz":\d+/);
    const json = JSON.parse(diaryxPlugin('replay', wasm, join(traces, 'diaryx.example.word-count.trace.json'), '--json').stdout);
    expect(json).toMatchObject({ identical: false, divergence: { kind: 'output', call: 2, path: 'data.counts.words' } });
  });
});

describe('diaryx-plugin run --record', () => {
  it('writes a trace of the run that replays identically', () => {
    const workspace = join(temp, 'ws');
    mkdirSync(join(workspace, 'notes'), { recursive: true });
    writeFileSync(join(workspace, 'notes', 'a.md'), 'one two three');
    const trace = join(temp, 'run.trace.json');
    const ran = diaryxPlugin('run', example('word-count'), '--workspace', workspace, 'word-count', '--params', '{"path":"notes/a.md"}', '--allow', 'read_files=all', '--event', 'file_saved', '--record', trace);
    expect(ran.status, ran.stderr).toBe(0);
    const recorded = JSON.parse(readFileSync(trace, 'utf8'));
    expect(recorded.calls.map((c: { export: string }) => c.export)).toEqual(['on_event', 'handle_command']);
    expect(diaryxPlugin('replay', example('word-count'), trace).status).toBe(0);
  });

  it('refuses a trace file in a missing folder before running (exit 2)', () => {
    const ran = diaryxPlugin('run', example('word-count'), '--workspace', temp, 'word-count', '--record', '/nonexistent/t.json');
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(/^error --record \/nonexistent\/t\.json: the folder \/nonexistent does not exist/);
  });
});

describe('diaryx-plugin replay: bad input', () => {
  it.each([
    ['not JSON', '{', /the text is not JSON/],
    ['another format', '{"format":"har"}', /format must be "diaryx-plugin-trace"/],
    ['a host function that does not exist', JSON.stringify({ format: 'diaryx-plugin-trace', version: 1, plugin: { id: 'a', name: 'a', version: '1' }, runtime: { mode: 'metered', wasiRecorded: true }, recordedAt: '2025-01-01T00:00:00Z', dropped: 0, redactions: 0, calls: [{ seq: 0, export: 'x', input: '', startedAt: '2025-01-01T00:00:00Z', durationMs: 0, hostCalls: [{ fn: 'host_rm_rf', input: '', outcome: 'ok', output: '', durationMs: 0 }], result: { output: null } }] }), /calls\[0\]\.hostCalls\[0\]\.fn names no Diaryx host function/],
  ])('a trace that is %s: one line naming the file and the field, exit 2', (_what, text, message) => {
    const file = join(temp, 'bad.trace.json');
    writeFileSync(file, text);
    const result = diaryxPlugin('replay', example('word-count'), file);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(message);
  });
});

describe('diaryx-plugin replay: a trace larger than a trace may be', () => {
  it('is refused before it is read (exit 2)', () => {
    const file = join(temp, 'huge.trace.json');
    writeFileSync(file, '');
    truncateSync(file, 65 * 1024 * 1024); // sparse: nothing written
    const result = diaryxPlugin('replay', example('word-count'), file);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/cannot read the trace .*huge\.trace\.json: it is 68157440 bytes, more than a trace may be \(67108864\)/);
  });
});

describe('diaryx-plugin replay --emit-test', () => {
  it('writes a Vitest file that passes as recorded, and fails with the divergence once an expectation is corrected', () => {
    const project = join(temp, 'project');
    mkdirSync(project, { recursive: true });
    // The generated test imports @diaryx/testing and vitest as a plugin project would.
    symlinkSync(join(here, '..', 'node_modules'), join(project, 'node_modules'), 'dir');
    writeFileSync(join(project, 'vitest.config.mjs'), 'export default { test: { include: ["test/**/*.test.ts"] } };\n');
    const testFile = join(project, 'test', 'bug.test.ts');
    const emitted = diaryxPlugin('replay', example('word-count'), join(traces, 'diaryx.example.word-count.trace.json'), '--emit-test', testFile);
    expect(emitted.status, emitted.stderr).toBe(0);
    expect(readdirSync(join(project, 'test')).sort()).toEqual(['bug.test.ts', 'bug.trace.json']);
    const source = readFileSync(testFile, 'utf8');
    expect(source).toMatch(/const wasm = new URL\("(\.\.\/)+.*examples\/word-count\/build\/plugin\.wasm", import\.meta\.url\);/);
    expect(source).toMatch(/\/\/ call 2: handle_command \{"command":"word-count","params":\{"path":"notes\/café\.md"\}\}\n {6}2: \{/);
    const vitest = join(here, '..', 'node_modules', 'vitest', 'vitest.mjs');
    const green = run(vitest, ['run', '--root', project, '--config', join(project, 'vitest.config.mjs')], project);
    expect(green.status, green.stdout + green.stderr).toBe(0);
    // The user says the count is wrong: the author writes what it should be.
    writeFileSync(testFile, source.replace(/"words": \d+/, '"words": 999'));
    const red = run(vitest, ['run', '--root', project, '--config', join(project, 'vitest.config.mjs')], project);
    expect(red.status).toBe(1);
    expect(red.stdout + red.stderr).toContain('the output differs at data.counts.words');
    // Written files are not replaced without --force.
    const again = diaryxPlugin('replay', example('word-count'), join(traces, 'diaryx.example.word-count.trace.json'), '--emit-test', testFile);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force to replace it/);
  }, 120_000);
});
