import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, removeTempDirs, startChild } from '@diaryx/test-utils';
import { loadTestPlugin } from '@diaryx/testing';
import { afterAll, describe, expect, it } from 'vitest';

// `diaryx-js build --watch` as an author runs it: the built bin in a child process, real files,
// real file watching. Needs the package built (npm test builds first).
const bin = fileURLToPath(new URL('../bin/diaryx-js.js', import.meta.url));
afterAll(removeTempDirs);

const ENTRY = `import { greeting } from './greeting.ts';

export function manifest(): number {
  Host.outputString(JSON.stringify({ id: 'com.example.watched', name: 'Watched', version: '0.1.0', description: 'd', capabilities: ['custom_commands'], commands: ['hello'] }));
  return 0;
}

export function handle_command(): number {
  Host.outputString(JSON.stringify({ success: true, data: greeting() }));
  return 0;
}
`;
const greeting = (text: string) => `export function greeting(): string {\n  return ${JSON.stringify(text)};\n}\n`;

async function hello(wasm: string): Promise<unknown> {
  const { plugin } = await loadTestPlugin(wasm, { mode: 'in-process' });
  return (await plugin.handleCommand('hello')).data;
}

describe('diaryx-js build --watch', () => {
  it('rebuilds when an imported file changes, reports a broken edit and keeps the last good plugin.wasm, stops on Ctrl-C', async () => {
    const project = await makeTempDir('diaryx-js-watch-');
    await mkdir(join(project, 'src'));
    await writeFile(join(project, 'src', 'index.ts'), ENTRY);
    await writeFile(join(project, 'src', 'greeting.ts'), greeting('one'));
    const wasm = join(project, 'plugin.wasm');
    const watcher = startChild(process.execPath, [bin, 'build', 'src/index.ts', '-o', 'plugin.wasm', '--watch'], project);
    try {
      await watcher.waitFor(/watching for changes \(Ctrl-C to stop\)/);
      expect(watcher.output()).toMatch(/^\d\d:\d\d:\d\d built plugin\.wasm \(\d+ bytes, exports: handle_command, manifest\) in \d+ ms; watching \d+ files$/m);
      expect(await hello(wasm)).toBe('one');

      // greeting.ts is only imported: esbuild's metafile names it, so it is watched.
      await writeFile(join(project, 'src', 'greeting.ts'), greeting('two'));
      await watcher.waitFor(/built plugin\.wasm .* after a change of src\/greeting\.ts/);
      expect(await hello(wasm)).toBe('two');

      const good = await readFile(wasm);
      await writeFile(join(project, 'src', 'greeting.ts'), 'export function greeting(): string {\n  return 3;\n}\n');
      await watcher.waitFor(/build failed in \d+ ms after a change of src\/greeting\.ts; plugin\.wasm is unchanged \(the last good build\):\n(?:.*\n)*?src\/greeting\.ts\(2,3\): error TS2322/);
      expect((await readFile(wasm)).equals(good)).toBe(true);

      await writeFile(join(project, 'src', 'greeting.ts'), greeting('three'));
      await watcher.waitFor(/built plugin\.wasm .* after a change of src\/greeting\.ts/, { count: 2 });
      expect(await hello(wasm)).toBe('three');
    } finally {
      expect(await watcher.stop('SIGINT')).toBe(0);
    }
    expect(watcher.output()).toMatch(/stopped watching\n$/);
  }, 120_000);
});
