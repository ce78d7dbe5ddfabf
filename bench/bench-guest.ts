import type { CallContext } from '@extism/extism';
import { compileWat, guestWat } from '@diaryx/test-utils';

/**
 * The benchmarks' guest: `handle_command` answers at once, `get` / `read` make one host call
 * (`host_storage_get` of "greeting", `host_read_file` of note.md), `on_event` does nothing; plus
 * `extra` exports (WebAssembly text bodies, each `(result i32)`, with one i32 local).
 */
export function benchGuest(id: string, extra: Record<string, string> = {}): Promise<Uint8Array> {
  const call = (fn: string, data: string) =>
    `(call $output_handle (call $${fn} (call $to_block (global.get $${data}_ptr) (global.get $${data}_len)))) (i32.const 0)`;
  let wat = guestWat({
    manifest: JSON.stringify({ id, name: id, version: '1', description: 'bench', capabilities: ['custom_commands'], commands: ['noop'] }),
    hostImports: ['host_storage_get', 'host_read_file'],
    data: { ok: '{"success":true,"data":1}', key: '{"key":"greeting"}', path: '{"path":"note.md"}' },
    exports: {
      handle_command: '(call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)',
      get: call('host_storage_get', 'key'),
      read: call('host_read_file', 'path'),
      on_event: '(i32.const 0)',
      ...extra,
    },
  });
  for (const name of Object.keys(extra)) wat = wat.replace(`(func (export "${name}") (result i32)`, `(func (export "${name}") (result i32) (local i32)`);
  return compileWat(wat);
}

/** What the bench guest's storage holds under "greeting". */
export const GREETING = 'hello from storage';

/** Bare Extism host functions doing the work the kit's do for the bench guest (parse, look up, answer). */
export function bareFunctions() {
  return {
    'extism:host/user': {
      host_storage_get(cp: CallContext, off: bigint) {
        JSON.parse(cp.read(off)!.text());
        return cp.store(JSON.stringify({ data: Buffer.from(GREETING).toString('base64') }));
      },
      host_read_file(cp: CallContext, off: bigint) {
        JSON.parse(cp.read(off)!.text());
        return cp.store('one two three four five');
      },
    },
  };
}
