import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWat, wasiToolWat } from '@diaryx/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWasiRunner } from '../node/node-wasi-runner.js';
import { browserWasiRunner } from './browser-wasi-runner.js';
import type { WasiRunner, WasiRunRequest } from './wasi-runner.js';

// §4.20, once for each runner the kit ships: node:wasi (a temporary folder, a worker thread) and
// the WASI shim for browsers (the folder in memory). A real WASI tool in WebAssembly text.

let tool: Uint8Array;
let runFolders: string;
beforeAll(async () => {
  tool = await compileWat(wasiToolWat(), 'wasi-tool.wat');
  runFolders = await mkdtemp(join(tmpdir(), 'diaryx-wasi-test-'));
});
afterAll(() => rm(runFolders, { recursive: true, force: true }));

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const utf8 = (s: string) => new TextEncoder().encode(s);
function request(args: string[], more: Partial<WasiRunRequest> = {}): WasiRunRequest {
  return { module: tool, args, stdin: null, files: new Map(), outputFiles: [], ...more };
}

describe.each<[string, () => WasiRunner]>([
  ['nodeWasiRunner', () => nodeWasiRunner({ tempDir: runFolders })],
  ['browserWasiRunner', () => browserWasiRunner()],
])('%s (§4.20)', (_name, runner) => {
  it('§4.20 argv is ["program", …args]; stdout is captured; a normal return is exit code 0', async () => {
    const result = await runner().run(request(['args', 'two words', 'é']));
    expect(result.exitCode).toBe(0);
    expect(text(result.stdout)).toBe('program\0args\0two words\0é\0');
    expect(result.stderr).toEqual(new Uint8Array(0));
    expect(result.files.size).toBe(0);
  });

  it('§4.20 stdin is piped when given, and empty when not (never the host\'s own stdin)', async () => {
    expect(text((await runner().run(request(['cat'], { stdin: utf8('piped ✓\n') }))).stdout)).toBe('piped ✓\n');
    expect((await runner().run(request(['cat']))).stdout).toEqual(new Uint8Array(0));
  });

  it('§4.20 input files are in the module\'s folder (parents made, leading / dropped); requested output files that exist come back by the path as requested', async () => {
    const result = await runner().run(
      request(['file', 'in/a.txt', 'in/b.txt'], {
        files: new Map([['/in/a.txt', utf8('hello file')]]),
        outputFiles: ['/in/b.txt', 'in/a.txt', 'missing.txt', 'in'],
      }),
    );
    expect(result.exitCode).toBe(0);
    expect(text(result.stderr)).toBe('copied');
    expect(Object.fromEntries([...result.files].map(([k, v]) => [k, text(v)]))).toEqual({ '/in/b.txt': 'hello file', 'in/a.txt': 'hello file' });
  });

  it('§4.20 the folder is the only preopen: a path out of it does not open', async () => {
    expect((await runner().run(request(['open', '../outside']))).exitCode).toBe(4);
    expect((await runner().run(request(['open', '/etc/hostname']))).exitCode).toBe(4);
  });

  it('§4.20 proc_exit(n) is exit code n, with what was written so far', async () => {
    const result = await runner().run(request(['x']));
    expect(result.exitCode).toBe(7);
    expect(text(result.stderr)).toBe('bye');
  });

  it('§4.20 a trap fails the run with "WASI module trapped: <error>\\nstderr: <captured stderr>"', async () => {
    await expect(runner().run(request(['trap']))).rejects.toThrow(/^WASI module trapped: RuntimeError: unreachable\nstderr: oops$/);
  });

  it('§4.20 a module that does not compile, does not instantiate or has no _start fails the run', async () => {
    await expect(runner().run(request([], { module: utf8('not wasm') }))).rejects.toThrow(/^Failed to compile WASI module: /);
    const needsEnv = await compileWat('(module (import "env" "f" (func)) (memory (export "memory") 1) (func (export "_start")))');
    await expect(runner().run(request([], { module: needsEnv }))).rejects.toThrow(/^Failed to instantiate WASI module: /);
    const noStart = await compileWat('(module (memory (export "memory") 1))');
    await expect(runner().run(request([], { module: noStart }))).rejects.toThrow('WASI module has no _start export');
  });

  it('kit: an input path that leads out of the folder is refused; such an output path is not read', async () => {
    await expect(runner().run(request(['args'], { files: new Map([['a/../../x', utf8('x')]]) }))).rejects.toThrow(/leads out of the module's folder/);
    expect((await runner().run(request(['args'], { outputFiles: ['../io/stdout', '..\\x'] }))).files.size).toBe(0);
  });
});
