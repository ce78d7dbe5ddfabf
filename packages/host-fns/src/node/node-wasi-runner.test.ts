import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWat, wasiToolWat } from '@diaryx/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WasiRunRequest } from '../services/wasi-runner.js';
import { nodeWasiRunner } from './node-wasi-runner.js';

// What only nodeWasiRunner does; §4.20 itself is tested for both runners in services/wasi-runners.test.ts.

let tool: Uint8Array;
let runFolders: string;
beforeAll(async () => {
  tool = await compileWat(wasiToolWat(), 'wasi-tool.wat');
  runFolders = await mkdtemp(join(tmpdir(), 'diaryx-wasi-test-'));
});
afterAll(() => rm(runFolders, { recursive: true, force: true }));

const request = (args: string[], more: Partial<WasiRunRequest> = {}): WasiRunRequest => ({
  module: tool,
  args,
  stdin: null,
  files: new Map(),
  outputFiles: [],
  ...more,
});

describe('nodeWasiRunner', () => {
  it('§4.20 the fresh temporary folder is removed afterwards, after a trap too; the captured output files are outside the preopen', async () => {
    await nodeWasiRunner({ tempDir: runFolders }).run(request(['file', 'a', 'b'], { files: new Map([['a', new Uint8Array([1])]]) }));
    await expect(nodeWasiRunner({ tempDir: runFolders }).run(request(['trap']))).rejects.toThrow('WASI module trapped');
    expect((await nodeWasiRunner({ tempDir: runFolders }).run(request(['open', '../io/stdin']))).exitCode).toBe(4);
    expect(readdirSync(runFolders)).toEqual([]);
  });

  it('kit: a module running past timeoutMs is stopped and fails as a trap; so is one whose plugin call ended', async () => {
    await expect(nodeWasiRunner({ tempDir: runFolders, timeoutMs: 300 }).run(request(['loop']))).rejects.toThrow(
      /^WASI module trapped: it ran longer than 300 ms \(the runner's timeoutMs\) and was stopped\nstderr: $/,
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(nodeWasiRunner({ tempDir: runFolders }).run(request(['loop'], { signal: controller.signal }))).rejects.toThrow(
      /the plugin's call ended/,
    );
    expect(readdirSync(runFolders)).toEqual([]);
  });
});
