// The test suite a generated project starts with (the `ts` and `assemblyscript` templates): the
// plugin's own behaviour, then what a test shows when a plugin goes wrong (a thrown error points
// at its source line, an endless loop fails fast, a forgotten permission says what to add), and
// `npm run build:watch` rebuilding plugin.wasm on save.
import type { PluginAnswers } from '../answers.js';

/** What differs between the two languages in the generated tests. */
export interface TestLanguage {
  /** The plugin's source folder: `src` (TypeScript) or `assembly` (AssemblyScript). */
  sourceDir: 'src' | 'assembly';
  /** The package whose bin builds the plugin (`diaryx-js` or `diaryx-as`), and that bin. */
  buildPackage: '@diaryx/js-runtime' | '@diaryx/plugin-sdk-as';
  buildBin: 'diaryx-js' | 'diaryx-as';
  /** The arguments of the bin in `npm run build:watch`. */
  watchArgs: string[];
}

/** The `build:watch` script of a template: the bin and its arguments. */
export function watchScript(language: TestLanguage): string {
  return [language.buildBin, ...language.watchArgs].join(' ');
}

/**
 * test/plugin.test.ts: the plugin's commands, strict (a failure in init/on_event/set_config/
 * shutdown fails the test), with a deadline (metered, the default), with the permissions the manifest requests.
 */
export function pluginTest(answers: PluginAnswers, language: TestLanguage): string {
  const readsFiles = answers.permissions.includes('read_files');
  const source = `${language.sourceDir}/index.ts`;
  const where =
    language.sourceDir === 'src'
      ? `    // The bundle's stack frames are mapped back to your file with plugin.wasm.map.
    await expect(failed).rejects.toThrow(\`at weekdayOf (${source}:\${line}:\`);`
      : `    // The abort handler of @diaryx/plugin-sdk-as reports the message, file, line and column.
    await expect(failed).rejects.toThrow(\`abort: not a date: tomorrow at ${source}:\${line}:\`);`;
  return `import { readFileSync } from 'node:fs';
import { loadTestPlugin, type LoadTestPluginOptions } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { describe, expect, it } from 'vitest';

// The demo plugin's tests: replace them with your plugin's as you replace the demo (the other
// test files do not depend on your plugin). A failure in init, on_event, set_config or shutdown
// fails the test (loadTestPlugin is strict), and a failed test shows the plugin's side under it:
// denied host calls with their advice, failed calls, the log.
const wasm = new URL('../plugin.wasm', import.meta.url).pathname;
const load = (options: LoadTestPluginOptions = {}) => loadTestPlugin(wasm, { init: true, ...options });

/** The line of ${source} that contains \`text\` (1-based). */
const lineOf = (text: string) => readFileSync(new URL('../${source}', import.meta.url), 'utf8').split('\\n').findIndex((l) => l.includes(text)) + 1;

describe(${JSON.stringify(answers.name)}, () => {
  it('declares its id and commands', async () => {
    const { plugin } = await load();
    expect(plugin.id).toBe(${JSON.stringify(answers.id)});
    expect(plugin.manifest.commands).toContain('hello');
  });

  it('says hello, non-ASCII included', async () => {
    const { plugin } = await load();
    expect(await plugin.handleCommand('hello', { name: 'Zoë' })).toEqual({ success: true, data: { greeting: 'Hello, Zoë!' } });
  });

  it('names the weekday of a date, and asks for one when it is missing', async () => {
    const { plugin } = await load();
    expect(await plugin.handleCommand('weekday', { date: '2026-11-29' })).toEqual({ success: true, data: { weekday: 'Sunday' } });
    expect(await plugin.handleCommand('weekday', {})).toEqual({ success: false, error: 'weekday needs a date: {"date": "YYYY-MM-DD"}' });
  });

  it('a thrown error points at its line in ${source}', async () => {
    const { plugin } = await load();
    // weekdayOf throws on what it cannot parse: the call fails, and the error says where.
    const line = lineOf('throw new Error');
    const failed = plugin.handleCommand('weekday', { date: 'tomorrow' });
    await expect(failed).rejects.toThrow('not a date: tomorrow');
${where}
  });
${
  readsFiles
    ? `
  it('counts the words of a note, with only the permissions its manifest requests', async () => {
    const { plugin, host } = await load({ files: { 'notes/a.md': 'one two three' } });
    expect(await plugin.handleCommand('count-words', { path: 'notes/a.md' })).toEqual({ success: true, data: { words: 3 } });
    // A permission missing from requested_permissions would be denied here, as in the app.
    expect(host).toHaveNoDeniedCalls();
  });

  it('reports a missing note as a command error', async () => {
    const { plugin } = await load();
    expect(await plugin.handleCommand('count-words', { path: 'missing.md' })).toMatchObject({ success: false });
  });
`
    : ''
}});
`;
}

