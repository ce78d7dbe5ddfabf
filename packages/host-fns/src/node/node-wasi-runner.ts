import { lstat, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WasiRunner, WasiRunRequest, WasiRunResult } from '../services/wasi-runner.js';
import { wasiRunError } from '../services/wasi-run-error.js';

/** Options of {@link nodeWasiRunner}. */
export interface NodeWasiRunnerOptions {
  /**
   * Stop a module that runs longer than this many ms (it then fails as a trap). Default: none,
   * as in Rust; the plugin's own call deadline (worker and metered modes) still stops it.
   */
  timeoutMs?: number;
  /** Where the run folders are made. Default: the system's temporary folder. */
  tempDir?: string;
}

// Runs in a worker thread (one per run): a module that loops or crashes cannot block or take
// down the host's thread, and it can be stopped. Plain JavaScript, evaluated, so the runner works
// from the package's sources and its build alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, closeSync } = require('node:fs');
const { WASI } = require('node:wasi');
(function main() {
const { wasm, args, sandbox, stdinPath, stdoutPath, stderrPath } = workerData;
const fds = [openSync(stdinPath, 'r'), openSync(stdoutPath, 'w'), openSync(stderrPath, 'w')];
const answer = (result) => { for (const fd of fds) closeSync(fd); parentPort.postMessage(result); };
let module;
try { module = new WebAssembly.Module(wasm); }
catch (error) { return answer({ stage: 'compile', message: String(error && error.message || error) }); }
const wasi = new WASI({ version: 'preview1', args, env: {}, preopens: { '.': sandbox },
  stdin: fds[0], stdout: fds[1], stderr: fds[2], returnOnExit: true });
let instance;
try { instance = new WebAssembly.Instance(module, wasi.getImportObject()); }
catch (error) { return answer({ stage: 'instantiate', message: String(error && error.message || error) }); }
if (typeof instance.exports._start !== 'function') return answer({ stage: 'no-start' });
if (!(instance.exports.memory instanceof WebAssembly.Memory)) return answer({ stage: 'no-memory' });
try { answer({ stage: 'done', exitCode: wasi.start(instance) }); }
catch (error) { answer({ stage: 'trap', message: String(error) }); }
})();
`;

type WorkerAnswer =
  | { stage: 'done'; exitCode: number }
  | { stage: 'compile' | 'instantiate' | 'trap'; message: string }
  | { stage: 'no-start' | 'no-memory' };

/** `path` under `folder` (leading `/` dropped), or null when it would lead out of it. */
function inside(folder: string, path: string): string | null {
  const full = resolve(folder, path.replace(/^[/\\]+/, ''));
  return full.startsWith(folder + sep) ? full : null;
}

function runInWorker(data: object, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<WorkerAnswer | string> {
  return new Promise((settle) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data, stdout: true, stderr: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (answer: WorkerAnswer | string) => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      void worker.terminate();
      settle(answer);
    };
    const onAbort = () => finish("it was stopped: the plugin's call ended (timed out, or the plugin was closed)");
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(() => finish(`it ran longer than ${timeoutMs} ms (the runner's timeoutMs) and was stopped`), timeoutMs);
    worker.once('message', (answer: WorkerAnswer) => finish(answer));
    worker.once('error', (error) => finish({ stage: 'trap', message: String(error) }));
    worker.once('exit', (code) => finish({ stage: 'trap', message: `the runner's worker stopped (exit code ${code})` }));
  });
}

/**
 * A {@link WasiRunner} on Node's `node:wasi`, as Rust's `wasi-runner` (protocol §4.20): each
 * run gets a fresh temporary folder, the module's only preopened directory (as `.`), with the
 * request's input files written into it (parent folders made); argv is `["program", …args]`,
 * no environment variables; stdin is the request's bytes (empty when none); stdout and stderr are
 * captured; `_start` is called. A normal return is exit code 0, `proc_exit(n)` is n; a trap
 * fails the run with `WASI module trapped: <error>\nstderr: <captured stderr>`. The requested
 * output files that exist come back by the path as requested. The folder is removed afterwards.
 *
 * Each run happens in its own worker thread, stopped when it outlives `timeoutMs` or the
 * plugin's call. Paths that lead out of the folder (`..`, which `host_run_wasi_module` already
 * refuses, or a symbolic link the module made) are neither written nor read. Node's
 * documentation warns that `node:wasi` is no secure sandbox for untrusted code: it confines the
 * module's files to the preopened folder, but run only modules you would let the plugin run.
 *
 * Async: plugins reach it from a worker, or metered mode with JSPI (Node 24+).
 *
 * @example
 * const host = createHostContext({ wasi: nodeWasiRunner(), storage: new FilePluginStorage(dir) });
 */
export function nodeWasiRunner(options: NodeWasiRunnerOptions = {}): WasiRunner {
  return {
    async run(request: WasiRunRequest): Promise<WasiRunResult> {
      const root = await mkdtemp(join(options.tempDir ?? tmpdir(), 'diaryx-wasi-'));
      try {
        await mkdir(join(root, 'sandbox'));
        const sandbox = await realpath(join(root, 'sandbox'));
        const io = join(root, 'io');
        await mkdir(io);
        for (const [path, bytes] of request.files) {
          const target = inside(sandbox, path);
          if (target === null) throw new Error(`Failed to write ${path}: the path leads out of the module's folder`);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, bytes);
        }
        const stdinPath = join(io, 'stdin');
        const stdoutPath = join(io, 'stdout');
        const stderrPath = join(io, 'stderr');
        await writeFile(stdinPath, request.stdin ?? new Uint8Array(0));
        const answer = await runInWorker(
          { wasm: request.module, args: ['program', ...request.args], sandbox, stdinPath, stdoutPath, stderrPath },
          options.timeoutMs,
          request.signal,
        );
        const captured = async (path: string) => new Uint8Array(await readFile(path).catch(() => Buffer.alloc(0)));
        const stderr = await captured(stderrPath);
        if (typeof answer === 'string') throw wasiRunError('trap', answer, stderr);
        if (answer.stage !== 'done') throw wasiRunError(answer.stage, 'message' in answer ? answer.message : '', stderr);
        const files = new Map<string, Uint8Array>();
        for (const path of request.outputFiles) {
          const target = inside(sandbox, path);
          if (target === null) continue;
          try {
            // Only a regular file really inside the folder: not a link the module made to elsewhere.
            const real = await realpath(target);
            if (!real.startsWith(sandbox + sep) || !(await lstat(real)).isFile()) continue;
            files.set(path, new Uint8Array(await readFile(real)));
          } catch {
            // missing (or unreadable, which Rust logs): not returned
          }
        }
        return { exitCode: answer.exitCode, stdout: await captured(stdoutPath), stderr, files };
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}
