import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPlugin } from '../node/load-plugin.js';
import { DEFAULT_MAX_TABLE_ELEMENTS } from '../options.js';

// One memory budget per plugin, in every mode: the memory cap covered each linear memory, not
// the plugin, so a module with five memories grew to five times the cap (+1 GiB of RSS), and
// tables had no cap at all (four tables grown with `table.grow`: +0.9 GiB). A plugin now has
// one memory (capped by maxMemoryPages) and its tables share maxTableElements.

const MODES = ['metered', 'in-process', 'worker'] as const;

/** Loads the module and, if it loads, calls its `grow` export: what happened, as text. */
async function loadAndGrow(wasm: Uint8Array, mode: (typeof MODES)[number], name: string): Promise<string> {
  let plugin: Awaited<ReturnType<typeof loadPlugin>>;
  try {
    plugin = await loadPlugin(wasm, createHostContext(), { mode, name, asyncHostServices: mode !== 'metered', timeoutMs: 20_000 });
  } catch (error) {
    const { kind, message } = error as { kind?: string; message?: string };
    return `refused (${kind}): ${message}`;
  }
  try {
    const out = (await plugin.call('grow')) ?? new Uint8Array(4);
    return `loaded, and grew to ${new DataView(out.buffer, out.byteOffset, 4).getUint32(0, true)}`;
  } finally {
    await plugin.close();
  }
}

// Grows each of `targets` (a `memory.grow`/`table.grow` per target) until it fails: large steps,
// then single units, so each ends at its maximum exactly.
function growAll(targets: readonly string[], grow: (target: string, by: number) => string, size: (target: string) => string): string {
  const loops = targets.flatMap((t, i) =>
    [16384, 256, 1].map((by, j) => `(block $d${i}_${j} (loop $l${i}_${j} (br_if $d${i}_${j} (i32.eq ${grow(t, by)} (i32.const -1))) (br $l${i}_${j})))`),
  );
  const total = targets.map(size).reduce((sum, s) => `(i32.add ${sum} ${s})`);
  return `${loops.join('\n')} (i32.store (i32.const 8192) ${total}) (call $output_bytes (i32.const 8192) (i32.const 4)) (i32.const 0)`;
}

describe('hostile: a plugin has one memory', () => {
  const fiveMemories = () =>
    compileWat(
      guestWat({
        manifest: hostileManifest('five-memories'),
        extra: '(memory $m1 1) (memory $m2 1) (memory $m3 1) (memory $m4 1)',
        exports: {
          grow: growAll(
            ['0', '$m1', '$m2', '$m3', '$m4'],
            (m, by) => `(memory.grow ${m} (i32.const ${Math.min(by, 256)}))`,
            (m) => `(memory.size ${m})`,
          ),
        },
      }),
      'five-memories.wat',
      { multi_memory: true },
    );

  it.each(MODES)('mode %s refuses a module with five memories at load (plugin_create, naming the memories and the fix)', async (mode) => {
    expect(await loadAndGrow(await fiveMemories(), mode, 'five-memories')).toMatch(/^refused \(plugin_create\): .*five-memories.*5 memories.*one/);
  });
});

describe('hostile: tables share one budget of elements', () => {
  const fourTables = () =>
    compileWat(
      guestWat({
        manifest: hostileManifest('four-tables'),
        extra: '(table $t0 1 funcref) (table $t1 1 funcref) (table $t2 1 funcref) (table $t3 1 funcref)',
        exports: {
          grow: growAll(
            ['$t0', '$t1', '$t2', '$t3'],
            (t, by) => `(table.grow ${t} (ref.null func) (i32.const ${by}))`,
            (t) => `(table.size ${t})`,
          ),
        },
      }),
      'four-tables.wat',
      { reference_types: true },
    );

  it.each(MODES)('mode %s: four tables grown with table.grow stop at maxTableElements in all', async (mode) => {
    const outcome = await loadAndGrow(await fourTables(), mode, 'four-tables');
    expect(outcome).toMatch(/^loaded, and grew to \d+$/);
    const total = Number(outcome.split(' ').pop());
    expect(total, outcome).toBeLessThanOrEqual(DEFAULT_MAX_TABLE_ELEMENTS);
    // The budget is shared, not lost: the four tables together reach it.
    expect(total).toBeGreaterThan(DEFAULT_MAX_TABLE_ELEMENTS - 4);
  });
});
