import { HOST_FUNCTION_NAMES, HOST_NAMESPACE } from '@diaryx/host-fns';
import { METER_IMPORT } from '@diaryx/wasm';
import { KIT_WASI_MODULE } from './guest-entry-rewrite.js';
import { WASI_FUNCTIONS } from './wasi-shim.js';

/** The Extism kernel functions (`extism:host/env`) that `@extism/extism` 2.0.0-rc13 provides. */
const KERNEL_FUNCTIONS = new Set([
  'alloc', 'free', 'length', 'length_unsafe', 'load_u8', 'load_u64', 'store_u8', 'store_u64',
  'input_length', 'input_offset', 'input_load_u8', 'input_load_u64', 'output_set', 'error_set',
  'error_get', 'config_get', 'var_get', 'var_set', 'http_request', 'http_status_code',
  'http_headers', 'log_info', 'log_warn', 'log_debug', 'log_error', 'log_trace', 'get_log_level',
]);

const HOST_FUNCTIONS = new Set(HOST_FUNCTION_NAMES);

/**
 * Checks a module's imports before it is instantiated: only Extism kernel functions, Diaryx
 * host functions and WASI preview 1 can be satisfied. Returns a message naming the first
 * import that cannot, or null. (Checking up front also keeps a bad module from failing inside
 * a worker thread, where the SDK cannot report the error.) A `metered` module's last import is
 * the meter's own; a plugin cannot import it itself.
 */
export function unsatisfiedImport(module: WebAssembly.Module, metered = false): string | null {
  const imports = WebAssembly.Module.imports(module);
  for (const [index, entry] of imports.entries()) {
    const what = `"${entry.module}" "${entry.name}"`;
    if (metered && index === imports.length - 1 && entry.module === METER_IMPORT.module && entry.name === METER_IMPORT.name) continue;
    if (entry.kind !== 'function') return `it imports a ${entry.kind} (${what}); plugins may import functions only`;
    if (entry.module === 'wasi_snapshot_preview1') continue;
    // WASI routed to the kit's own (guest-entry-rewrite.ts): every preview 1 function is there.
    if (entry.module === KIT_WASI_MODULE) {
      if (WASI_FUNCTIONS.has(entry.name)) continue;
      return `it imports ${what}, which is not a WASI preview 1 function`;
    }
    if (entry.module === 'extism:host/env') {
      if (KERNEL_FUNCTIONS.has(entry.name)) continue;
      return `it imports ${what}, which is not an Extism kernel function`;
    }
    if (entry.module === HOST_NAMESPACE) {
      if (HOST_FUNCTIONS.has(entry.name)) continue;
      return `it imports the host function ${what}, which this host does not provide (it provides ${HOST_FUNCTION_NAMES.length} host functions: ${HOST_FUNCTION_NAMES.join(', ')})`;
    }
    return `it imports ${what} from a module no Diaryx host provides (allowed: ${HOST_NAMESPACE}, extism:host/env, wasi_snapshot_preview1)`;
  }
  return null;
}
