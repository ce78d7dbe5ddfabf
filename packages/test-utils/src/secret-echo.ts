import { guestWat } from './wat.js';

/**
 * A plugin that reads the secret `token` through `host_secret_get` and lets it out every way a
 * trace could catch it: `echo` logs it (`host_log`, "token is <secret>"), emits it as an event
 * (`host_emit_event`, `{"token":"<secret>"}`) and outputs "echo: <secret>"; `fail` fails the call
 * with the error text "secret was <secret>". Id `secret-echo`.
 */
export function secretEchoWat(): string {
  const manifest = JSON.stringify({ id: 'secret-echo', name: 'Secret echo', version: '1.0.0', description: 'Echoes its secret', capabilities: [] });
  const compose = (parts: string) => `(local.set $at (i32.const 24576)) ${parts}`;
  const part = (label: string) =>
    `(memory.copy (local.get $at) (global.get $${label}_ptr) (global.get $${label}_len)) (local.set $at (i32.add (local.get $at) (global.get $${label}_len)))`;
  const value = `(memory.copy (local.get $at) (i32.const 8202) (local.get $v)) (local.set $at (i32.add (local.get $at) (local.get $v)))`;
  const composed = '(i32.const 24576) (i32.sub (local.get $at) (i32.const 24576))';
  return guestWat({
    manifest,
    hostImports: ['host_secret_get', 'host_log', 'host_emit_event'],
    data: {
      req: '{"key":"token"}',
      logpre: '{"level":"info","message":"token is ',
      eventpre: '{"token":"',
      close: '"}',
      outpre: 'echo: ',
      failpre: 'secret was ',
    },
    extra: `
  (func $read_block (param $h i64) (param $dst i32) (result i32)
    (local $len i32) (local $i i32)
    (if (i64.eqz (local.get $h)) (then (return (i32.const 0))))
    (local.set $len (i32.wrap_i64 (call $length (local.get $h))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (local.get $dst) (local.get $i)) (call $load_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.get $len))
  ;; Reads {"value":"<secret>"} to 8192: the secret (JSON-escaped) is at 8202; returns its length.
  (func $secret (result i32)
    (local $len i32)
    (local.set $len (call $read_block (call $host_secret_get (call $to_block (global.get $req_ptr) (global.get $req_len))) (i32.const 8192)))
    (if (result i32) (i32.lt_u (local.get $len) (i32.const 12)) (then (i32.const 0)) (else (i32.sub (local.get $len) (i32.const 12)))))
  (func $send (param $ptr i32) (param $len i32) (result i64) (call $to_block (local.get $ptr) (local.get $len)))`,
    exports: {
      echo: `(local $v i32) (local $at i32)
    (local.set $v (call $secret))
    ${compose(`${part('logpre')} ${value} ${part('close')}`)}
    (drop (call $host_log (call $send ${composed})))
    ${compose(`${part('eventpre')} ${value} ${part('close')}`)}
    (drop (call $host_emit_event (call $send ${composed})))
    ${compose(`${part('outpre')} ${value}`)}
    (call $output_bytes ${composed})
    (i32.const 0)`,
      fail: `(local $v i32) (local $at i32)
    (local.set $v (call $secret))
    ${compose(`${part('failpre')} ${value}`)}
    (call $fail ${composed})
    (i32.const 1)`,
    },
  });
}
