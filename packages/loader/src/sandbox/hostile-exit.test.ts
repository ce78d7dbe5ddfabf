import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat, hostileManifest, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

afterAll(removeTempDirs);

/** Runs close-and-exit.mjs; resolves with the ms between its last close() and its exit. */
async function exitDelay(wasmPath: string, mode: string): Promise<{ ms: number; stdout: string; stderr: string; code: number | null }> {
  const script = fileURLToPath(new URL('../test-support/close-and-exit.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--conditions=@diaryx/source', '--import', 'tsx', script, wasmPath, mode], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  const exitedAt = Date.now();
  const closedAt = Number(/closed at (\d+)/.exec(stdout)?.[1] ?? Number.NaN);
  return { ms: exitedAt - closedAt, stdout, stderr, code };
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
