import type { MaybePromise } from '../runtime/maybe-async.js';

/** A request to run a WASI module the plugin stored earlier (`host_run_wasi_module`). */
export interface WasiRunRequest {
  module: Uint8Array;
  args: string[];
  stdin: Uint8Array | null;
  /** Input files by workspace-free relative path. */
  files: Map<string, Uint8Array>;
  outputFiles: string[];
  /** Aborted when the plugin's export call is over (timed out, plugin closed): stop the module then. */
  signal?: AbortSignal;
}

/** The result of a WASI run. */
export interface WasiRunResult {
  exitCode: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Requested output files that exist. */
  files: Map<string, Uint8Array>;
}

/**
 * Runs WASI modules for plugins. Not configured = Rust's "feature not enabled" stub. An error
 * thrown by `run` fails the guest's call with `host_run_wasi_module: <its message>`, e.g.
 * `WASI module trapped: <error>\nstderr: <captured stderr>` (see `nodeWasiRunner`).
 */
export interface WasiRunner {
  run(request: WasiRunRequest): MaybePromise<WasiRunResult>;
}
