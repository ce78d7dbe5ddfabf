import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The scaffolder's bin as a user runs it. The full route (`npm create diaryx-plugin@latest`, then
// `npm install`, build and test of each template, with the kit installed from a registry) is the
// release rehearsal's: packages/release-e2e publishes the kit to a local registry and installs it
// from there, the one way the tests install the kit. Needs the workspace built (npm test builds first).
const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');

function run(cwd: string, command: string, args: string[]) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 60_000 });
}

describe('create-diaryx-plugin bin', () => {
  it('refuses a bad id and a non-empty folder with a clear message and exit code 1', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'diaryx-create-'));
    const bad = run(cwd, process.execPath, [cli, 'x', '--yes', '--id', 'Bad Id']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Invalid --id');
    run(cwd, process.execPath, [cli, 'x', '--yes']);
    const again = run(cwd, process.execPath, [cli, 'x', '--yes']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('is not empty');
    expect(run(cwd, process.execPath, [cli, '--help']).stdout).toContain('--template <name>');
  });
});
