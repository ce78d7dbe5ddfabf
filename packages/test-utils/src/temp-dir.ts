import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/** Creates a fresh temporary folder; {@link removeTempDirs} deletes every one made so far. */
export async function makeTempDir(prefix = 'diaryx-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Deletes the folders made by {@link makeTempDir} (call it in `afterEach`/`afterAll`). */
export async function removeTempDirs(): Promise<void> {
  const dirs = created.splice(0);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}
