import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HostLogger } from '@diaryx/host-fns';
import { toError } from '../errors.js';
import { TEMP_SUFFIX } from './atomic-write.js';

/** A temporary file of a live process younger than this may still be being written. */
export const STALE_TEMP_AGE_MS = 10 * 60_000;

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files a killed save of `target` left (`<target>.<pid>.<8 hex>.tmp`, see
 * writeFileAtomic): only that exact pattern, and only when the writing process is gone or the
 * file is older than {@link STALE_TEMP_AGE_MS}, so a save in progress elsewhere is never touched.
 * Problems are logged at debug, never raised: the load goes on.
 */
export async function removeStaleTempFiles(target: string, logger: HostLogger, now: () => number = Date.now): Promise<string[]> {
  const folder = dirname(target);
  const prefix = basename(target);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = name.startsWith(prefix) ? TEMP_SUFFIX.exec(name.slice(prefix.length)) : null;
    if (!match) continue;
    const path = join(folder, name);
    try {
      const info = await stat(path);
      const stale = !processIsAlive(Number(match[1])) || now() - info.mtimeMs > STALE_TEMP_AGE_MS;
      if (!info.isFile() || !stale) continue;
      await rm(path, { force: true });
      removed.push(path);
      logger.info(`Removed ${path}, a temporary file left by an interrupted save`, { source: 'loader' });
    } catch (error) {
      logger.debug(`Could not remove the stale temporary file ${path}: ${toError(error).message}`, { source: 'loader' });
    }
  }
  return removed;
}
