// What a failing plugin test shows: the plugin's side under the failure (denied calls with their
// advice, the failed export, the log), a test that ends with a call still running fails (a missing
// `await`), and an endless loop costs one deadline per file. The tests of test-support/
// plugin-side.fixture.ts fail on purpose in a child Vitest; this reads its JSON report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Assertion {
  title: string;
  status: string;
  duration?: number;
  failureMessages: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'plugin-side-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const results = new Map<string, Assertion>();

beforeAll(() => {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const report = join(out, 'report.json');
  const run = spawnSync(process.execPath, [vitest, 'run', '--config', join(here, 'test-support', 'vitest.fixture.config.ts'), '--reporter=json', `--outputFile=${report}`], {
    encoding: 'utf8',
    env: { ...process.env, VITEST: undefined, VITEST_MODE: undefined, VITEST_POOL_ID: undefined, VITEST_WORKER_ID: undefined },
    timeout: 120_000,
  });
  const json = JSON.parse(readFileSync(report, 'utf8')) as { testResults: Array<{ assertionResults: Assertion[] }> };
  for (const result of json.testResults.flatMap((file) => file.assertionResults)) results.set(result.title, result);
  if (results.size === 0) throw new Error(`the fixture run reported no test:\n${run.stdout}\n${run.stderr}`);
}, 150_000);

const failure = (title: string) => {
  const result = results.get(title);
  expect(result?.status, title).toBe('failed');
  return result!.failureMessages.join('\n');
};

describe('a failing test shows the plugin side', () => {
  it('a denied host call appears under the failed assertion, with the advice to request the permission', () => {
    const text = failure('a forgotten permission');
    expect(text).toContain('expected');
    expect(text).toContain("The plugin's side of this test (@diaryx/testing):\nplugin 'test.side':");
    expect(text).toMatch(/host calls denied or trapped:\n {4}host_read_file \{"path":"notes\/a\.md"\} → denied: .*read_files .*add it to requested_permissions in the plugin's manifest/);
  });

  it("the guest's log lines are shown too", () => {
    expect(failure('a forgotten permission')).toMatch(/log \(info and above\):\n(?: {4}.*\n)* {4}warn: .*index is empty/);
  });

  it('the failing export and its error are named', () => {
    expect(failure('a failing export')).toMatch(/failed calls:\n {4}handleCommand\("boom", null\) → Plugin 'test\.side': Extism call `handle_command` failed: .*boom: the index is corrupt/);
  });
});

describe('a call the test never awaited', () => {
  it('fails a test that passed its assertions, naming the call and the likely missing await', () => {
    expect(failure('a forgotten await')).toContain("a plugin call's result was never awaited: handleCommand(\"slow\", null) (it may still have been running when the test ended). A missing `await` before the call?");
  });

  it('an awaited call, a .then, expect(…).resolves and Promise.all count as read: those tests pass', () => {
    expect(results.get('awaited every way')?.status).toBe('passed');
  });
});

describe('an endless loop costs one deadline per test file', () => {
  it('the first timeout waits out its deadline and names the export', () => {
    expect(failure('an endless loop, the first time')).toMatch(/export `handle_command` ran longer than 400 ms/);
  });

  it('a later call of the same command fails at once, naming the first timeout and its test', () => {
    const text = failure('an endless loop, the second time');
    expect(text).toContain(`Plugin call not made: plugin 'test.side' handleCommand("spin", null) would wait out its deadline again: the same call timed out in the test "an endless loop, the first time" of this file`);
    expect(results.get('an endless loop, the second time')!.duration).toBeLessThan(400);
  });
});
