import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Issue 30: docs/limits.md said the CLI runs plugins in worker mode, while `run` and `dev` use
// the loader's 'auto' (metered where the runtime has JSPI). The page now states each command's
// mode, and this test holds it to what `run` really does on the runtime running the test.
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const cli = join(here, '..', 'dist', 'cli.js');
const daily = join(repo, 'examples', 'daily', 'build', 'plugin.wasm');
const hasJspi = typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function';

describe('docs/limits.md states the modes the CLI really uses', () => {
  const page = readFileSync(join(repo, 'docs', 'limits.md'), 'utf8');

  it('names the mode of run, dev, check and inspect', () => {
    expect(page).not.toContain('The CLI and `check` use worker mode');
    expect(page).toContain("`diaryx-plugin run` and `dev` load the plugin with the loader's default, `'auto'`");
    expect(page).toContain('metered on Node 26 (JSPI), a worker on Node 22 and 24');
    expect(page).toContain('`check` runs every pass in a worker');
    expect(page).toContain('`inspect` calls only the `manifest` export');
  });

  it(`run uses what the page says on this runtime (${hasJspi ? 'JSPI: metered' : 'no JSPI: worker'})`, () => {
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-cli-modes-'));
    const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, 'run', daily, '--workspace', workspace, 'get-settings', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const logs = (JSON.parse(result.stdout) as { logs: string[] }).logs;
    const choice = logs.find((line) => line.includes('runs in mode'));
    expect(choice).toContain(hasJspi ? "runs in mode metered (mode 'auto'" : "runs in mode worker (mode 'auto'");
  });
});
