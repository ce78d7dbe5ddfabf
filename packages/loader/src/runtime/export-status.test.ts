import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { ByteWriter, SECTION, writeModule, writeUnsignedAt } from '@diaryx/wasm';
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
      await expect(failure).rejects.toMatchObject({ kind: 'call_failed', exportName: 'returns_7' });
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

  // 60,000 exports of () -> i32, each its own function: one wrapper each, all valid. (On Node
  // 26.12.1, an earlier version of this loop kept its write position in a variable a closure
  // changed, and V8's Maglev lost some of its increments on a cold first run: the module was
  // corrupt in 2 of 2 full runs of the loader's tests.)
  it('wraps 60,000 exported functions, each through its own wrapper, into a valid module', () => {
    const count = 60_000;
    const exports = new ByteWriter(count * 10);
    const encoder = new TextEncoder();
    exports.unsigned(count);
    for (let i = 0; i < count; i++) {
      const name = encoder.encode(`f${i}`);
      exports.unsigned(name.length);
      exports.bytes(name);
      exports.byte(0x00);
      exports.unsigned(i);
    }
    const functions = new Uint8Array(count + 3); // 60,000 functions of type 0
    writeUnsignedAt(functions, 0, count);
    const code = new ByteWriter(count * 5 + 3);
    code.unsigned(count);
    for (let i = 0; i < count; i++) code.bytes([4, 0x00, 0x41, i & 0x3f, 0x0b]);
    const wasm = writeModule([
      { id: SECTION.type, body: Uint8Array.of(1, 0x60, 0, 1, 0x7f) },
      { id: SECTION.function, body: functions },
      { id: SECTION.export, body: exports.view() },
      { id: SECTION.code, body: code.view() },
    ]);
    expect(WebAssembly.validate(wasm as Uint8Array<ArrayBuffer>)).toBe(true);
    const rewritten = exposeExportStatus(wasm);
    expect(WebAssembly.validate(rewritten as Uint8Array<ArrayBuffer>)).toBe(true);
    const module = new WebAssembly.Module(rewritten as Uint8Array<ArrayBuffer>);
    const wrapped = new WebAssembly.Instance(module).exports as Record<string, (() => number) | WebAssembly.Global>;
    expect((wrapped['f59999'] as () => number)()).toBe(59_999 & 0x3f);
    expect((wrapped['__diaryx_export_status'] as WebAssembly.Global).value).toBe(59_999 & 0x3f);
  });
});
