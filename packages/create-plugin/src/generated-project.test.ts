import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// End to end, as a new user: the scaffolder's bin writes a project, `npm install` installs the kit
// (packed from this checkout with `pnpm pack`, exactly what would be published), then the
// project's own build and tests run. Needs the workspace built (npm test builds first).
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const cli = join(here, '..', 'dist', 'cli.js');
const pnpm = join(repo, 'node_modules', '.bin', 'pnpm');
let kitDir = '';

function run(cwd: string, command: string, args: string[]) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 240_000 });
}

beforeAll(() => {
  kitDir = mkdtempSync(join(tmpdir(), 'diaryx-kit-packs-'));
  for (const pkg of ['host-fns', 'loader', 'testing', 'cli', 'plugin-sdk-as', 'js-runtime']) {
    execFileSync(pnpm, ['pack', '--pack-destination', kitDir], { cwd: join(repo, 'packages', pkg), stdio: 'pipe' });
  }
}, 120_000);

describe('create-diaryx-plugin, end to end', () => {
  /** Scaffolds with the bin, then runs the printed commands as a new user would. */
  function createAndRun(folder: string, extraArgs: string[]): { project: string; testOutput: string } {
    const cwd = mkdtempSync(join(tmpdir(), 'diaryx-create-'));
    const created = run(cwd, process.execPath, [cli, folder, '--yes', '--id', 'com.example.my-plugin', '--kit-packages', kitDir, ...extraArgs]);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain(`Next:\n  cd ${folder}\n  npm install\n  npm run build\n  npm test`);
    const project = join(cwd, folder);
    let output = '';
    for (const [args, what] of [[['install', '--no-audit', '--no-fund'], 'install'], [['run', 'build'], 'build'], [['test'], 'test']] as const) {
      const step = run(project, 'npm', [...args]);
      expect(step.status, `npm ${what} failed:\n${step.stdout}\n${step.stderr}`).toBe(0);
      output = step.stdout;
    }
    expect(existsSync(join(project, 'plugin.wasm'))).toBe(true);
    return { project, testOutput: output.replace(/\u001b\[[0-9;]*m/g, '') };
  }

  it('ts (the default): the printed commands install, build with npm alone and pass the generated tests', () => {
    const { project, testOutput } = createAndRun('my-plugin', []);
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toContain('diaryx-js build');
    expect(testOutput).toMatch(/Tests\s+4 passed \(4\)/);
    const typecheck = run(project, 'npm', ['run', 'typecheck']);
    expect(typecheck.status, typecheck.stdout + typecheck.stderr).toBe(0);
  }, 300_000);

  it('assemblyscript: the printed commands install, build and pass the generated tests', () => {
    const { testOutput } = createAndRun('as-plugin', ['--template', 'assemblyscript']);
    expect(testOutput).toMatch(/Tests\s+4 passed \(4\)/);
  }, 300_000);

  it('js: the generated TypeScript type-checks against @extism/js-pdk; the build stops with how to get extism-js', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'diaryx-create-'));
    const created = run(cwd, process.execPath, [cli, 'js-plugin', '--yes', '--template', 'js', '--kit-packages', kitDir]);
    expect(created.status, created.stderr).toBe(0);
    const project = join(cwd, 'js-plugin');
    expect(run(project, 'npm', ['install', '--no-audit', '--no-fund']).status).toBe(0);
    const typecheck = run(project, 'npm', ['run', 'typecheck']);
    expect(typecheck.status, typecheck.stdout).toBe(0);
    const build = run(project, 'npm', ['run', 'build']);
    expect(build.status).not.toBe(0);
    expect(build.stderr).toContain('extism-js was not found, so plugin.wasm was not built');
    expect(existsSync(join(project, 'plugin.wasm'))).toBe(false);
    expect(readFileSync(join(project, 'dist', 'index.js'), 'utf8')).toContain('handle_command');
  }, 300_000);

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
