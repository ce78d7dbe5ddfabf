import { allowAll, browserWasiRunner, MemoryPluginStorage, nodeWasiRunner, type WasiRunner } from '@diaryx/host-fns';
import { compileWat, wasiToolWat } from '@diaryx/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
let tool: Uint8Array;
beforeAll(async () => {
  tool = await compileWat(wasiToolWat(), 'wasi-tool.wat');
});

let makeRunner: () => WasiRunner;
async function probeWithTool() {
  const storage = new MemoryPluginStorage();
  storage.set('probe:tools/copy.wasm', tool);
  // The runners are asynchronous: a worker-mode plugin reaches them.
  return loadProbe({ storage, permissions: allowAll, wasi: makeRunner() }, { runInWorker: true });
}

describe.each<[string, () => WasiRunner]>([
  ['nodeWasiRunner', () => nodeWasiRunner()],
  ['browserWasiRunner', () => browserWasiRunner()],
])('host_run_wasi_module with %s (§4.20)', (_name, runner) => {
  beforeAll(() => {
    makeRunner = runner;
  });

  it('§4.20 runs the module stored under module_key: args, stdin, input and output files, exit code, captured output', async () => {
    const probe = await probeWithTool();
    try {
      const copied = await probe.call('host_run_wasi_module', {
        module_key: 'tools/copy.wasm',
        args: ['file', 'docs/in.md', 'docs/out.md'],
        files: { '/docs/in.md': b64('# Note ✓') },
        output_files: ['docs/out.md', 'never-made.txt'],
      });
      expect(copied).toBe(`{"exit_code":0,"stdout":"","stderr":"copied","files":{"docs/out.md":"${b64('# Note ✓')}"}}`);
      expect(await probe.call('host_run_wasi_module', { module_key: 'tools/copy.wasm', args: ['cat'], stdin: b64('in → out') })).toBe(
        `{"exit_code":0,"stdout":"${b64('in → out')}","stderr":""}`,
      );
      expect(await probe.call('host_run_wasi_module', { module_key: 'tools/copy.wasm', args: ['x'] })).toBe(
        '{"exit_code":7,"stdout":"","stderr":"bye"}',
      );
    } finally {
      await probe.plugin.close();
    }
  });

  it('§4.20 a trap fails the call with Rust\'s text; a missing module too; the plugin answers next', async () => {
    const probe = await probeWithTool();
    try {
      expect(await probe.trap('host_run_wasi_module', { module_key: 'tools/copy.wasm', args: ['trap'] })).toContain(
        'host_run_wasi_module: WASI module trapped: RuntimeError: unreachable\nstderr: oops',
      );
      expect(await probe.trap('host_run_wasi_module', { module_key: 'nope', args: [] })).toContain(
        'host_run_wasi_module: module not found in storage: nope',
      );
      expect(await probe.call('host_run_wasi_module', { module_key: 'tools/copy.wasm', args: ['args', 'ok'] })).toBe(
        `{"exit_code":0,"stdout":"${b64('program\0args\0ok\0')}","stderr":""}`,
      );
    } finally {
      await probe.plugin.close();
    }
  });

  it('kit: input and output paths with .. are refused before anything runs (Rust checks neither)', async () => {
    const probe = await probeWithTool();
    try {
      expect(await probe.trap('host_run_wasi_module', { module_key: 'tools/copy.wasm', args: [], files: { 'a/../../x': '' } })).toContain(
        "Path traversal not allowed: 'a/../../x'",
      );
      expect(await probe.trap('host_run_wasi_module', { module_key: 'tools/copy.wasm', args: [], output_files: ['..\\secret'] })).toContain(
        "Path traversal not allowed: '..\\secret'",
      );
    } finally {
      await probe.plugin.close();
    }
  });
});
