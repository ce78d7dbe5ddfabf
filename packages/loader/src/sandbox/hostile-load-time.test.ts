import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest, makeTempDir } from '@diaryx/test-utils';
import {
  appendEncodedToVector,
  ByteWriter,
  importEntries,
  putSection,
  readFunctionTypes,
  readSections,
  SECTION,
  sectionBody,
  vectorLength,
  writeModule,
} from '@diaryx/wasm';
import { describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from '../load-plugin-from-bytes.js';
import { loadPlugin } from '../node/load-plugin.js';
import { DEFAULT_MAX_MODULE_BYTES } from '../options.js';

// Load-time work on a large module ran on the app's thread before any deadline applied: the
// export-status rewrite looked each export up with indexOf (60,000 exports: the event loop
// blocked 3.9-4.7 s), and a spread of the function vector into push overflowed the stack (a
// valid module with 150,000 functions failed to load with "Maximum call stack size exceeded").
// Every pass is now linear, the engine validates on its own threads, and the thread gets a turn
// between passes; a module over the size budget (maxModuleBytes) is refused before any work.

const MODES = ['metered', 'in-process', 'worker'] as const;
// The largest gap of the event loop during a load: 3.9-4.7 s before; generous for two busy cores.
const MAX_GAP_MS = 500;

/** A plugin (a manifest export) with `count` more functions `() -> i32`, each exported as `f<i>` when `exported`. */
async function withManyFunctions(id: string, count: number, exported: boolean): Promise<Uint8Array> {
  const sections = readSections(await compileWat(guestWat({ manifest: hostileManifest(id) })));
  const type = readFunctionTypes(sectionBody(sections, SECTION.type)!).findIndex((t) => t.params.length === 0 && t.results.join() === '127');
  let imported = 0;
  for (const entry of importEntries(sectionBody(sections, SECTION.import)!)) if (entry.kind === 0x00) imported++;
  const first = imported + vectorLength(sectionBody(sections, SECTION.function));
  const functions = new ByteWriter(count);
  const bodies = new ByteWriter(count * 5);
  const exports = new ByteWriter(count * 10);
  const encoder = new TextEncoder();
  for (let i = 0; i < count; i++) {
    functions.unsigned(type);
    bodies.bytes([4, 0x00, 0x41, 0x00, 0x0b]); // no locals; i32.const 0; end
    const name = encoder.encode(`f${i}`);
    exports.unsigned(name.length);
    exports.bytes(name);
    exports.byte(0x00);
    exports.unsigned(first + i);
  }
  putSection(sections, SECTION.function, appendEncodedToVector(sectionBody(sections, SECTION.function), count, functions.view()));
  putSection(sections, SECTION.code, appendEncodedToVector(sectionBody(sections, SECTION.code), count, bodies.view()));
  if (exported) putSection(sections, SECTION.export, appendEncodedToVector(sectionBody(sections, SECTION.export), count, exports.view()));
  return writeModule(sections);
}

/** Runs `work`, measuring the largest gap between turns of the event loop meanwhile. */
async function largestGap<T>(work: () => Promise<T>): Promise<{ outcome: T | Error; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const tick = () => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  };
  const probe = setInterval(tick, 5);
  try {
    return { outcome: await work().catch((error: unknown) => error as Error), gapMs };
  } finally {
    clearInterval(probe);
    tick();
  }
}

const options = (mode: (typeof MODES)[number]) => ({ mode, asyncHostServices: mode !== 'metered', timeoutMs: 10_000, manifestTimeoutMs: 10_000 });

describe('hostile: a large module loads without blocking the event loop', () => {
  // A module per mode (its id differs), so that no mode reuses another's compiled module.
  it.each(MODES)('mode %s: 60,000 exports load, the loop is never blocked 500 ms, and the last export answers', async (mode) => {
    const id = `exports-${mode}`;
    const wasm = await withManyFunctions(id, 60_000, true);
    expect(wasm.length).toBeGreaterThan(900_000);
    const { outcome, gapMs } = await largestGap(() => loadPluginFromBytes(wasm, createHostContext(), { ...options(mode), name: id }));
    if (outcome instanceof Error) throw outcome;
    try {
      expect(outcome.id).toBe(id);
      expect(gapMs, `the event loop was blocked ${gapMs.toFixed(0)} ms`).toBeLessThan(MAX_GAP_MS);
      await expect(outcome.call('f59999')).resolves.toBeNull();
    } finally {
      await outcome.close();
    }
  });

  it.each(MODES)('mode %s: 150,000 functions load (no stack overflow), the loop is never blocked 500 ms', async (mode) => {
    const id = `functions-${mode}`;
    const wasm = await withManyFunctions(id, 150_000, false);
    const { outcome, gapMs } = await largestGap(() => loadPluginFromBytes(wasm, createHostContext(), { ...options(mode), name: id }));
    if (outcome instanceof Error) throw outcome;
    try {
      expect(outcome.id).toBe(id);
      expect(gapMs, `the event loop was blocked ${gapMs.toFixed(0)} ms`).toBeLessThan(MAX_GAP_MS);
    } finally {
      await outcome.close();
    }
  });
});

