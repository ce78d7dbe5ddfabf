import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import type { GuestMemory } from '@diaryx/host-fns';
import { afterAll, describe, expect, it } from 'vitest';
import { workerHostFunctions } from './worker-host-calls.js';

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

const memory: GuestMemory = { read: () => null, store: () => 0n };

describe('workerHostFunctions', () => {
  it('answers after the tasks already queued, and counts the calls being answered', async () => {
    const order: string[] = [];
    const { functions, inFlight } = workerHostFunctions({ host_get_now: () => 7n });
    setImmediate(() => order.push('queued task'));
    const answer = Promise.resolve(functions['host_get_now']!(memory, 0n)).then((value) => {
      order.push('answer');
      return value;
    });
    expect(inFlight()).toBe(1);
    expect(await answer).toBe(7n);
    expect(order).toEqual(['queued task', 'answer']);
    expect(inFlight()).toBe(0);
  });

  it('stops counting a call whose host function fails, sync or async', async () => {
    const { functions, inFlight } = workerHostFunctions({
      sync: () => {
        throw new Error('sync failure');
      },
      async: () => Promise.reject(new Error('async failure')),
    });
    await expect(functions['sync']!(memory, 0n)).rejects.toThrow('sync failure');
    await expect(functions['async']!(memory, 0n)).rejects.toThrow('async failure');
    expect(inFlight()).toBe(0);
  });
});

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
