// The kit's own WASI preview 1, for metered plugins (their `wasi_snapshot_preview1` imports are
// routed here, see guest-entry-rewrite.ts). It gives what the Rust host gives a plugin (PROTOCOL
// §1): no arguments, no environment, no preopened folders, an empty stdin, stdout and stderr
// discarded; clocks and randomness are real (or come from the loader's `wasiSource` option).
// Unlike the engine's WASI, every function checks the call's deadline and abort first, and the
// ones whose work grows with a length (random_get, fd_write, fd_read over many buffers) work in
// chunks, checking the deadline between them and yielding the thread when the slice is over, so
// no single WASI call can hold the host's thread past its deadline. Portable: no Node module.

import { GuestExitError } from './call-stop.js';
import { nextTask } from './after-pending-tasks.js';
import type { FuelMeter } from './fuel-meter.js';

/** A WASI function as the SDK calls it: its CallContext first, then the wasm arguments. */
export type WasiFunction = (context: unknown, ...args: (number | bigint)[]) => number | Promise<number> | undefined;

const ERRNO = { success: 0, badf: 8, fault: 21, inval: 28, nosys: 52, notsup: 58, spipe: 70 } as const;
const FILETYPE_CHARACTER_DEVICE = 2;
const RIGHT_FD_READ = 1n << 1n;
const RIGHT_FD_WRITE = 1n << 6n;
const RIGHT_POLL_FD_READWRITE = 1n << 27n;
const MAX_U32 = 0xffff_ffff;
/** Bytes of randomness made between two deadline checks (crypto.getRandomValues takes 64 KiB at most). */
const RANDOM_CHUNK = 65_536;
/** Buffers (iovecs) walked between two deadline checks. */
const IOVEC_CHUNK = 65_536;

/** The functions of WASI preview 1 (`wasi_snapshot_preview1`), every one of which the shim provides. */
export const WASI_FUNCTIONS: ReadonlySet<string> = new Set([
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
]);

/**
 * Where a metered plugin's WASI clocks and randomness come from: the real ones
 * ({@link realWasiSource}), or another source (the loader's `wasiSource` option: a recording
 * wraps the real one, a replay answers from a trace).
 */
export interface WasiSource {
  /** The time of WASI clock `id` (0 realtime, 1 monotonic, 2 process, 3 thread) in nanoseconds. */
  clockNs(id: number): bigint;
  /** Fills `bytes` with random bytes (at most 64 KiB at a time). */
  fillRandom(bytes: Uint8Array): void;
}

/** The real clocks (`performance`) and randomness (`crypto.getRandomValues`). */
export const realWasiSource: WasiSource = {
  clockNs: (id) => BigInt(Math.round((id === 0 ? performance.timeOrigin + performance.now() : performance.now()) * 1e6)),
  fillRandom: (bytes) => void globalThis.crypto.getRandomValues(bytes),
};

/**
 * The functions whose work grows with a length and is done in chunks (random_get, fd_write): the
 * only ones that may yield, by returning a Promise. Only these need to be `WebAssembly.Suspending`
 * imports; the others stay plain (a Suspending import costs more per call, and QuickJS reads the
 * clock often).
 */
export const CHUNKED_WASI_FUNCTIONS: ReadonlySet<string> = new Set(['random_get', 'fd_write']);

/** The kit's WASI for one metered instance. */
export interface KitWasi {
  /** The import object's functions, by WASI name. */
  readonly functions: Record<string, WasiFunction>;
  /** Gives the shim the instance's memory (after instantiation, before any guest code runs). */
  bind(memory: WebAssembly.Memory | null): void;
}

class Fault extends Error {}

/**
 * The WASI of a metered guest. `meter` stops a call past its deadline; with `yielding`, work
 * longer than the slice continues after a macrotask (the function then returns a Promise,
 * which only a `WebAssembly.Suspending` import may do: JSPI).
 */
