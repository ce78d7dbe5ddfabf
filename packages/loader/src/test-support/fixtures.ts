import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileWat, guestWat, type GuestWatOptions } from '@diaryx/test-utils';

/** A manifest JSON text with sensible defaults for tests. */
export function manifestJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'test.plugin',
    name: 'Test Plugin',
    version: '0.1.0',
    description: 'A test plugin',
    capabilities: ['custom_commands'],
    commands: ['echo'],
    ...overrides,
  });
}

/**
 * A lifecycle-recording guest: every export it has passes its input to `host_emit_event`
 * (so tests read exactly what the host sent, in order, from the event emitter) and
 * `handle_command` answers `{"success":true,"data":"ok"}`.
 */
export function recorderWat(manifest: string, options: { exports?: string[]; response?: string } = {}): string {
  const names = options.exports ?? ['init', 'set_config', 'on_event', 'shutdown', 'handle_command'];
  const exports: Record<string, string> = {};
  for (const name of names) {
    const emit = `(drop (call $host_emit_event (call $input_offset)))`;
    exports[name] =
      name === 'handle_command'
        ? `${emit} (call $output_bytes (global.get $response_ptr) (global.get $response_len)) (i32.const 0)`
        : `${emit} (i32.const 0)`;
  }
  return guestWat({
    manifest,
    hostImports: ['host_emit_event'],
    data: { response: options.response ?? '{"success":true,"data":"ok"}' },
    exports,
  });
}

/** Compiles a guest described by {@link guestWat} options. */
export async function guestWasm(options: GuestWatOptions): Promise<Uint8Array> {
  return compileWat(guestWat(options));
}

/** Writes `<dir>/<folder>/plugin.wasm` and returns the folder. */
export async function writePluginFolder(dir: string, folder: string, wasm: Uint8Array): Promise<string> {
  const path = join(dir, folder);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'plugin.wasm'), wasm);
  return path;
}
