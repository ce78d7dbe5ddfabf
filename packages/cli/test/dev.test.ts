import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { linkedProject } from '../../../bench/linked-project.js';
import { isBuildOutput } from '../src/build-outputs.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const daily = join(here, '..', '..', '..', 'examples', 'daily', 'build', 'plugin.wasm');

/** A plugin project whose `npm run build` copies its "source" (a wasm) to plugin.wasm, at the root as the ts template's build does. */
function pluginProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'diaryx-dev-plugin-'));
  mkdirSync(join(dir, 'src'));
  copyFileSync(daily, join(dir, 'src', 'plugin.wasm.source'));
  writeFileSync(join(dir, 'build.mjs'), "import { cpSync } from 'node:fs';\ncpSync('src/plugin.wasm.source', 'plugin.wasm');\nconsole.log('copied');\n");
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'dev-fixture', private: true, scripts: { build: 'node build.mjs' } }));
  return dir;
}

/** A running `diaryx-plugin dev`, its output read as it comes. */
class Dev {
  output = '';
  readonly child: ChildProcessWithoutNullStreams;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', cli, 'dev', ...args]);
    this.child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }
  /** Waits until the output after `from` matches; returns the index after the match. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const match = pattern.exec(this.output.slice(from));
      if (match) return from + match.index + match[0].length;
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${pattern}; output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  send(line: string): number {
    const at = this.output.length;
    this.child.stdin.write(`${line}\n`);
    return at;
  }
  async quit(): Promise<number | null> {
    this.child.stdin.write(':quit\n');
    return new Promise((done) => this.child.on('exit', (code) => done(code)));
  }
}

const running: Dev[] = [];
const temps: string[] = [];
afterEach(() => {
  for (const dev of running.splice(0)) dev.child.kill();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('diaryx-plugin dev', () => {
  it('fires file events, runs typed commands, rebuilds on save and keeps state across reloads and runs', async () => {
    const project = pluginProject();
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-dev-ws-'));
    temps.push(project, workspace);
    const dev = new Dev([project, '--workspace', workspace]);
    running.push(dev);
    let at = await dev.waitFor(/loaded diaryx\.example\.daily .*\nready\n/);
    expect(dev.output).toContain('building: npm run build');

    at = dev.send('set-template {"template":"T {{date}}"}');
    at = await dev.waitFor(/set-template → \{"success":true\}\n {2}host_storage_set \{"key":"template","text":"T \{\{date\}\}"\} → ok/, at);

    writeFileSync(join(workspace, 'a.md'), 'one');
    at = await dev.waitFor(/event file_created \{"path":"a\.md"\}/, at);
    writeFileSync(join(workspace, 'a.md'), 'one two');
    at = await dev.waitFor(/event file_saved \{"path":"a\.md"\}/, at);
    rmSync(join(workspace, 'a.md'));
    at = await dev.waitFor(/event file_deleted \{"path":"a\.md"\}/, at);

    // Saving a source rebuilds and reloads; the storage survives the reload.
    writeFileSync(join(project, 'src', 'note.ts'), '// touched');
    at = await dev.waitFor(/building: npm run build\ncopied\n[^]*ready\n/, at);
    at = dev.send('get-settings');
    await dev.waitFor(/get-settings → \{"success":true,"data":\{"folder":"Daily","template":"T \{\{date\}\}"/, at);
    expect(await dev.quit()).toBe(0);
    // Two builds: at start and after the save (the build's own plugin.wasm starts none).
    expect(dev.output.match(/building: npm run build/g)).toHaveLength(2);
    expect(JSON.parse(readFileSync(join(project, '.diaryx-dev-state.json'), 'utf8')).storage).toMatchObject({ 'diaryx.example.daily:template': { text: 'T {{date}}' } });

    // A new run starts from the state file.
    const again = new Dev([project, '--workspace', workspace, '--no-build', '--config', '{"folder":"Journal"}']);
    running.push(again);
    await again.waitFor(/ready\n/);
    const from = again.send('get-settings');
    await again.waitFor(/get-settings → \{"success":true,"data":\{"folder":"Journal","template":"T \{\{date\}\}"/, from);
    expect(await again.quit()).toBe(0);
  }, 240_000);

  it('--ask asks once about a permission the grants leave open; the plugin\'s own write is no event; a rename is file_moved', async () => {
    const project = pluginProject();
    copyFileSync(daily, join(project, 'plugin.wasm'));
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-dev-ws-'));
    temps.push(project, workspace);
    const dev = new Dev([project, '--workspace', workspace, '--no-build', '--ask', '--config', '{"folder":"Journal"}']);
    running.push(dev);
    let at = await dev.waitFor(/ready\n/);
    at = dev.send('open-today');
    at = await dev.waitFor(/\? allow plugin 'diaryx\.example\.daily' to create files \(it asked for 'Journal\/[^']+'; the answer holds for this session\) \[y\/N\] /, at);
    at = dev.send('y');
    at = await dev.waitFor(/open-today → \{"success":true,"data":\{"path":"Journal\/[^"]+","created":true\}\}/, at);
    // The note the plugin wrote is its own change: no event for it, and no second question.
    writeFileSync(join(workspace, 'a.md'), 'one');
    at = await dev.waitFor(/event file_created \{"path":"a\.md"\}/, at);
    renameSync(join(workspace, 'a.md'), join(workspace, 'b.md'));
    at = await dev.waitFor(/event file_moved \{"new_path":"b\.md","old_path":"a\.md"\}/, at);
    expect(await dev.quit()).toBe(0);
    expect(dev.output).not.toMatch(/event file_created \{"path":"Journal/);
    expect(dev.output.match(/\? allow plugin/g)).toHaveLength(1);
  }, 120_000);

  it('--record keeps a trace of the calls since the last load in a file, which replays identically', async () => {
    const project = pluginProject();
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-dev-ws-'));
    temps.push(project, workspace);
    // Inside the workspace: writing it must fire no file events (which would be recorded too).
    const trace = join(workspace, 'session.trace.json');
    const dev = new Dev([project, '--workspace', workspace, '--record', trace]);
    running.push(dev);
    let at = await dev.waitFor(/ready\n/);
    expect(dev.output).toContain(`recording into ${trace}`);
    at = dev.send('set-template {"template":"T {{date}}"}');
    at = await dev.waitFor(/set-template → \{"success":true\}/, at);
    // Longer than the watcher's debounce (150 ms): an event for the trace file would have fired.
    await new Promise((r) => setTimeout(r, 600));
    at = dev.send('open-today');
    await dev.waitFor(/open-today → \{"success":true/, at);
    expect(await dev.quit()).toBe(0);
    expect(dev.output).not.toMatch(/event file_\w+ \{"path":"session\.trace\.json/);
    const recorded = JSON.parse(readFileSync(trace, 'utf8')) as { calls: { export: string; input: string }[] };
    expect(recorded.calls.map((c) => [c.export, c.input.slice(0, 30)])).toEqual([
      ['handle_command', '{"command":"set-template","par'],
      ['handle_command', '{"command":"open-today","param'],
    ]);
    const replay = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, 'replay', join(project, 'plugin.wasm'), trace], { encoding: 'utf8' });
    expect(replay.stdout).toContain('2 of 2 calls replayed identically');
    expect(replay.status).toBe(0);
  }, 120_000);

  it('a missing plugin folder or workspace is one line and exit code 2', async () => {
    const dev = new Dev(['/nonexistent-plugin', '--workspace', '.']);
    running.push(dev);
    const code = await new Promise((done) => dev.child.on('exit', done));
    expect(code).toBe(2);
    expect(dev.output.trim().split('\n')).toEqual(['error /nonexistent-plugin does not exist: give the plugin project folder (with package.json)']);
  }, 60_000);
});

describe('diaryx-plugin dev: the build side', () => {
  /** `dev` on the scaffolded ts template (kit packages linked from the workspace), once ready. */
  async function devOnTsTemplate(): Promise<{ dev: Dev; project: string; workspace: string }> {
    const project = linkedProject(mkdtempSync(join(tmpdir(), 'diaryx-dev-ts-')), 'ts');
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-dev-ws-'));
    temps.push(project, workspace);
    const dev = new Dev([project, '--workspace', workspace]);
    running.push(dev);
    await dev.waitFor(/ready\n/, 0, 120_000);
    return { dev, project, workspace };
  }

  it('the default TypeScript template under dev for 10 s gives exactly one build (its map, temporary files and the state file start none)', async () => {
    const { dev } = await devOnTsTemplate();
    const ready = Date.now();
    // A command writes the state file; the build wrote plugin.wasm, plugin.wasm.map and their temporary files.
    await dev.waitFor(/hello → \{"success":true/, dev.send('hello {"name":"Ada"}'));
    while (Date.now() - ready < 10_000) await new Promise((r) => setTimeout(r, 250));
    expect(dev.output.match(/building: npm run build/g)).toHaveLength(1);
    expect(await dev.quit()).toBe(0);
  }, 180_000);

  it('a file event does not wait behind a rebuild, and saves during a build make one more build', async () => {
    const { dev, project, workspace } = await devOnTsTemplate();
    const source = join(project, 'src', 'index.ts');
    const at = dev.output.length;
    writeFileSync(source, `${readFileSync(source, 'utf8')}\n// save 1\n`);
    await dev.waitFor(/building: npm run build/, at);
    // During the build: a workspace file, and three more saves of the source.
    writeFileSync(join(workspace, 'a.md'), 'one');
    for (let i = 2; i <= 4; i++) {
      writeFileSync(source, `${readFileSync(source, 'utf8')}// save ${i}\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const event = await dev.waitFor(/event file_created \{"path":"a\.md"\}/, at);
    const reloaded = await dev.waitFor(/ready\n/, at, 120_000);
    expect(event).toBeLessThan(reloaded);
    await dev.waitFor(/building: npm run build[^]*building: npm run build[^]*ready\n/, at, 120_000);
    await new Promise((r) => setTimeout(r, 2_000));
    // The start's build, the first save's, and one for the saves made during it.
    expect(dev.output.match(/building: npm run build/g)).toHaveLength(3);
    expect(await dev.quit()).toBe(0);
  }, 240_000);

  it('isBuildOutput: what a build, a test run and dev write is not a source', () => {
    for (const path of ['plugin.wasm', 'plugin.wasm.map', 'plugin.wasm.4242.tmp', 'plugin.wasm.map.4242.tmp', 'build/plugin.wasm', '.diaryx-dev-state.json', '.diaryx-dev-state.json.99.tmp', 'node_modules/x/index.js', '.git/index', 'plugin.wat', 'vitest-report.json']) {
      expect(isBuildOutput(path), path).toBe(true);
    }
    for (const path of ['src/index.ts', 'assembly/index.ts', 'package.json', 'tsconfig.json', 'src/util/tags.ts']) expect(isBuildOutput(path), path).toBe(false);
  });
});
