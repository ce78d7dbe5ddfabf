import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes a file so that readers see the old content or the new, never a torn one: write a
 * temporary sibling, then rename it over the target (atomic on one file system).
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`; // see TEMP_SUFFIX
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The name of {@link writeFileAtomic}'s temporary files after the target's: `.<pid>.<8 hex>.tmp`. */
export const TEMP_SUFFIX = /^\.(\d+)\.[0-9a-f]{8}\.tmp$/;
