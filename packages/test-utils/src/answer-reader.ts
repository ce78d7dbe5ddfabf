import { guestWat } from './wat.js';

// What `extism-pdk` (the Rust guest SDK) does with the handle a host function returns: it asks
// the kernel for the block's length (`length_unsafe`, or `length`), then copies that many bytes
// out with `load_u64` in 8-byte steps and `load_u8` for the rest. It never tests the handle
// for 0, so the length the kernel gives for the handle is what the guest reads.
const READER = `
  (func $read_answer (param $h i64)
    (local $len i64) (local $safe_len i64) (local $i i64) (local $out i64)
    (local.set $len (call $length_unsafe (local.get $h)))
    (local.set $safe_len (call $length (local.get $h)))
    ;; copy the answer into linear memory at 4096, as extism-pdk's load does
    (block $words (loop $word
      (br_if $words (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $len)))
      (i64.store (i32.wrap_i64 (i64.add (i64.const 4096) (local.get $i)))
                 (call $load_u64 (i64.add (local.get $h) (local.get $i))))
      (local.set $i (i64.add (local.get $i) (i64.const 8))) (br $word)))
    (block $bytes (loop $byte
      (br_if $bytes (i64.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.wrap_i64 (i64.add (i64.const 4096) (local.get $i)))
                  (call $load_u8 (i64.add (local.get $h) (local.get $i))))
      (local.set $i (i64.add (local.get $i) (i64.const 1))) (br $byte)))
    ;; output: length_unsafe (u64 LE), length (u64 LE), then the bytes read
    (local.set $out (call $alloc (i64.add (i64.const 16) (local.get $len))))
    (call $store_u64 (local.get $out) (local.get $len))
    (call $store_u64 (i64.add (local.get $out) (i64.const 8)) (local.get $safe_len))
    (local.set $i (i64.const 0))
    (block $done (loop $copy
      (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
      (call $store_u8 (i64.add (local.get $out) (i64.add (i64.const 16) (local.get $i)))
                      (i32.load8_u (i32.wrap_i64 (i64.add (i64.const 4096) (local.get $i)))))
      (local.set $i (i64.add (local.get $i) (i64.const 1))) (br $copy)))
    (call $output_set (local.get $out) (i64.add (i64.const 16) (local.get $len))))`;

const READER_IMPORTS = `
  (import "extism:host/env" "length_unsafe" (func $length_unsafe (param i64) (result i64)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))`;

/**
 * A guest that reads host answers the way the Rust guest SDK (`extism-pdk`) does: for each host
 * function `host_x`, the export `read_host_x` passes its input to `host_x`, reads the returned
 * handle with `length_unsafe`/`length` and `load_u64`/`load_u8`, and outputs what it read.
 * Decode the output with {@link decodeAnswer}.
 */
export function answerReaderWat(manifest: string, hostFunctions: readonly string[]): string {
  const exports: Record<string, string> = {};
  for (const name of hostFunctions) {
    exports[`read_${name}`] = `(call $read_answer (call $${name} (call $input_offset))) (i32.const 0)`;
  }
  return guestWat({ manifest, hostImports: hostFunctions, extraImports: READER_IMPORTS, extra: READER, exports, memoryPages: 4 });
}

/** What the reader guest read from one host answer. */
export interface ReadAnswer {
  /** The kernel's `length_unsafe` of the returned handle. */
  length: number;
  /** The kernel's `length` of the returned handle. */
  checkedLength: number;
  /** The bytes the guest copied out. */
  bytes: Uint8Array;
}

/** Decodes the output of a `read_<host fn>` export of {@link answerReaderWat}. */
export function decodeAnswer(output: Uint8Array | null): ReadAnswer {
  if (!output || output.length < 16) throw new Error(`answer reader: output of ${output?.length ?? 0} bytes, expected at least 16`);
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  return {
    length: Number(view.getBigUint64(0, true)),
    checkedLength: Number(view.getBigUint64(8, true)),
    bytes: output.slice(16),
  };
}
