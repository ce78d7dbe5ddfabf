import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

afterAll(removeTempDirs);

const spin = () =>
  compileWat(
    guestWat({
      manifest: JSON.stringify({ id: 'test.spin', name: 'Spin', version: '1', description: 'host calls for ever', capabilities: [], commands: [] }),
      hostImports: ['host_storage_get'],
      data: { key: '{"key":"k"}' },
      exports: { spin: '(loop $l (drop (call $host_storage_get (call $to_block (global.get $key_ptr) (global.get $key_len)))) (br $l)) (i32.const 0)' },
    }),
  );

describe('worker-mode host calls', () => {
  // Without the release, rc13 kept polling for the dead worker with an interval timer per
  // abandoned answer, and the process never exited (measured: killed after 60 s).
  it('a plugin timed out in the middle of host calls leaves nothing running: the process exits by itself', async () => {
    const dir = await makeTempDir();
    const wasmPath = join(dir, 'spin.wasm');
    await writeFile(wasmPath, await spin());
    const script = fileURLToPath(new URL('../test-support/time-out-during-host-calls.mjs', import.meta.url));
    const child = spawnSync(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '--conditions=@diaryx/source', '--import', 'tsx', script, wasmPath],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual(['timeout', 'timeout', 'timeout', 'closed']);
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  }, 30_000);
});
