// A timeout names where a TypeScript plugin was: its JavaScript stack, read from the stopped
// instance through the runtime's __diaryx_where export (runtime/guest-location.ts of the loader),
// mapped to the source with plugin.wasm.map. Here the deadline trap is made as the loader's
// metered mode makes it (the meter's out_of_fuel throws), on a real metered plugin run by the
// real Extism SDK, so the test sees what the loader's runtime will see.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import createPlugin from '@extism/extism';
import { HOST_FUNCTION_NAMES, HOST_NAMESPACE } from '@diaryx/host-fns';
import { METER_IMPORT, meterModule } from '@diaryx/wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestLocation, readGuestStack, stackOfStoppedGuest, withGuestStack } from '../../loader/src/runtime/guest-location.js';
import { bundledFrameMapper } from '../../testing/src/source-map.js';
import { buildPlugin, type BuiltPlugin } from '../src/build.js';

const entry = fileURLToPath(new URL('../test/fixtures/endless.ts', import.meta.url));
let built: BuiltPlugin;
beforeAll(async () => {
  built = await buildPlugin({ entry, typeCheck: false });
}, 120_000);

describe('where a TypeScript plugin was when its deadline stopped it', () => {
  it('the stopped instance answers its JavaScript stack, which maps to the loop line in src', async () => {
    // The loader's meter throws from out_of_fuel once the deadline has passed. Here the deadline
    // is a count of refills rather than a clock, so a busy machine cannot move where it falls:
    // after 200 refills of 20,000 units the loop has surely been running.
    let refills = 0;
    let limit = Number.POSITIVE_INFINITY;
    const outOfFuel = () => {
      if (++refills > limit) throw new Error('EXTISM: call canceled due to timeout');
      return 20_000;
    };
    const hostFunctions = Object.fromEntries(HOST_FUNCTION_NAMES.map((name) => [name, () => 0n]));
    const module = await WebAssembly.compile(meterModule(built.wasm).bytes as Uint8Array<ArrayBuffer>);
    const plugin = await createPlugin(
      { wasm: [{ module }] },
      { useWasi: true, enableWasiOutput: false, runInWorker: false, functions: { [HOST_NAMESPACE]: hostFunctions, [METER_IMPORT.module]: { [METER_IMPORT.name]: outOfFuel } } },
    );
    try {
      await plugin.call('manifest', '');
      limit = refills + 200;
      const trap = (await plugin.call('handle_command', '{"command":"spin","params":{}}').catch((e: unknown) => e)) as Error;
      expect(trap.message).toContain('call canceled due to timeout');
      // What the loader's metered runtime does before replacing the instance: fuel for the answer, then ask.
      const stack = await stackOfStoppedGuest(plugin, () => (limit = Number.POSITIVE_INFINITY));
      expect(stack).toMatch(/^ {4}at spinForever \(.*endless\.ts \(bundled\):\d+:\d+\)\n {4}at spin \(/);
      const where = guestLocation(withGuestStack(new Error('timed out', { cause: trap }), stack), true)!;
      const mapped = bundledFrameMapper(built.sourceMap)(where);
      const loopLine = readFileSync(entry, 'utf8').split('\n').findIndex((line) => line.includes('// LOOP')) + 1;
      expect(mapped).toContain(`at spinForever (packages/js-runtime/test/fixtures/endless.ts:${loopLine}:`);
      expect(mapped).toMatch(/^the plugin was at:\n/);
    } finally {
      await plugin.close();
    }
  });

  it('a module without the export answers nothing (a native plugin, or an old build)', async () => {
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])));
    expect(await readGuestStack(instance)).toBeNull();
  });
});
