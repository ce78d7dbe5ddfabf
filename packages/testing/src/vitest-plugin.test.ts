import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DiaryxVitestContext, diaryxBuild } from './vitest-plugin.js';

// A project whose "build" appends a line to build.log (a real child process, real file watching),
// with two test files: one reads plugin.wasm, one does not.
async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'diaryx-build-'));
  await mkdir(join(root, 'src'));
  await mkdir(join(root, 'test'));
  await writeFile(join(root, 'src', 'index.ts'), 'export {};\n');
  await writeFile(join(root, 'test', 'plugin.test.ts'), "const wasm = new URL('../plugin.wasm', import.meta.url);\n");
  await writeFile(join(root, 'test', 'other.test.ts'), 'export {};\n');
  return root;
}
const BUILD = `node -e "require('fs').appendFileSync('build.log', 'built\\\\n')"`;
const builds = async (root: string) => (await readFile(join(root, 'build.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
// A watcher like `diaryx-js build --watch`: writes src/index.ts's text into plugin.wasm (whole, by
// rename) at start and after each change, until SIGINT; a line per build, as the real ones print.
const COPY = `const fs = require('fs'); const copy = () => { fs.writeFileSync('plugin.wasm.tmp', fs.readFileSync('src/index.ts')); fs.renameSync('plugin.wasm.tmp', 'plugin.wasm'); console.log('built plugin.wasm'); };`;
const WATCHER = `node -e "${COPY} copy(); fs.watch('src', () => setTimeout(copy, 20)); process.on('SIGINT', () => { fs.writeFileSync('stopped', ''); process.exit(0); });"`;

function context(root: string, watch: boolean) {
  const reruns: string[][] = [];
  const closers: Array<() => void | Promise<void>> = [];
  const ctx: DiaryxVitestContext = {
    vitest: {
      config: { root, watch },
      globTestSpecifications: async () => ['plugin.test.ts', 'other.test.ts'].map((name) => ({ moduleId: join(root, 'test', name) })),
      rerunTestSpecifications: async (specs) => void reruns.push((specs as Array<{ moduleId: string }>).map((spec) => spec.moduleId.slice(root.length + 1))),
      onClose: (fn) => void closers.push(fn),
    },
  };
  return { ctx, reruns, close: () => Promise.all(closers.map((fn) => fn())) };
}

describe('diaryxBuild (the Vitest plugin)', () => {
  it('builds once before the first test in run mode', async () => {
    const root = await project();
    const { ctx, reruns } = context(root, false);
    await diaryxBuild({ command: BUILD }).configureVitest(ctx);
    expect(await builds(root)).toBe(1);
    expect(reruns).toEqual([]);
  });

  it("a failed build stops the run with the compiler's output", async () => {
    const root = await project();
    const { ctx } = context(root, false);
    await expect(diaryxBuild({ command: 'node -e "console.error(\'src/index.ts(3,1): error TS1005\'); process.exit(2)"' }).configureVitest(ctx)).rejects.toThrow(
      /`node -e .*` failed, so no test ran:\nsrc\/index.ts\(3,1\): error TS1005/,
    );
  });

  it('in watch mode without a watcher, an edit under src rebuilds and reruns the test files that read plugin.wasm', async () => {
    const root = await project();
    const { ctx, reruns, close } = context(root, true);
    try {
      await diaryxBuild({ command: BUILD, watchCommand: false }).configureVitest(ctx);
      expect(await builds(root)).toBe(1);
      await writeFile(join(root, 'src', 'index.ts'), 'export const x = 1;\n');
      await expect.poll(() => reruns.length, { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(1);
      expect(await builds(root)).toBeGreaterThanOrEqual(2);
      expect(reruns[0]).toEqual(['test/plugin.test.ts']);
    } finally {
      await close();
    }
  });

  it('rerunAll: every test file is rerun', async () => {
    const root = await project();
    const { ctx, reruns, close } = context(root, true);
    try {
      await diaryxBuild({ command: BUILD, watchCommand: false, rerunAll: true }).configureVitest(ctx);
      await writeFile(join(root, 'src', 'index.ts'), 'export const x = 2;\n');
      await expect.poll(() => reruns.length, { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(1);
      expect(reruns[0]).toEqual(['test/plugin.test.ts', 'test/other.test.ts']);
    } finally {
      await close();
    }
  });

  it('with a watch command: reruns when plugin.wasm gets new bytes (not for the same bytes), and stops the watcher on close', async () => {
    const root = await project();
    const { ctx, reruns, close } = context(root, true);
    let closed = false;
    try {
      await diaryxBuild({ command: `node -e "${COPY} copy();"`, watchCommand: WATCHER }).configureVitest(ctx);
      // The watcher's first build writes the same bytes as the build before the tests: no rerun.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(reruns).toEqual([]);
      await writeFile(join(root, 'src', 'index.ts'), 'export const y = 1;\n');
      await expect.poll(() => reruns.length, { timeout: 20_000, interval: 50 }).toBe(1);
      expect(reruns[0]).toEqual(['test/plugin.test.ts']);
      expect(await readFile(join(root, 'plugin.wasm'), 'utf8')).toBe('export const y = 1;\n');
      // Saved again without a change: the watcher rebuilds the same bytes, nothing reruns.
      await writeFile(join(root, 'src', 'index.ts'), 'export const y = 1;\n');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(reruns).toHaveLength(1);
      await close();
      closed = true;
      await expect(readFile(join(root, 'stopped'), 'utf8')).resolves.toBe('');
    } finally {
      if (!closed) await close();
    }
  });
});

describe('diaryxBuild: no WASI warning in every test file', () => {
  it("adds a setup file that keeps Node's WASI warning out, and only that warning", async () => {
    const { spawnSync } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    const { QUIET_WASI_SETUP } = await import('./vitest-plugin.js');
    expect(diaryxBuild().config().test.setupFiles).toEqual([QUIET_WASI_SETUP]);
    expect(existsSync(QUIET_WASI_SETUP)).toBe(true);
    // As a test worker runs it: the setup first, then a test file that loads the Extism SDK (node:wasi).
    const script = "await import('node:wasi'); process.emitWarning('another warning');";
    const run = (setup: string[]) =>
      spawnSync(process.execPath, [...setup, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(run([]).stderr).toContain('ExperimentalWarning: WASI');
    const quiet = run(['--conditions=@diaryx/source', '--import', QUIET_WASI_SETUP]);
    expect(quiet.stderr).not.toContain('WASI');
    expect(quiet.stderr).toContain('another warning');
  });
});
