import { Directory, File, type Inode, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim';
import { errorMessage } from '../util/error-message.js';
import { wasiRunError } from './wasi-run-error.js';
import type { WasiRunner, WasiRunRequest, WasiRunResult } from './wasi-runner.js';

/** The folder names of a path in the module's folder, or null when it leads out (`..`). */
function segments(path: string): string[] | null {
  const parts = path.replace(/\\/g, '/').split('/').filter((part) => part !== '' && part !== '.');
  return parts.includes('..') ? null : parts;
}

function put(root: Map<string, Inode>, path: string, bytes: Uint8Array): void {
  const parts = segments(path);
  if (parts === null || parts.length === 0) throw new Error(`Failed to write ${path}: the path leads out of the module's folder`);
  let folder = root;
  for (const name of parts.slice(0, -1)) {
    const existing = folder.get(name);
    const next = existing instanceof Directory ? existing : new Directory(new Map());
    if (next !== existing) folder.set(name, next);
    folder = next.contents;
  }
  folder.set(parts[parts.length - 1]!, new File(bytes.slice()));
}

function find(root: Map<string, Inode>, path: string): Uint8Array | null {
  const parts = segments(path);
  if (parts === null || parts.length === 0) return null;
  let node: Inode | undefined = new Directory(root);
  for (const name of parts) node = node instanceof Directory ? node.contents.get(name) : undefined;
  return node instanceof File ? node.data.slice() : null;
}

const encoder = new TextEncoder();

// @bjorn3/browser_wasi_shim 0.4.2's args_sizes_get counts each argument's UTF-16 length, not its
// UTF-8 size, while args_get writes the UTF-8 bytes: with a non-ASCII argument the module gets a
// buffer too small and args_get writes past it (measured: "é" announced 1 byte, wrote 2).
// The size is answered right here.
function fixArgsSizes(wasi: WASI, argv: readonly string[]): void {
  const size = argv.reduce((total, arg) => total + encoder.encode(arg).length + 1, 0);
  wasi.wasiImport['args_sizes_get'] = (argcAt: number, sizeAt: number) => {
    const view = new DataView(wasi.inst.exports.memory.buffer);
    view.setUint32(argcAt, argv.length, true);
    view.setUint32(sizeAt, size, true);
    return 0;
  };
}

/**
 * A {@link WasiRunner} for browsers (and any JavaScript runtime), on the WASI shim
 * `@bjorn3/browser_wasi_shim`, as Rust's `wasi-runner` (protocol §4.20) with the folder in
 * memory: the request's input files make up the module's only preopened directory (`.`),
 * argv is `["program", …args]`, no environment, stdin is the request's bytes (empty when none),
 * stdout and stderr are captured. A normal return of `_start` is exit code 0, `proc_exit(n)`
 * is n, a trap fails the run with `WASI module trapped: <error>\nstderr: <captured stderr>`; the
 * requested output files that exist come back by the path as requested. Nothing outside that
 * folder exists for the module: the host's files are out of its reach.
 *
 * The module runs on the calling thread (compiled asynchronously, as browsers require for large
 * modules) and cannot be stopped: in a browser a module that never ends blocks that thread. Use
 * it where such tools are trusted, or in a Web Worker of your own.
 */
export function browserWasiRunner(): WasiRunner {
  return {
    async run(request: WasiRunRequest): Promise<WasiRunResult> {
      const root = new Map<string, Inode>();
      for (const [path, bytes] of request.files) put(root, path, bytes);
      const stdout = new File(new Uint8Array(0));
      const stderr = new File(new Uint8Array(0));
      const fds = [new OpenFile(new File(request.stdin ?? new Uint8Array(0))), new OpenFile(stdout), new OpenFile(stderr), new PreopenDirectory('.', root)];
      const argv = ['program', ...request.args];
      const wasi = new WASI(argv, [], fds);
      fixArgsSizes(wasi, argv);
      let module: WebAssembly.Module;
      try {
        module = await WebAssembly.compile(request.module as Uint8Array<ArrayBuffer>);
      } catch (error) {
        throw wasiRunError('compile', errorMessage(error), stderr.data);
      }
      let instance: WebAssembly.Instance;
      try {
        instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport as WebAssembly.ModuleImports });
      } catch (error) {
        throw wasiRunError('instantiate', errorMessage(error), stderr.data);
      }
      const exports = instance.exports as { _start?: unknown; memory?: unknown };
      if (typeof exports._start !== 'function') throw wasiRunError('no-start', '', stderr.data);
      if (!(exports.memory instanceof WebAssembly.Memory)) throw wasiRunError('no-memory', '', stderr.data);
      if (request.signal?.aborted) throw wasiRunError('trap', "it was stopped: the plugin's call ended", stderr.data);
      let exitCode: number;
      try {
        exitCode = wasi.start(instance as unknown as Parameters<WASI['start']>[0]);
      } catch (error) {
        throw wasiRunError('trap', String(error), stderr.data);
      }
      const files = new Map<string, Uint8Array>();
      for (const path of request.outputFiles) {
        const bytes = find(root, path);
        if (bytes !== null) files.set(path, bytes);
      }
      return { exitCode, stdout: stdout.data.slice(), stderr: stderr.data.slice(), files };
    },
  };
}
