import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { runConformance } from './conformance.js';

const PASS = 'works with only its requested_permissions';

/** A plugin whose command reads a.md; it requests `requested` (a requested_permissions value or none). */
async function reader(requested: unknown): Promise<string> {
  const manifest = JSON.stringify({
    id: 'test.reader',
    name: 'Reader',
    version: '0.1.0',
    description: 'reads a.md',
    capabilities: ['custom_commands'],
    commands: ['read'],
    ...(requested === undefined ? {} : { requested_permissions: requested }),
  });
  const wat = guestWat({
    manifest,
    hostImports: ['host_read_file'],
    data: { read: '{"path":"a.md"}', out: '{"success":true}' },
    exports: {
      handle_command: `(drop (call $host_read_file (call $to_block (global.get $read_ptr) (global.get $read_len))))
        (call $output_bytes (global.get $out_ptr) (global.get $out_len)) (i32.const 0)`,
    },
  });
  const path = join(mkdtempSync(join(tmpdir(), 'diaryx-check-')), 'plugin.wasm');
  writeFileSync(path, await compileWat(wat));
  return path;
}

describe('diaryx-plugin check: the requested-permissions-only pass', () => {
  it('fails a plugin that uses a permission it did not request, naming it and the fix', async () => {
    const results = await runConformance(await reader(undefined), { randomRuns: 3 });
    const pass = results.find((r) => r.name === PASS);
    expect(pass).toMatchObject({ status: 'fail' });
    expect(pass!.detail).toContain('handle_command ← {"command":"read","params":null}: host_read_file {"path":"a.md"} was denied');
    expect(pass!.detail).toContain('add read_files to requested_permissions');
    // The static check sees it too (host_read_file imported, read_files not requested); the
    // other checks pass (this plugin answers any command: the unknown-command check aside).
    expect(results.filter((r) => r.status === 'fail').map((r) => r.name)).toEqual([
      'the host functions it uses have their permission requested',
      'an unknown command yields success: false',
      PASS,
    ]);
  });

  it('passes the same plugin once it requests the permission', async () => {
    const requested = { defaults: { read_files: { include: ['all'], exclude: [] } }, reasons: { read_files: 'to read a.md' } };
    const results = await runConformance(await reader(requested), { randomRuns: 3 });
    expect(results.find((r) => r.name === PASS)).toEqual({ name: PASS, status: 'pass' });
    expect(results.filter((r) => r.status === 'fail').map((r) => r.name)).toEqual(['an unknown command yields success: false']);
  });
});
