import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PluginAnswers } from './answers.js';
import { publishedKitPackages } from './package-specs.js';
import { scaffold, ScaffoldError } from './scaffold.js';

// Security round 3 (issue 30): `--force` must keep what it promises to keep, never write outside
// the project through a link, never produce a package name npm refuses, and fail with a message
// (not a stack trace) on every file-system problem.
const answers = (directory: string, extra: Partial<PluginAnswers> = {}): PluginAnswers => ({
  directory,
  name: 'My Plugin',
  id: 'com.example.my-plugin',
  description: 'Does things',
  template: 'ts',
  permissions: ['read_files'],
  ...extra,
});
const kit = publishedKitPackages('0.1.0');
const temp = () => mkdtempSync(join(tmpdir(), 'diaryx-scaffold-hostile-'));
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

function scaffoldError(run: () => unknown): ScaffoldError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScaffoldError);
    return error as ScaffoldError;
  }
  throw new Error('scaffold did not fail');
}

describe('--force keeps every file it replaces', () => {
  it('an existing .bak is not overwritten: the next free name (.bak.1, .bak.2, …) is used', () => {
    const dir = temp();
    writeFileSync(join(dir, 'README.md'), 'my readme');
    writeFileSync(join(dir, 'README.md.bak'), 'my older backup');
    writeFileSync(join(dir, 'README.md.bak.1'), 'my oldest backup');
    const result = scaffold(answers(dir), kit, { force: true });
    expect(result.backedUp).toEqual(['README.md']);
    expect(result.backups).toEqual([{ file: 'README.md', keptAs: 'README.md.bak.2' }]);
    expect(readFileSync(join(dir, 'README.md.bak'), 'utf8')).toBe('my older backup');
    expect(readFileSync(join(dir, 'README.md.bak.1'), 'utf8')).toBe('my oldest backup');
    expect(readFileSync(join(dir, 'README.md.bak.2'), 'utf8')).toBe('my readme');
  });

  it('a second --force keeps the original from the first one', () => {
    const dir = temp();
    writeFileSync(join(dir, 'package.json'), '{"name":"mine"}');
    scaffold(answers(dir), kit, { force: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"edited after the first run"}');
    scaffold(answers(dir), kit, { force: true });
    expect(readFileSync(join(dir, 'package.json.bak'), 'utf8')).toBe('{"name":"mine"}');
    expect(readFileSync(join(dir, 'package.json.bak.1'), 'utf8')).toBe('{"name":"edited after the first run"}');
  });

  it('a file that already holds what would be written is left alone, not backed up', () => {
    const dir = temp();
    scaffold(answers(dir), kit);
    const again = scaffold(answers(dir), kit, { force: true });
    expect(again.backedUp).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.includes('.bak'))).toEqual([]);
  });
});

describe('no write through a link', () => {
  it('a symlinked src/ is refused; the folder it points to is untouched', () => {
    const dir = temp();
    const elsewhere = temp();
    writeFileSync(join(elsewhere, 'index.ts'), 'someone else’s file');
    symlinkSync(elsewhere, join(dir, 'src'));
    const error = scaffoldError(() => scaffold(answers(dir), kit, { force: true }));
    expect(error.message).toContain(`${join(dir, 'src')} is a symbolic link`);
    expect(readdirSync(elsewhere)).toEqual(['index.ts']);
    expect(readFileSync(join(elsewhere, 'index.ts'), 'utf8')).toBe('someone else’s file');
  });

  it('a symlinked file, dangling or not, is refused; nothing is created where it points', () => {
    const dir = temp();
    const elsewhere = temp();
    symlinkSync(join(elsewhere, 'created-through-the-link.md'), join(dir, 'README.md'));
    const error = scaffoldError(() => scaffold(answers(dir), kit, { force: true }));
    expect(error.message).toContain(`${join(dir, 'README.md')} is a symbolic link`);
    expect(readdirSync(elsewhere)).toEqual([]);
    writeFileSync(join(elsewhere, 'target.json'), '{"keep":true}');
    const other = temp();
    symlinkSync(join(elsewhere, 'target.json'), join(other, 'package.json'));
    expect(scaffoldError(() => scaffold(answers(other), kit, { force: true })).message).toContain('is a symbolic link');
    expect(readFileSync(join(elsewhere, 'target.json'), 'utf8')).toBe('{"keep":true}');
    expect(lstatSync(join(other, 'package.json')).isSymbolicLink()).toBe(true);
  });

  it('nothing is written when a link is found: the check runs before the first write', () => {
    const dir = temp();
    symlinkSync(temp(), join(dir, 'test'));
    writeFileSync(join(dir, 'README.md'), 'mine');
    scaffoldError(() => scaffold(answers(dir), kit, { force: true }));
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'test']);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('mine');
  });
});

describe('the package name from the folder follows npm’s rules', () => {
  it.each([
    ['node_modules', /"node_modules" is a name npm blocks/, 'node_modules-plugin'],
    ['favicon.ico', /"favicon\.ico" is a name npm blocks/, 'favicon.ico-plugin'],
    ['http', /"http" is the name of a Node\.js core module/, 'http-plugin'],
    ['a'.repeat(230), /is 230 characters long; npm allows at most 214/, 'a'.repeat(214)],
    ['my~plugin', /has "~", which npm refuses/, 'my-plugin'],
  ])('a folder named %s is refused with a suggestion', (folder, problem, suggestion) => {
    const base = temp();
    const error = scaffoldError(() => scaffold(answers(join(base, folder)), kit));
    expect(error.message).toMatch(problem);
    expect(error.message).toContain(`such as "${suggestion}"`);
    expect(existsSync(join(base, folder))).toBe(false);
  });
});

describe('every file-system failure is a clear error', () => {
  it('a file where the project folder should be', () => {
    const base = temp();
    writeFileSync(join(base, 'my-plugin'), 'a file');
    const error = scaffoldError(() => scaffold(answers(join(base, 'my-plugin')), kit));
    expect(error.message).toBe(`${join(base, 'my-plugin')} is a file, not a folder. Choose another folder for the project, or move the file away.`);
  });

  it('a file where the project needs a folder (src, test), with --force', () => {
    const dir = temp();
    writeFileSync(join(dir, 'src'), 'a file named src');
    const error = scaffoldError(() => scaffold(answers(dir), kit, { force: true }));
    expect(error.message).toBe(`${join(dir, 'src')} is a file, but the project needs a folder there (for src/index.ts). Move the file away and run again.`);
    expect(readFileSync(join(dir, 'src'), 'utf8')).toBe('a file named src');
  });

  it('a file above the project folder', () => {
    const base = temp();
    writeFileSync(join(base, 'parent'), 'a file');
    const error = scaffoldError(() => scaffold(answers(join(base, 'parent', 'my-plugin')), kit));
    expect(error.message).toContain(`${join(base, 'parent')} is a file, not a folder`);
  });

  it('the bin prints the message and exits 1, without a stack trace', () => {
    const base = temp();
    mkdirSync(join(base, 'proj'));
    writeFileSync(join(base, 'proj', 'src'), 'a file named src');
    const run = spawnSync(process.execPath, [cli, 'proj', '--yes', '--force'], { cwd: base, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is a file, but the project needs a folder there');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
