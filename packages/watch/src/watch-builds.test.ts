// The watch loop on real files: what starts a build, what does not, and how changes during a
// build coalesce. Builds here are functions that read files and may take their time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serialRuns } from './serial-runs.js';
import { type BuildReport, type BuildWatcher, watchBuilds } from './watch-builds.js';

const dirs: string[] = [];
const watchers: BuildWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await pause(20);
  }
}

function project(): { dir: string; entry: string; imported: string; other: string } {
  const dir = mkdtempSync(join(tmpdir(), 'diaryx-watch-'));
  dirs.push(dir);
  const files = { dir, entry: join(dir, 'index.ts'), imported: join(dir, 'util.ts'), other: join(dir, 'notes.txt') };
  for (const file of [files.entry, files.imported, files.other]) writeFileSync(file, 'x');
  return files;
}

describe('serialRuns', () => {
  it('runs one at a time; requests during a run make exactly one more run', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const queue = serialRuns(async () => {
      runs++;
      most = Math.max(most, ++active);
      await pause(50);
      active--;
    });
    for (let i = 0; i < 10; i++) queue.request();
    await queue.idle();
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it('a run that throws is reported and the next request still runs', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const queue = serialRuns(async () => {
      if (runs++ === 0) throw new Error('first fails');
    }, (error) => errors.push(error));
    queue.request();
    await queue.idle();
    queue.request();
    await queue.idle();
    expect(runs).toBe(2);
    expect(errors).toEqual([new Error('first fails')]);
  });
});

describe('watchBuilds', () => {
  it('builds once, then again when a file the build read changes, naming it; an unread file in the same folder starts nothing', async () => {
    const { entry, imported, other } = project();
    const reports: Array<BuildReport<{ files: string[] }>> = [];
    watchers.push(await watchBuilds({ build: async () => ({ files: [entry, imported] }), onBuild: (r) => reports.push(r) }));
    expect(reports.map((r) => r.changed)).toEqual([[]]);
    expect(reports[0]!.watching).toBe(2);
    writeFileSync(other, 'y');
    await pause(300);
    expect(reports).toHaveLength(1);
    writeFileSync(imported, 'y');
    await until(() => reports.length === 2);
    expect(reports[1]!.changed).toEqual([imported]);
  });

  it('changes during a slow build make exactly one more build after it', async () => {
    const { entry } = project();
    let builds = 0;
    watchers.push(
      await watchBuilds({
        build: async () => {
          builds++;
          await pause(builds === 2 ? 400 : 0);
          return { files: [entry] };
        },
        onBuild: () => undefined,
        debounceMs: 10,
      }),
    );
    writeFileSync(entry, '1');
    await until(() => builds === 2);
    for (let i = 0; i < 5; i++) {
      writeFileSync(entry, `during ${i}`);
      await pause(40);
    }
    await until(() => builds === 3);
    await pause(300);
    expect(builds).toBe(3);
  });

  it('a build that reads nothing (null) keeps watching what was watched; close waits for a build in progress', async () => {
    const { entry, imported } = project();
    let builds = 0;
    let finished = 0;
    const watcher = await watchBuilds({
      build: async () => {
        builds++;
        await pause(builds === 1 ? 0 : 200);
        finished++;
        return { files: builds === 1 ? [entry, imported] : null };
      },
      onBuild: () => undefined,
      debounceMs: 10,
    });
    writeFileSync(imported, 'changed');
    await until(() => builds === 2);
    await watcher.close();
    expect(finished).toBe(2);
  });
});