/** test/mistakes.test.ts: the fixture with two classic mistakes, built in the test's setup. */
export function mistakesTest(language: TestLanguage): string {
  const build =
    language.sourceDir === 'src'
      ? `import { buildPlugin } from '@diaryx/js-runtime';

// Built by the same build as your plugin (diaryx-js build), into a temporary folder; no type
// check (it is not your code, and the test stays fast).
async function buildFixture(outFile: string): Promise<void> {
  await buildPlugin({ entry: fileURLToPath(new URL('fixtures/mistakes.ts', import.meta.url)), outFile, typeCheck: false });
}`
      : `import asc from 'assemblyscript/asc';

// Built by the same compiler and abort handler as your plugin (asc), into a temporary folder.
async function buildFixture(outFile: string): Promise<void> {
  const entry = fileURLToPath(new URL('fixtures/mistakes.ts', import.meta.url));
  const { error, stderr } = await asc.main([entry, '--outFile', outFile, '--use', 'abort=~lib/@diaryx/plugin-sdk-as/assembly/abort/abort']);
  if (error) throw new Error(\`test/fixtures/mistakes.ts does not compile: \${error.message}\\n\${String(stderr)}\`);
}`;
  return `import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
${build.split('\n')[0]}
import { loadTestPlugin } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a test shows when a plugin makes one of two classic mistakes. test/fixtures/mistakes.ts is
// a small plugin that makes both on purpose (your plugin should not): an endless loop, and a
// host call its manifest does not request permission for.

${build.split('\n').slice(2).join('\n')}

const folder = mkdtempSync(join(tmpdir(), 'mistakes-'));
const wasm = join(folder, 'mistakes.wasm');
beforeAll(() => buildFixture(wasm), 60_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('what a test shows when a plugin goes wrong', () => {
  it('an endless loop fails fast, naming the export and the deadline', async () => {
    // Every call has a deadline (3 s unless timeoutMs says otherwise): a stuck plugin never hangs the run.
    // (Tests load plugins metered: fuel checks in the wasm stop it, with no worker to start.)
    const { plugin } = await loadTestPlugin(wasm, { timeoutMs: 500 });
    await expect(plugin.handleCommand('spin')).rejects.toThrow(/export \`handle_command\` ran longer than 500 ms/);
  });

  it('a forgotten permission is denied as in the app, with the advice to add it to requested_permissions', async () => {
    // The fake host grants what the manifest requests, as Diaryx does: read_files is not requested.
    const { plugin, host } = await loadTestPlugin(wasm, { files: { 'notes/a.md': 'hello' } });
    const response = await plugin.handleCommand('peek', { path: 'notes/a.md' });
    expect(response.success).toBe(false);
    expect(response.error).toMatch(/read_files .*add it to requested_permissions in the plugin's manifest/);
    expect(() => expect(host).toHaveNoDeniedCalls()).toThrow(/host_read_file/);
  });
});
`;
}

/**
 * test/watch.test.ts: `npm run build:watch` on a copy of the sources, in a child process: an edit
 * rebuilds plugin.wasm (the rebuild time is printed), a broken edit is reported and the last good
 * plugin.wasm stays, Ctrl-C stops it.
 */
