import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '@diaryx/test-utils';
import { probeWasm } from './probe.js';

// Runs in the child: loads the probe (built packages) on a workspace folder with every
// permission, calls one probe export, prints its output.
const CHILD = `
import { readFileSync } from 'node:fs';
import { allowAll, createHostContext, nodeWorkspaceFs } from '@diaryx/host-fns';
import { loadPlugin } from '@diaryx/loader';
const [wasm, root, fn, inputFile, mode] = process.argv.slice(1);
const input = readFileSync(inputFile, 'utf8');
const host = createHostContext({ fs: nodeWorkspaceFs(root), permissions: allowAll });
const plugin = await loadPlugin(readFileSync(wasm), host, { name: 'probe', runInWorker: mode === 'worker', timeoutMs: 60000, manifestTimeoutMs: 60000 });
try {
  const out = await plugin.call('probe_' + fn, input);
  process.stdout.write(new TextDecoder().decode(out ?? new Uint8Array()));
} catch (error) {
  process.stdout.write('call failed: ' + error.message);
}
await plugin.close();
process.exit(0);
`;

/** What a probe call in a child process gave. */
export interface ChildOutcome {
  /** The host function's output, or `call failed: …`. */
  output: string;
  /** True when the child had to be killed after `timeoutMs`: the host hung. */
  hung: boolean;
}

/**
 * Calls one host function through the real probe plugin in a separate Node process, for what
 * the test process cannot survive or set up: a host that hangs (killed after `timeoutMs`), or a
 * limit on the size of written files (`ulimit -f`, a stand-in for a full disk: writes fail with
 * EFBIG after a partial write, as they fail with ENOSPC on a full disk).
 */
export async function probeInChild(options: {
  root: string;
  fn: string;
  input: object;
  runInWorker: boolean;
  timeoutMs: number;
  fileSizeLimitKiB?: number;
}): Promise<ChildOutcome> {
  const dir = await makeTempDir('diaryx-probe-');
  const wasmPath = join(dir, 'probe.wasm');
  const inputPath = join(dir, 'input.json');
  await writeFile(wasmPath, await probeWasm());
  await writeFile(inputPath, JSON.stringify(options.input));
  const node = [process.execPath, '--input-type=module', '-e', CHILD, wasmPath, options.root, options.fn, inputPath, options.runInWorker ? 'worker' : 'in-process'];
  const [command, ...args] =
    options.fileSizeLimitKiB === undefined ? node : ['bash', '-c', `ulimit -f ${options.fileSizeLimitKiB} && exec "$@"`, 'bash', ...node];
  const child = spawn(command!, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  if (!hung && code !== 0) throw new Error(`probe child exited with ${code}: ${errors}`);
  return { output, hung };
}
