import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

afterAll(removeTempDirs);

// A guest that imports WASI: rc13 then opens /dev/null for its stdin and stdout (FileHandles).
const wasiGuest = () =>
  compileWat(
    guestWat({
      manifest: JSON.stringify({ id: 'test.wasi', name: 'Wasi', version: '1', description: 'imports WASI', capabilities: [], commands: [] }),
      extraImports: '(import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))',
    }),
  );

// The TypeScript example imports WASI too (Math.random); built with the examples before the tests.
const wordCountTs = fileURLToPath(new URL('../../../../examples/word-count-ts/build/plugin.wasm', import.meta.url));

describe('plugins dropped without close()', () => {
  // Before the fix, on Node 26: "Error: A FileHandle object was closed during garbage collection
  // ... File descriptor: 22 (/dev/null)", uncaught, exit code 1 (in-process plugins); and the
  // workers of dropped worker plugins ran on, so the process never exited.
  it('are closed when collected: loading, closing and dropping worker and in-process plugins under forced GC crashes nothing, leaks no worker and leaves no handle open at exit', async () => {
    expect(existsSync(wordCountTs), `${wordCountTs} is missing: build the examples first (npx turbo run build)`).toBe(true);
    const dir = await makeTempDir();
    const wasi = join(dir, 'wasi.wasm');
    await writeFile(wasi, await wasiGuest());
    const script = fileURLToPath(new URL('../test-support/drop-and-collect.mjs', import.meta.url));
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--disable-warning=ExperimentalWarning', '--conditions=@diaryx/source', '--import', 'tsx', script, wasi, wordCountTs],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 90_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual(['loaded 12', 'closed', 'open at exit: nothing']);
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  }, 120_000);
});
