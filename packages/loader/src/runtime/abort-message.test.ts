import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';
import { manifestJson } from '../test-support/fixtures.js';

// What @diaryx/plugin-sdk-as's abort handler does on `throw new Error("…")`: error_set and
// log_error with the message, file and line, then `unreachable`. Extism drops the error_set text
// of a call that traps, so the error would say only "unreachable".
const ABORT = 'abort: tag index is corrupt at assembly/index.ts:42:5';

async function abortingGuest(): Promise<Uint8Array> {
  return compileWat(
    guestWat({
      manifest: manifestJson(),
      data: { msg: ABORT },
      extraImports: '(import "extism:host/env" "log_error" (func $log_error (param i64)))',
      exports: {
        throws: '(call $fail (global.get $msg_ptr) (global.get $msg_len)) (call $log_error (call $to_block (global.get $msg_ptr) (global.get $msg_len))) unreachable',
        traps: 'unreachable',
      },
    }),
  );
}

describe.each([false, true])('an AssemblyScript abort (runInWorker: %s)', (runInWorker) => {
  it("the trap's error carries the abort message, file and line; a later plain trap does not", async () => {
    const plugin = await loadPluginFromBytes(await abortingGuest(), createHostContext(), { runInWorker, timeoutMs: 20_000 });
    try {
      await expect(plugin.call('throws')).rejects.toThrow(`(the plugin logged before failing: ${ABORT})`);
      const plain = plugin.call('traps');
      await expect(plain).rejects.toThrow(/unreachable/);
      await expect(plain).rejects.not.toThrow(/logged before failing/);
    } finally {
      await plugin.close();
    }
  });
});
