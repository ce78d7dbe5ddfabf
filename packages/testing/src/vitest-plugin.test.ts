import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DiaryxVitestContext, diaryxBuild } from './vitest-plugin.js';

// A project whose "build" appends a line to build.log (a real child process, real file watching).
async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'diaryx-build-'));
  await mkdir(join(root, 'src'));
  await writeFile(join(root, 'src', 'index.ts'), 'export {};\n');
  return root;
}
const BUILD = `node -e "require('fs').appendFileSync('build.log', 'built\\\\n')"`;
const builds = async (root: string) => (await readFile(join(root, 'build.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

function context(root: string, watch: boolean) {
  const reruns: unknown[][] = [];
  const closers: Array<() => void | Promise<void>> = [];
  const ctx: DiaryxVitestContext = {
    vitest: {
      config: { root, watch },
      globTestSpecifications: async () => ['test/plugin.test.ts'],
      rerunTestSpecifications: async (specs) => void reruns.push(specs),
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

  it('in watch mode, an edit under src rebuilds and reruns the tests', async () => {
    const root = await project();
    const { ctx, reruns, close } = context(root, true);
    try {
      await diaryxBuild({ command: BUILD }).configureVitest(ctx);
      expect(await builds(root)).toBe(1);
      await writeFile(join(root, 'src', 'index.ts'), 'export const x = 1;\n');
      await expect.poll(() => reruns.length, { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(1);
      expect(await builds(root)).toBeGreaterThanOrEqual(2);
      expect(reruns[0]).toEqual(['test/plugin.test.ts']);
    } finally {
      await close();
    }
  });
});