export function watchTest(language: TestLanguage): string {
  const { sourceDir, buildPackage, buildBin } = language;
  const broken = sourceDir === 'src' ? `export const broken: number = 'text';` : `export function broken(): i32 { return "text"; }`;
  // A stand-in plugin, so the test does not depend on yours: it greets "Hello, Diaryx!".
  const standIn =
    sourceDir === 'src'
      ? `import { definePlugin } from '@diaryx/js-runtime/sdk';

export const { manifest, handle_command } = definePlugin({
  manifest: { id: 'com.example.watched', name: 'Watched', version: '0.1.0', description: 'A stand-in for npm run build:watch', capabilities: [] },
  commands: { hello: () => ({ greeting: 'Hello, Diaryx!' }) },
});
`
      : `import { JsonObject, Manifest, ok } from "@diaryx/plugin-sdk-as";

export function manifest(): i32 {
  return new Manifest("com.example.watched", "Watched", "0.1.0", "A stand-in for npm run build:watch").command("hello").output();
}

export function handle_command(): i32 {
  return ok(new JsonObject().str("greeting", "Hello, Diaryx!").toString());
}
`;
  const error = sourceDir === 'src' ? `/${sourceDir}\\/index\\.ts\\(\\d+,\\d+\\): error TS2322/` : `/TS2322[^]*${sourceDir}\\/index\\.ts/`;
  return `import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTestPlugin } from '@diaryx/testing';
import { afterAll, describe, expect, it } from 'vitest';

// \`npm run build:watch\` rebuilds the plugin on every save. This test runs the script on a stand-in
// plugin in a temporary folder (your files are not touched, and it does not depend on your
// plugin): save an edit, see the new plugin; save a broken edit, see the error while the last good
// build stays. Skipped under \`npm run test:watch\`, which rebuilds on save by itself (diaryxBuild in vitest.config.ts).
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(dirname(createRequire(import.meta.url).resolve('${buildPackage}/package.json')), 'bin', '${buildBin}.js');
// Exactly the package.json script: the bin and its arguments.
const [command, ...args] = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts['build:watch'] as string).split(' ');
const built = args[args.indexOf(args.includes('-o') ? '-o' : '--outFile') + 1]!;
const copy = mkdtempSync(join(tmpdir(), 'watch-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));
const STAND_IN = ${JSON.stringify(standIn)};

/** Output of the watcher so far, and a wait for the next line matching a pattern. */
function watch(): { child: ChildProcess; output: () => string; next: (pattern: RegExp) => Promise<string> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let seen = 0;
  const waiting: Array<() => void> = [];
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiting.splice(0)) wake();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const next = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(text.slice(seen));
        if (match) {
          seen += match.index + match[0].length;
          resolve(match[0]);
        } else if (child.exitCode !== null) reject(new Error(\`the watcher exited:\\n\${text}\`));
        else waiting.push(look);
      };
      look();
    });
  return { child, output: () => text, next };
}

async function greeting(): Promise<unknown> {
  const { plugin } = await loadTestPlugin(join(copy, built));
  return (await plugin.handleCommand('hello', {})).data;
}

describe.skipIf(process.env['VITEST_MODE'] === 'WATCH')('npm run build:watch', () => {
  it('rebuilds the plugin after an edit, reports a broken edit and keeps the last good build', async () => {
    expect(command).toBe('${buildBin}');
    mkdirSync(join(copy, '${sourceDir}'));
    const source = join(copy, '${sourceDir}', 'index.ts');
    writeFileSync(source, STAND_IN);
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'junction');
    const { child, output, next } = watch();
    try {
      await next(/watching for changes/);
      expect(await greeting()).toEqual({ greeting: 'Hello, Diaryx!' });

      writeFileSync(source, readFileSync(source, 'utf8').replace('Hello, Diaryx!', 'Hi, Diaryx!'));
      const rebuilt = await next(/built plugin\\.wasm .*/);
      console.info(\`build:watch \${rebuilt}\`);
      expect(await greeting()).toEqual({ greeting: 'Hi, Diaryx!' });

      const good = readFileSync(join(copy, built));
      writeFileSync(source, \`\${readFileSync(source, 'utf8')}\\n${broken}\\n\`);
      await next(/build failed .*; plugin\\.wasm is unchanged \\(the last good build\\)/);
      await expect.poll(output).toMatch(${error});
      expect(readFileSync(join(copy, built)).equals(good)).toBe(true);
    } finally {
      const exited = new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      child.kill('SIGINT');
      await exited;
    }
  }, 60_000);
});
`;
}

/** test/fixtures/mistakes.ts: a plugin that loops forever on `spin` and reads a file without requesting `read_files`. */
export function mistakesFixture(language: TestLanguage): string {
  if (language.sourceDir === 'src') {
    return `// A plugin with two mistakes on purpose, for test/mistakes.test.ts. Do not copy it.
import { CommandError, definePlugin, readFile } from '@diaryx/js-runtime/sdk';

export const { manifest, handle_command } = definePlugin<{ spin: Record<string, never>; peek: { path: string } }>({
  // No requested_permissions: the read below is denied, as Diaryx would deny it.
  manifest: { id: 'com.example.mistakes', name: 'Mistakes', version: '0.1.0', description: 'Two mistakes on purpose', capabilities: [] },
  commands: {
    spin: () => {
      let turns = 0;
      for (;;) turns++; // never ends: the call's deadline stops it
    },
    peek: (params) => {
      const file = readFile(params.path ?? '');
      if (!file.ok) throw new CommandError(file.error);
      return { text: file.value };
    },
  },
});
`;
  }
  return `// A plugin with two mistakes on purpose, for test/mistakes.test.ts. Do not copy it.
import { commandRequest, err, JsonObject, Manifest, ok, readFile } from "@diaryx/plugin-sdk-as";

export function manifest(): i32 {
  // No requestPermission("read_files", …): the read below is denied, as Diaryx would deny it.
  return new Manifest("com.example.mistakes", "Mistakes", "0.1.0", "Two mistakes on purpose").command("spin").command("peek").output();
}

let turns: i64 = 0;

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command == "spin") {
    while (true) turns++; // never ends: the call's deadline stops it
  }
  const file = readFile(request.param("path"));
  if (!file.ok) return err(file.error);
  return ok(new JsonObject().str("text", file.value).toString());
}
`;
}
