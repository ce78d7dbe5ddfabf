import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';
import { manifestJson } from '../test-support/fixtures.js';
import { exposeExportStatus } from './export-status.js';

// Extism's rule: an export's i32 result is its status; anything but 0 fails the call, with the
// text the guest gave error_set when it set one. @extism/extism 2.0.0-rc13 ignores the status.
async function statusGuest(): Promise<Uint8Array> {
  return compileWat(
    guestWat({
      manifest: manifestJson({ commands: ['ok'] }),
      data: { ok: '{"success":true}', oops: 'tag index is corrupt' },
      exports: {
        returns_7: '(i32.const 7)',
        returns_0: '(call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)',
        error_and_1: '(call $fail (global.get $oops_ptr) (global.get $oops_len)) (i32.const 1)',
        handle_command: '(call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)',
      },
    }),
  );
}

describe.each(['in-process', 'worker', 'metered'] as const)('export status (mode %s)', (mode) => {
  it('a non-zero status without error_set fails the call, naming the export and the status', async () => {
    const plugin = await loadPluginFromBytes(await statusGuest(), createHostContext(), { mode, timeoutMs: 20_000 });
    try {
      const failure = plugin.call('returns_7');
      await expect(failure).rejects.toMatchObject({ kind: 'guest_error', exportName: 'returns_7', details: { guestMessage: null } });
      await expect(failure).rejects.toThrow(mode === 'worker' ? /returned a non-zero status/ : /returned the non-zero status 7/);
      // A status of 0 is success, and the plugin stays usable after a failed status.
      expect(new TextDecoder().decode((await plugin.call('returns_0'))!)).toBe('{"success":true}');
      expect(await plugin.handleCommand('ok')).toEqual({ success: true });
    } finally {
      await plugin.close();
    }
  });

  it("a non-zero status with error_set fails with the guest's error text", async () => {
    const plugin = await loadPluginFromBytes(await statusGuest(), createHostContext(), { mode, timeoutMs: 20_000 });
    try {
      await expect(plugin.call('error_and_1')).rejects.toThrow(/tag index is corrupt/);
      await expect(plugin.call('error_and_1')).rejects.toMatchObject({ kind: 'guest_error', details: { guestMessage: expect.stringContaining('tag index is corrupt') } });
    } finally {
      await plugin.close();
    }
  });

  it('the helper exports of the rewrite are not the plugin\'s exports', async () => {
    const plugin = await loadPluginFromBytes(await statusGuest(), createHostContext(), { mode });
    try {
      expect(plugin.hasExport('returns_7')).toBe(true);
      expect(plugin.hasExport('__diaryx_export_status_check')).toBe(false);
    } finally {
      await plugin.close();
    }
  });
});

describe('exposeExportStatus', () => {
  it('keeps a module with no status export byte for byte, and rewrites a module only once', async () => {
    const plain = await compileWat('(module (func (export "f")))');
    expect(exposeExportStatus(plain)).toBe(plain);
    const once = exposeExportStatus(await statusGuest());
    expect(exposeExportStatus(once)).toBe(once);
    expect(WebAssembly.validate(once as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});