/** A plugin with about `mib` MiB of code: functions of a loop of loads, stores and arithmetic. */
async function withMuchCode(id: string, mib: number): Promise<Uint8Array> {
  const sections = readSections(await compileWat(guestWat({ manifest: hostileManifest(id) })));
  const body = new ByteWriter(512);
  body.bytes([1, 1, 0x7f, 0x03, 0x40]); // one i32 local; loop
  for (let k = 0; k < 20; k++) body.bytes([0x20, 0x00, 0x28, 0x02, 0x00, 0x41, 0x07, 0x6a, 0x21, 0x00, 0x41, 0x00, 0x20, 0x00, 0x36, 0x02, 0x04]);
  body.bytes([0x0b, 0x41, 0x00, 0x0b]); // end loop; i32.const 0; end
  const one = body.view().slice();
  const type = vectorLength(sectionBody(sections, SECTION.type));
  putSection(sections, SECTION.type, appendEncodedToVector(sectionBody(sections, SECTION.type), 1, Uint8Array.of(0x60, 0x00, 0x01, 0x7f)));
  const count = Math.floor((mib * 1024 * 1024) / (one.length + 3));
  const functions = new ByteWriter(count * 2);
  const bodies = new ByteWriter(count * (one.length + 3));
  for (let i = 0; i < count; i++) {
    functions.unsigned(type);
    bodies.unsigned(one.length);
    bodies.bytes(one);
  }
  putSection(sections, SECTION.function, appendEncodedToVector(sectionBody(sections, SECTION.function), count, functions.view()));
  putSection(sections, SECTION.code, appendEncodedToVector(sectionBody(sections, SECTION.code), count, bodies.view()));
  return writeModule(sections);
}

describe('hostile: a module near the size budget is metered in slices', () => {
  it('mode metered: 16 MiB of code load, and the loop is never blocked 500 ms', async () => {
    const wasm = await withMuchCode('much-code', 16);
    const { outcome, gapMs } = await largestGap(() => loadPluginFromBytes(wasm, createHostContext(), { ...options('metered'), name: 'much-code' }));
    if (outcome instanceof Error) throw outcome;
    try {
      expect(outcome.runtime.mode).toBe('metered');
      expect(gapMs, `the event loop was blocked ${gapMs.toFixed(0)} ms`).toBeLessThan(MAX_GAP_MS);
    } finally {
      await outcome.close();
    }
  }, 30_000);
});

describe('hostile: a module over the load budget is refused before any work', () => {
  // A valid module of 32 MiB and a little (a custom section of zeros): cheap to write, large to read.
  const oversized = () => writeModule([{ id: 0, body: new Uint8Array(DEFAULT_MAX_MODULE_BYTES) }]);

  it.each(MODES)('mode %s: a module over the default maxModuleBytes (32 MiB) is refused with plugin_create naming the option', async (mode) => {
    const wasm = oversized();
    const { outcome, gapMs } = await largestGap(() => loadPluginFromBytes(wasm, createHostContext(), { ...options(mode), name: 'oversized' }));
    expect(outcome).toMatchObject({
      kind: 'plugin_create',
      message: expect.stringContaining(
        `'oversized': the module is ${wasm.length} bytes (32.0 MiB), more than the loader's budget of 33554432 bytes (32.0 MiB): ` +
          "its load-time rewrites would hold the app's thread too long; raise the loader option maxModuleBytes to load it",
      ),
    });
    expect(gapMs).toBeLessThan(MAX_GAP_MS);
  });

  it('a file over the budget is refused from its size, and a smaller budget refuses a smaller module', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'big.wasm');
    await writeFile(path, oversized());
    await expect(loadPlugin(path, createHostContext())).rejects.toMatchObject({ kind: 'plugin_create', message: expect.stringContaining('maxModuleBytes') });
    const small = await compileWat(guestWat({ manifest: hostileManifest('small') }));
    await expect(loadPluginFromBytes(small, createHostContext(), { maxModuleBytes: 64, name: 'small' })).rejects.toMatchObject({
      kind: 'plugin_create',
      message: expect.stringContaining(`the module is ${small.length} bytes`),
    });
    const plugin = await loadPluginFromBytes(small, createHostContext(), { maxModuleBytes: small.length, name: 'small' });
    await plugin.close();
  });

  it.each([
    ['maxModuleBytes', 7],
    ['maxModuleBytes', 2 ** 30 + 1],
    ['maxModuleBytes', Number.POSITIVE_INFINITY],
    ['maxTableElements', 0],
    ['maxTableElements', 10_000_001],
    ['maxTableElements', 1.5],
  ] as const)('%s: %s is refused with LoaderOptionError naming the option', async (option, value) => {
    const wasm = await compileWat(guestWat({ manifest: hostileManifest('p') }));
    await expect(loadPluginFromBytes(wasm, createHostContext(), { [option]: value })).rejects.toMatchObject({ kind: 'invalid_option', option });
  });
});
