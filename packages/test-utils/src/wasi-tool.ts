import { watString } from './wat.js';

/**
 * A WASI command-line tool (a `_start` module importing `wasi_snapshot_preview1`) for testing
 * WASI runners. What it does is chosen by the first letter of its first argument:
 * - `args`: writes the argument buffer (`program\0arg1\0…`) to stdout;
 * - `cat`: copies stdin to stdout;
 * - `file IN OUT`: copies the file IN to OUT (created) in the preopened folder, writes `copied`
 *   to stderr; exit code 2 when IN cannot be opened, 3 when OUT cannot be created;
 * - `open PATH`: exit code 0 when PATH opens for reading, 4 when it is refused;
 * - `x`: writes `bye` to stderr and calls `proc_exit(7)`;
 * - `trap`: writes `oops` to stderr, then executes `unreachable`;
 * - `loop`: never ends.
 */
export function wasiToolWat(): string {
  const data = { copied: 'copied', bye: 'bye', oops: 'oops' };
  const at: Record<string, number> = {};
  let offset = 4096;
  const segments: string[] = [];
  for (const [label, text] of Object.entries(data)) {
    at[label] = offset;
    segments.push(`(data (i32.const ${offset}) "${watString(text)}")`);
    offset += 16;
  }
  return `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  ${segments.join('\n  ')}
  ;; 0: iovec, 8: nread/nwritten, 16: argc, 20: argv buffer size, 24: opened fd,
  ;; 1024: argv pointers, 2048: argv buffer, 8192: data buffer (32 KiB)
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $read (param $fd i32) (result i32)
    (i32.store (i32.const 0) (i32.const 8192))
    (i32.store (i32.const 4) (i32.const 32768))
    (if (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)) (then (return (i32.const -1))))
    (i32.load (i32.const 8)))
  (func $copy (param $from i32) (param $to i32) (local $n i32)
    (block $done (loop $more
      (local.set $n (call $read (local.get $from)))
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (call $write (local.get $to) (i32.const 8192) (local.get $n))
      (br $more))))
  (func $arg (param $i i32) (result i32)
    (i32.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))))
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $more
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $more)))
    (local.get $n))
  ;; path_open in the preopened folder (fd 3): read (fd_read = 2) or create + truncate for writing (fd_write = 64)
  (func $open (param $path i32) (param $create i32) (result i32)
    (if (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (call $strlen (local.get $path))
          (select (i32.const 9) (i32.const 0) (local.get $create))
          (select (i64.const 64) (i64.const 2) (local.get $create)) (i64.const 0) (i32.const 0) (i32.const 24))
      (then (return (i32.const -1))))
    (i32.load (i32.const 24)))
  (func (export "_start") (local $cmd i32) (local $in i32) (local $out i32)
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (if (i32.lt_u (i32.load (i32.const 16)) (i32.const 2)) (then (return)))
    (local.set $cmd (i32.load8_u (call $arg (i32.const 1))))
    (if (i32.eq (local.get $cmd) (i32.const 97)) ;; a
      (then (call $write (i32.const 1) (i32.const 2048) (i32.load (i32.const 20))) (return)))
    (if (i32.eq (local.get $cmd) (i32.const 99)) ;; c
      (then (call $copy (i32.const 0) (i32.const 1)) (return)))
    (if (i32.eq (local.get $cmd) (i32.const 102)) ;; f
      (then
        (local.set $in (call $open (call $arg (i32.const 2)) (i32.const 0)))
        (if (i32.lt_s (local.get $in) (i32.const 0)) (then (call $proc_exit (i32.const 2))))
        (local.set $out (call $open (call $arg (i32.const 3)) (i32.const 1)))
        (if (i32.lt_s (local.get $out) (i32.const 0)) (then (call $proc_exit (i32.const 3))))
        (call $copy (local.get $in) (local.get $out))
        (drop (call $fd_close (local.get $in)))
        (drop (call $fd_close (local.get $out)))
        (call $write (i32.const 2) (i32.const ${at['copied']}) (i32.const 6))
        (return)))
    (if (i32.eq (local.get $cmd) (i32.const 111)) ;; o
      (then
        (if (i32.lt_s (call $open (call $arg (i32.const 2)) (i32.const 0)) (i32.const 0)) (then (call $proc_exit (i32.const 4))))
        (return)))
    (if (i32.eq (local.get $cmd) (i32.const 120)) ;; x
      (then (call $write (i32.const 2) (i32.const ${at['bye']}) (i32.const 3)) (call $proc_exit (i32.const 7))))
    (if (i32.eq (local.get $cmd) (i32.const 116)) ;; t
      (then (call $write (i32.const 2) (i32.const ${at['oops']}) (i32.const 4)) unreachable))
    (if (i32.eq (local.get $cmd) (i32.const 108)) ;; l
      (then (loop $forever (br $forever)))))
)`;
}
