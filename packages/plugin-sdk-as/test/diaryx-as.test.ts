import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from '@diaryx/test-utils';
import { loadTestPlugin } from '@diaryx/testing';
import { afterAll, describe, expect, it } from 'vitest';

// `diaryx-as build --watch` as an author runs it: the bin in a child process, real files, real
// file watching. The project lives under build/ (ignored by git) so it imports the SDK by path.
const here = fileURLToPath(new URL('..', import.meta.url));
const bin = join(here, 'bin', 'diaryx-as.js');
const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

const ENTRY = `import { Manifest, ok, JsonObject } from "../../assembly/index";
import { greeting } from "./greeting";

export function manifest(): i32 {
  return new Manifest("com.example.watched", "Watched", "0.1.0", "d").command("hello").output();
}

export function handle_command(): i32 {
  return ok(new JsonObject().str("greeting", greeting()).toString());
}
`;
const greeting = (text: string) => `export function greeting(): string {\n  return ${JSON.stringify(text)};\n}\n`;

async function hello(wasm: string): Promise<unknown> {
  const { plugin } = await loadTestPlugin(wasm, { mode: 'in-process' });
  return (await plugin.handleCommand('hello')).data;
}

describe('diaryx-as build --watch', () => {
  it('rebuilds when an imported file changes, reports a broken edit and keeps the last good wasm, stops on Ctrl-C', async () => {
    await mkdir(join(here, 'build'), { recursive: true });
    const project = await mkdtemp(join(here, 'build', 'watch-'));
    made.push(project);
    await writeFile(join(project, 'index.ts'), ENTRY);
    await writeFile(join(project, 'greeting.ts'), greeting('one'));
    const rel = relative(here, project);
    const wasm = join(project, 'plugin.wasm');
    const args = ['build', '--watch', `${rel}/index.ts`, '--outFile', `${rel}/plugin.wasm`, '--use', 'abort=assembly/abort/abort'];
    const watcher = startChild(process.execPath, [bin, ...args], here);
    const greetingFile = `${rel}/greeting.ts`.replace(/[.]/g, '\\.');
    try {
      await watcher.waitFor(/watching for changes \(Ctrl-C to stop\)/);
      expect(watcher.output()).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d built ${rel}/plugin\\.wasm in \\d+ ms; watching \\d+ files$`, 'm'));
      expect(await hello(wasm)).toEqual({ greeting: 'one' });

      // greeting.ts is only imported: the compiler read it, so it is watched.
      await writeFile(join(project, 'greeting.ts'), greeting('two'));
      await watcher.waitFor(new RegExp(`built .* after a change of ${greetingFile}`));
      expect(await hello(wasm)).toEqual({ greeting: 'two' });

      const good = await readFile(wasm);
      await writeFile(join(project, 'greeting.ts'), 'export function greeting(): string {\n  return 3;\n}\n');
      await watcher.waitFor(new RegExp(`build failed in \\d+ ms after a change of ${greetingFile}; .*plugin\\.wasm is unchanged \\(the last good build\\):\\n[^]*TS2322: Type 'i32' is not assignable to type '~lib/string/String'`));
      expect((await readFile(wasm)).equals(good)).toBe(true);

      await writeFile(join(project, 'greeting.ts'), greeting('three'));
      await watcher.waitFor(new RegExp(`built .* after a change of ${greetingFile}`), { count: 2 });
      expect(await hello(wasm)).toEqual({ greeting: 'three' });
    } finally {
      expect(await watcher.stop('SIGINT')).toBe(0);
    }
    expect(watcher.output()).toMatch(/stopped watching\n$/);
  }, 120_000);
});

describe('diaryx-as build: the manifest as the loader reads it', () => {
  const withUi = (ui: string) => `import { Manifest, ok } from "../../assembly/index";

export function manifest(): i32 {
  return new Manifest("com.example.ui", "UI", "0.1.0", "d").command("hello").ui(${JSON.stringify(ui)}).output();
}

export function handle_command(): i32 {
  return ok("{}");
}
`;

  async function build(source: string): Promise<{ code: number | null; output: string; wasm: string }> {
    await mkdir(join(here, 'build'), { recursive: true });
    const project = await mkdtemp(join(here, 'build', 'ui-'));
    made.push(project);
    await writeFile(join(project, 'index.ts'), source);
    const rel = relative(here, project);
    const run = spawnSync(process.execPath, [bin, 'build', `${rel}/index.ts`, '--outFile', `${rel}/plugin.wasm`, '--use', 'abort=assembly/abort/abort'], { cwd: here, encoding: 'utf8' });
    return { code: run.status, output: `${run.stdout}${run.stderr}`, wasm: join(project, 'plugin.wasm') };
  }

  it('fails on a settings field the loader would drop, naming the element and the field, and writes no wasm', async () => {
    const { code, output, wasm } = await build(withUi('{"slot":"SettingsTab","id":"sync","label":"Sync","fields":[{"type":"TextInput","key":"server","label":"Server"}]}'));
    expect(code).toBe(1);
    expect(output).toContain("plugin.wasm: error: the manifest's ui[0] (SettingsTab 'sync'): field fields[0].type: unknown variant `TextInput`");
    await expect(readFile(wasm)).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('warns on a slot Diaryx 1.4.1 does not know, naming it, and builds', async () => {
    const { code, output, wasm } = await build(withUi('{"slot":"ToolbarButton","id":"bold","label":"Bold"}'));
    expect(code).toBe(0);
    expect(output).toMatch(/plugin\.wasm: warning: the manifest's ui\[0\] \(ToolbarButton 'bold'\): the slot `ToolbarButton` is not known to Diaryx 1\.4\.1/);
    expect((await readFile(wasm)).length).toBeGreaterThan(0);
  }, 60_000);
});
