import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat, hostileManifest, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { type ExitDelay, runUntilExit } from '../test-support/exit-delay.js';

afterAll(removeTempDirs);

/** Runs close-and-exit.mjs; resolves with the ms between its last close() and its exit. */
function exitDelay(wasmPath: string, mode: string): Promise<ExitDelay> {
  return runUntilExit(fileURLToPath(new URL('../test-support/close-and-exit.mjs', import.meta.url)), [wasmPath, mode]);
}

describe('an app exits promptly once its plugins are closed', () => {
  // Before: rc13's instantiation timer (armed with manifestTimeoutMs, 10 s by default) was never
  // cleared, so a CLI or an app quitting after closing its worker plugins hung up to 9.9 s.
  it.each(['worker', 'metered', 'in-process'])('%s mode, default options: the process exits within 500 ms of the last close()', async (mode) => {
    const dir = await makeTempDir();
    const wasmPath = join(dir, 'quick.wasm');
    await writeFile(wasmPath, await compileWat(guestWat({ manifest: hostileManifest('quick') })));
    const { ms, stdout, stderr, code } = await exitDelay(wasmPath, mode);
    expect(stderr).toBe('');
    expect(code, stdout).toBe(0);
    expect(ms).toBeLessThan(500);
  }, 60_000);
});
