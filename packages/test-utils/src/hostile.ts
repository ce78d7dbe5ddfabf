import { compileWat, guestWat, type GuestWatOptions } from './wat.js';

/** The manifest every hostile module declares unless its case is about the manifest. */
export function hostileManifest(id: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    name: id,
    version: '0.0.1',
    description: 'hostile fixture',
    capabilities: ['custom_commands'],
    commands: ['run'],
    ...overrides,
  });
}

const module = (options: GuestWatOptions) => compileWat(guestWat(options));
const command = (id: string, body: string, extra: Partial<GuestWatOptions> = {}) =>
  module({ manifest: hostileManifest(id), ...extra, exports: { handle_command: body, ...(extra.exports ?? {}) } });

/** A guest that answers `run` by passing a fixed request to one host function, then succeeds. */
export function hostCallModule(id: string, hostFunction: string, request: object): Promise<Uint8Array> {
  return command(
    id,
    `(drop (call $${hostFunction} (call $to_block (global.get $request_ptr) (global.get $request_len))))
     (call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)`,
    { hostImports: [hostFunction], data: { request: JSON.stringify(request), ok: '{"success":true}' } },
  );
}

/**
 * Modules that misbehave, by name. Each builds a real module (WAT compiled with wabt), except
 * the ones that are deliberately not valid wasm.
 */
export const hostileModules = {
  notWasm: async () => new TextEncoder().encode('#!/bin/sh\necho this is not wasm\n'),
  truncated: async () => (await module({ manifest: hostileManifest('truncated') })).subarray(0, 40),
  unknownImport: () => module({ manifest: hostileManifest('unknown-import'), hostImports: ['host_teleport'] }),
  importedMemory: () => compileWat('(module (import "env" "memory" (memory 1)) (func (export "manifest") (result i32) (i32.const 0)))'),
  noManifest: () => module({ manifest: null, exports: { handle_command: '(i32.const 0)' } }),
  manifestNotJson: () => module({ manifest: 'this is not json' }),
  manifestMissingId: () => module({ manifest: JSON.stringify({ name: 'n', version: '1', description: 'd', capabilities: [] }) }),
  protocol0: () => module({ manifest: hostileManifest('protocol-0', { protocol_version: 0 }) }),
  protocol99: () => module({ manifest: hostileManifest('protocol-99', { protocol_version: 99 }) }),
  minAppFuture: () => module({ manifest: hostileManifest('min-app-future', { min_app_version: '999.0.0' }) }),
  minAppGarbage: () => module({ manifest: hostileManifest('min-app-garbage', { min_app_version: 'garbage' }) }),
  manifestLoop: () => module({ manifest: hostileManifest('manifest-loop'), exports: { manifest: '(loop $l (br $l)) (i32.const 0)' } }),
  manifestTrap: () => module({ manifest: hostileManifest('manifest-trap'), exports: { manifest: 'unreachable' } }),
  startTrap: () => module({ manifest: hostileManifest('start-trap'), extra: '(func $start unreachable) (start $start)' }),
  startLoop: () => module({ manifest: hostileManifest('start-loop'), extra: '(func $start (loop $l (br $l))) (start $start)' }),
  hugeMinimumMemory: () => module({ manifest: hostileManifest('huge-memory'), memoryPages: 8192 }),
  commandLoop: () => command('command-loop', '(loop $l (br $l)) (i32.const 0)'),
  commandTrap: () => command('command-trap', 'unreachable'),
  stackOverflow: () => command('stack-overflow', '(call $recurse) (i32.const 0)', { extra: '(func $recurse (call $recurse))' }),
  growBomb: () =>
    command('grow-bomb', '(block $d (loop $l (br_if $d (i32.eq (memory.grow (i32.const 16)) (i32.const -1))) (br $l))) (i32.const 0)'),
  allocBomb: () =>
    command('alloc-bomb', '(block $d (loop $l (br_if $d (i64.eqz (call $alloc (i64.const 1048576)))) (br $l))) (i32.const 0)'),
  hugeOutput: () => command('huge-output', '(call $output_set (call $alloc (i64.const 314572800)) (i64.const 314572800)) (i32.const 0)'),
  invalidUtf8Output: async () => {
    // guestWat writes data as UTF-8; swap its NUL placeholder for a raw 0xff byte afterwards.
    const bytes = await command('invalid-utf8', '(call $output_bytes (global.get $out_ptr) (global.get $out_len)) (i32.const 0)', {
      data: { out: '{"success":true,"data":"bad \u0001 byte"}' },
    });
    const at = bytes.findIndex((b, i) => b === 0x01 && bytes[i - 1] === 0x20 && bytes[i + 1] === 0x20);
    bytes[at] = 0xff;
    return bytes;
  },
  commandNotJson: () =>
    command('not-json', '(call $output_bytes (global.get $out_ptr) (global.get $out_len)) (i32.const 0)', { data: { out: '<html>oops</html>' } }),
  errorSet: () =>
    command('error-set', '(call $fail (global.get $msg_ptr) (global.get $msg_len)) (i32.const 1)', { data: { msg: 'guest says no' } }),
  eventTrap: () => module({ manifest: hostileManifest('event-trap'), exports: { on_event: 'unreachable' } }),
  traversalWrite: () => hostCallModule('traversal', 'host_write_file', { path: '../outside.md', content: 'pwned' }),
  absoluteRead: () => hostCallModule('absolute', 'host_read_file', { path: '/etc/passwd' }),
  encodedTraversal: () => hostCallModule('encoded', 'host_write_file', { path: '%2e%2e/outside.md', content: 'literal folder name' }),
  deniedWrite: () => hostCallModule('denied-write', 'host_write_file', { path: 'notes/keep.md', content: 'overwritten' }),
  storageOverQuota: () => hostCallModule('over-quota', 'host_storage_set', { key: 'k', data: Buffer.alloc(1_048_577).toString('base64') }),
  selfCommand: () => hostCallModule('self-call', 'host_plugin_command', { plugin_id: 'self-call', command: 'run' }),
  badHostInput: () => hostCallModule('bad-input', 'host_read_file', { not_path: 1 }),
} as const;

/** The names of {@link hostileModules}. */
export type HostileModuleName = keyof typeof hostileModules;
