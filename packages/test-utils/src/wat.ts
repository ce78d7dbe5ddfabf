import wabtInit from 'wabt';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabtPromise: Promise<Wabt> | undefined;

/** WebAssembly features wabt accepts beyond the MVP (bulk memory is always on). */
export interface WatFeatures {
  simd?: boolean;
  multi_value?: boolean;
  reference_types?: boolean;
  sat_float_to_int?: boolean;
  sign_extension?: boolean;
  tail_call?: boolean;
  /** Several memories; wabt 1.0.39's validator refuses a second memory even so, so the engine validates these instead. */
  multi_memory?: boolean;
  threads?: boolean;
}

/** Compiles WebAssembly text to a binary module with the `wabt` package (throws on errors). */
export async function compileWat(source: string, name = 'fixture.wat', features: WatFeatures = {}): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  let module: ReturnType<Wabt['parseWat']> | undefined;
  try {
    module = wabt.parseWat(name, source, { bulk_memory: true, ...features });
    if (!features.multi_memory) module.validate();
    const { buffer } = module.toBinary({ write_debug_names: true });
    return new Uint8Array(buffer);
  } catch (error) {
    const message = String((error as Error).message ?? error).split('\n').slice(0, 6).join('\n');
    throw new Error(`compileWat(${name}): ${message}`);
  } finally {
    module?.destroy();
  }
}

/** Escapes text for a WAT data string. */
export function watString(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    out += byte >= 0x20 && byte < 0x7f && ch !== '"' && ch !== '\\' ? ch : `\\${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The Extism kernel imports every generated guest declares. */
export const KERNEL_IMPORTS = `
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))`;

/** Helper functions every generated guest has: `$to_block`, `$output_bytes`, `$output_handle`, `$fail`. */
export const GUEST_HELPERS = `
  (func $to_block (param $ptr i32) (param $len i32) (result i64)
    (local $off i64) (local $i i32)
    (local.set $off (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (call $store_u8 (i64.add (local.get $off) (i64.extend_i32_u (local.get $i)))
                      (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.get $off))
  (func $output_bytes (param $ptr i32) (param $len i32)
    (call $output_set (call $to_block (local.get $ptr) (local.get $len)) (i64.extend_i32_u (local.get $len))))
  (func $output_handle (param $h i64)
    (local $len i64)
    ;; Handle 0 is "" (rc13's kernel says length 1 for it: its null page). An empty answer is a
    ;; block of length 0, which worker mode ships as a freed block: output_set refuses it.
    (if (i64.eqz (local.get $h)) (then (return)))
    (local.set $len (call $length (local.get $h)))
    (if (i64.ne (local.get $len) (i64.const 0))
      (then (call $output_set (local.get $h) (local.get $len)))))
  (func $fail (param $ptr i32) (param $len i32)
    (call $error_set (call $to_block (local.get $ptr) (local.get $len))))`;

/** Options of {@link guestWat}. */
export interface GuestWatOptions {
  /** The manifest JSON text the `manifest` export outputs; `null` = no `manifest` export. */
  manifest?: string | null;
  /** Host functions (from `extism:host/user`) to import, each as `$<name>` of type (i64)→i64. */
  hostImports?: readonly string[];
  /** Extra imports (WAT), placed after the kernel imports. */
  extraImports?: string;
  /** Static data strings by label: each becomes a data segment and `$<label>_ptr/len` globals. */
  data?: Record<string, string>;
  /** Exported functions: name → WAT body of a `(result i32)` function (must end with an i32). */
  exports?: Record<string, string>;
  /** Extra module fields (functions, globals). */
  extra?: string;
  /** Memory pages (default 1). */
  memoryPages?: number;
}

/**
 * Generates a small guest module: kernel imports, helpers, `manifest` output from a data
 * segment, and exports whose bodies can use `(call $output_str (global.get $x_ptr) (global.get $x_len))`.
 */
export function guestWat(options: GuestWatOptions = {}): string {
  const data: Record<string, string> = { ...(options.data ?? {}) };
  if (options.manifest != null) data['manifest'] = options.manifest;
  let offset = 1024;
  const segments: string[] = [];
  const globals: string[] = [];
  for (const [label, text] of Object.entries(data)) {
    const length = new TextEncoder().encode(text).length;
    segments.push(`(data (i32.const ${offset}) "${watString(text)}")`);
    globals.push(`(global $${label}_ptr i32 (i32.const ${offset}))`, `(global $${label}_len i32 (i32.const ${length}))`);
    offset += length + 16;
  }
  const pages = Math.max(options.memoryPages ?? 1, Math.ceil((offset + 1) / 65536));
  const hostImports = (options.hostImports ?? [])
    .map((name) => `(import "extism:host/user" "${name}" (func $${name} (param i64) (result i64)))`)
    .join('\n  ');
  const exports = { ...(options.exports ?? {}) };
  if (options.manifest != null && !('manifest' in exports)) {
    exports['manifest'] = '(call $output_bytes (global.get $manifest_ptr) (global.get $manifest_len)) (i32.const 0)';
  }
  const funcs = Object.entries(exports)
    .map(([name, body]) => `(func (export "${name}") (result i32)\n    ${body})`)
    .join('\n  ');
  return `(module
  ${KERNEL_IMPORTS}
  ${hostImports}
  ${options.extraImports ?? ''}
  (memory (export "memory") ${pages})
  ${segments.join('\n  ')}
  ${globals.join('\n  ')}
  ${GUEST_HELPERS}
  ${options.extra ?? ''}
  ${funcs}
)`;
}

/**
 * A probe plugin: for each host function `host_x` an export `probe_host_x` passes the export's
 * input handle straight to it and outputs what it returned, so tests can call any host function
 * with any raw input through the real loader.
 */
export function probeWat(manifest: string, hostFunctions: readonly string[]): string {
  const exports: Record<string, string> = {};
  for (const name of hostFunctions) {
    exports[`probe_${name}`] = `(call $output_handle (call $${name} (call $input_offset))) (i32.const 0)`;
  }
  return guestWat({ manifest, hostImports: hostFunctions, exports });
}