export function meteredWasi(meter: FuelMeter, options: { yielding: boolean; sliceMs: number | null; source?: WasiSource | null }): KitWasi {
  const source = options.source ?? realWasiSource;
  let memory: WebAssembly.Memory | null = null;
  const closed = new Set<number>();
  const view = (): DataView => {
    if (!memory) throw new Fault();
    return new DataView(memory.buffer);
  };
  const inBounds = (v: DataView, ptr: number, length: number): void => {
    if (ptr < 0 || length < 0 || ptr + length > v.byteLength) throw new Fault();
  };
  const u32 = (v: DataView, ptr: number): number => {
    inBounds(v, ptr, 4);
    return v.getUint32(ptr, true);
  };
  const setU32 = (v: DataView, ptr: number, value: number): void => {
    inBounds(v, ptr, 4);
    v.setUint32(ptr, value, true);
  };
  const setU64 = (v: DataView, ptr: number, value: bigint): void => {
    inBounds(v, ptr, 8);
    v.setBigUint64(ptr, value, true);
  };
  const isStdio = (fd: number) => fd >= 0 && fd <= 2 && !closed.has(fd);

  /**
   * Runs `step(done)` until it returns the total, checking the deadline between steps; past the
   * slice (with JSPI), the rest runs after a macrotask, so the thread is given back.
   */
  const chunked = (step: () => number | null): number | Promise<number> => {
    let sliceStart = performance.now();
    const run = (): number | Promise<number> => {
      for (;;) {
        meter.checkDeadline();
        const result = step();
        if (result !== null) return result;
        if (options.yielding && options.sliceMs !== null && performance.now() - sliceStart >= options.sliceMs) {
          return nextTask().then(() => {
            sliceStart = performance.now();
            return run();
          });
        }
      }
    };
    return run();
  };

  // Every function: the deadline first, then the work; a bad pointer answers EFAULT as wasmtime
  // does (never a JavaScript exception, which would trap).
  const guarded =
    (fn: (...args: (number | bigint)[]) => number | Promise<number>): WasiFunction =>
    (_context, ...args) => {
      meter.checkDeadline();
      try {
        const result = fn(...args);
        return result instanceof Promise ? result.catch(faultToErrno) : result;
      } catch (error) {
        return faultToErrno(error);
      }
    };

  const stdioOnly = (errnoForStdio: number) => guarded((fd) => (isStdio(Number(fd)) ? errnoForStdio : ERRNO.badf));
  const badf = guarded(() => ERRNO.badf);
  const nosys = guarded(() => ERRNO.nosys);

  const functions: Record<string, WasiFunction> = {
    args_get: guarded(() => ERRNO.success),
    args_sizes_get: guarded((argc, bufSize) => {
      const v = view();
      setU32(v, Number(argc), 0);
      setU32(v, Number(bufSize), 0);
      return ERRNO.success;
    }),
    environ_get: guarded(() => ERRNO.success),
    environ_sizes_get: guarded((count, bufSize) => {
      const v = view();
      setU32(v, Number(count), 0);
      setU32(v, Number(bufSize), 0);
      return ERRNO.success;
    }),
    clock_res_get: guarded((id, resultPtr) => {
      if (Number(id) < 0 || Number(id) > 3) return ERRNO.inval;
      setU64(view(), Number(resultPtr), 1_000n);
      return ERRNO.success;
    }),
    clock_time_get: guarded((id, _precision, resultPtr) => {
      const clock = Number(id);
      if (clock < 0 || clock > 3) return ERRNO.inval;
      const ns = source.clockNs(clock);
      setU64(view(), Number(resultPtr), BigInt.asUintN(64, ns));
      return ERRNO.success;
    }),
    fd_write: guarded((fd, iovs, iovsLength, writtenPtr) => {
      if (!isStdio(Number(fd)) || Number(fd) === 0) return ERRNO.badf;
      // stdout and stderr are discarded (as in Rust): the work is walking the buffers.
      return walkIovecs(Number(iovs), Number(iovsLength), (total) => {
        setU32(view(), Number(writtenPtr), total);
        return ERRNO.success;
      });
    }),
    fd_read: guarded((fd, iovs, iovsLength, readPtr) => {
      if (!isStdio(Number(fd)) || Number(fd) !== 0) return ERRNO.badf;
      const v = view();
      inBounds(v, Number(iovs), Number(iovsLength) * 8);
      setU32(v, Number(readPtr), 0); // stdin is empty: end of file at once
      return ERRNO.success;
    }),
    fd_close: guarded((fd) => {
      if (!isStdio(Number(fd))) return ERRNO.badf;
      closed.add(Number(fd));
      return ERRNO.success;
    }),
    fd_fdstat_get: guarded((fd, statPtr) => {
      const n = Number(fd);
      if (!isStdio(n)) return ERRNO.badf;
      const v = view();
      const ptr = Number(statPtr);
      inBounds(v, ptr, 24);
      v.setUint8(ptr, FILETYPE_CHARACTER_DEVICE);
      v.setUint16(ptr + 2, 0, true);
      v.setBigUint64(ptr + 8, (n === 0 ? RIGHT_FD_READ : RIGHT_FD_WRITE) | RIGHT_POLL_FD_READWRITE, true);
      v.setBigUint64(ptr + 16, 0n, true);
      return ERRNO.success;
    }),
    fd_filestat_get: guarded((fd, statPtr) => {
      if (!isStdio(Number(fd))) return ERRNO.badf;
      const v = view();
      const ptr = Number(statPtr);
      inBounds(v, ptr, 64);
      for (let i = 0; i < 64; i += 8) v.setBigUint64(ptr + i, 0n, true);
      v.setUint8(ptr + 16, FILETYPE_CHARACTER_DEVICE);
      return ERRNO.success;
    }),
    fd_seek: stdioOnly(ERRNO.spipe),
    fd_tell: stdioOnly(ERRNO.spipe),
    fd_prestat_get: badf, // no preopened folders: the guest's search for them ends at once
    fd_prestat_dir_name: badf,
    fd_advise: stdioOnly(ERRNO.spipe),
    fd_allocate: stdioOnly(ERRNO.notsup),
    fd_datasync: stdioOnly(ERRNO.inval),
    fd_sync: stdioOnly(ERRNO.inval),
    fd_fdstat_set_flags: stdioOnly(ERRNO.notsup),
    fd_fdstat_set_rights: stdioOnly(ERRNO.notsup),
    fd_filestat_set_size: stdioOnly(ERRNO.inval),
    fd_filestat_set_times: stdioOnly(ERRNO.notsup),
    fd_pread: stdioOnly(ERRNO.spipe),
    fd_pwrite: stdioOnly(ERRNO.spipe),
    fd_readdir: stdioOnly(ERRNO.notsup),
    fd_renumber: stdioOnly(ERRNO.notsup),
    path_create_directory: badf,
    path_filestat_get: badf,
    path_filestat_set_times: badf,
    path_link: badf,
    path_open: badf,
    path_readlink: badf,
    path_remove_directory: badf,
    path_rename: badf,
    path_symlink: badf,
    path_unlink_file: badf,
    poll_oneoff: nosys,
    proc_exit: (_context, code) => {
      throw new GuestExitError(Number(code) | 0);
    },
    proc_raise: nosys,
    sched_yield: guarded(() => ERRNO.success),
    random_get: guarded((buf, length) => {
      const v = view();
      const start = Number(buf) >>> 0;
      const total = Number(length) >>> 0;
      inBounds(v, start, total);
      let done = 0;
      return chunked(() => {
        if (done >= total) return ERRNO.success;
        const n = Math.min(RANDOM_CHUNK, total - done);
        // A fresh view each chunk: the memory's buffer is replaced when it grows.
        source.fillRandom(new Uint8Array(view().buffer, start + done, n));
        done += n;
        return null;
      });
    }),
    sock_accept: badf,
    sock_recv: badf,
    sock_send: badf,
    sock_shutdown: badf,
  };

  /** Walks `count` iovecs at `ptr` (bounds-checked), summing their lengths (capped at u32). */
  function walkIovecs(ptr: number, count: number, finish: (total: number) => number): number | Promise<number> {
    inBounds(view(), ptr, count * 8);
    let index = 0;
    let total = 0;
    return chunked(() => {
      const v = view();
      const end = Math.min(count, index + IOVEC_CHUNK);
      for (; index < end; index++) {
        const at = ptr + index * 8;
        const base = u32(v, at);
        const length = u32(v, at + 4);
        inBounds(v, base, length);
        total = Math.min(MAX_U32, total + length);
      }
      return index >= count ? finish(total) : null;
    });
  }

  return {
    functions,
    bind(bound) {
      memory = bound;
    },
  };
}

function faultToErrno(error: unknown): number {
  if (error instanceof Fault) return ERRNO.fault;
  throw error;
}

/**
 * The kit's `proc_exit` for the modes that keep the engine's WASI for the rest. In-process it
 * ends the call at once; in a worker a host function must not throw (rc13 would kill the
 * plugin), so the exit is recorded and reported when the call ends (compilers put a trap after
 * `proc_exit`, which never returns).
 */
export function procExit(onExit: ((code: number) => void) | null): WasiFunction {
  return (_context, code) => {
    const exitCode = Number(code) | 0;
    if (onExit === null) throw new GuestExitError(exitCode);
    onExit(exitCode);
    return undefined;
  };
}
