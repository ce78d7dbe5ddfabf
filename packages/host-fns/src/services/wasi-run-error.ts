import { decodeUtf8Lossy } from '../util/utf8.js';

/** Where a WASI run failed. */
export type WasiFailure = 'compile' | 'instantiate' | 'no-start' | 'no-memory' | 'trap';

/**
 * The error of a failed WASI run, with the texts of Rust's runner (§4.20), which
 * `host_run_wasi_module` prefixes with its name: `Failed to compile WASI module: <e>`,
 * `Failed to instantiate WASI module: <e>`, `WASI module has no _start export`,
 * `WASI module trapped: <e>\nstderr: <captured stderr>`.
 */
export function wasiRunError(failure: WasiFailure, message: string, stderr: Uint8Array): Error {
  switch (failure) {
    case 'compile':
      return new Error(`Failed to compile WASI module: ${message}`);
    case 'instantiate':
      return new Error(`Failed to instantiate WASI module: ${message}`);
    case 'no-start':
      return new Error('WASI module has no _start export');
    case 'no-memory':
      return new Error('WASI module has no memory export (the runner needs one)');
    case 'trap':
      return new Error(`WASI module trapped: ${message}\nstderr: ${decodeUtf8Lossy(stderr)}`);
  }
}
