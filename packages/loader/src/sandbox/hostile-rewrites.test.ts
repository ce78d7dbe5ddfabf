import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { readGlobals, readSections, SECTION, writeGlobals, writeModule } from '@diaryx/wasm';
import { describe, expect, it } from 'vitest';
import { loadPlugin } from '../node/load-plugin.js';

// The loader adds globals to a module before it runs it (the export status, then the fuel of
// metered mode), at the indices just past the module's own. A module that is invalid only because
// its code names those indices would become valid after the rewrite and steal them: refilling its
// own fuel, it would loop for ever on the host's thread. The loader validates the module as the
// plugin wrote it before any rewrite.

/**
 * A plugin whose `spin` export sets, in a loop, the global just past its own (the export status)
 * or the one after (the fuel, in metered mode).
 */
async function thief(stolen: 'status' | 'fuel'): Promise<Uint8Array> {
  const wat = guestWat({
    manifest: hostileManifest(`${stolen}-thief`),
    exports: { spin: `(loop $l (global.set $stolen_${stolen} (i32.const 0x7fffffff)) (br $l)) (i32.const 0)` },
  }).replace(/\)\s*$/, ' (global $stolen_status (mut i32) (i32.const 0)) (global $stolen_fuel (mut i32) (i32.const 0)))');
  const valid = await compileWat(wat);
  // Drop the two globals the module declares last: its code now names indices it does not have.
  const sections = readSections(valid);
  const globals = sections.find((s) => s.id === SECTION.global)!;
  const kept = readGlobals(globals.body, 0).slice(0, -2);
  globals.body = writeGlobals(kept);
  return writeModule(sections);
}

describe('hostile: a module that names the globals the loader adds', () => {
  it('is not valid wasm as written (the premise)', async () => {
    expect(WebAssembly.validate((await thief('fuel')) as BufferSource)).toBe(false);
    expect(WebAssembly.validate((await thief('status')) as BufferSource)).toBe(false);
  });

  const cases = (['metered', 'in-process', 'worker'] as const).flatMap((mode) => (['fuel', 'status'] as const).map((stolen) => [mode, stolen] as const));
  it.each(cases)('mode %s refuses a %s thief at load (plugin_create, the engine names the bad index)', async (mode, stolen) => {
    await expect(loadPlugin(await thief(stolen), createHostContext(), { mode, name: `${stolen}-thief`, timeoutMs: 1_000 })).rejects.toMatchObject({
      kind: 'plugin_create',
      message: expect.stringMatching(new RegExp(`${stolen}-thief.*global`, 'i')),
    });
  });
});
