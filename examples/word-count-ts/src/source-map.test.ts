import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlugin } from '@diaryx/js-runtime';
import { loadTestPlugin } from '@diaryx/testing';
import { expect, it } from 'vitest';

// test-fixtures/throws.ts throws at line 10 (QuickJS points at column 15, the `Error` call). diaryx-js build writes plugin.wasm.map;
// loadTestPlugin maps the bundle's stack frames back to the author's file with it.
it('a thrown error in a TypeScript plugin shows the source file, line and column', async () => {
  const outFile = join(mkdtempSync(join(tmpdir(), 'diaryx-ts-map-')), 'plugin.wasm');
  await buildPlugin({ entry: fileURLToPath(new URL('../test-fixtures/throws.ts', import.meta.url)), outFile });
  const { plugin } = await loadTestPlugin(outFile);
  const error = (await plugin.handleCommand('boom').catch((e: unknown) => e)) as Error;
  expect(error.message).toMatch(/Error: tag index is corrupt\n\s+at handle_command \(\S*test-fixtures\/throws\.ts:10:15\)/);
  expect(error.message).not.toContain('(bundled)');
}, 120_000);
