import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTestPlugin } from '@diaryx/testing';
import { expect, it } from 'vitest';

// test-fixtures/throws.ts is an AssemblyScript plugin whose command throws at line 8, column 3;
// compiled here with the SDK's abort handler, as the template builds plugins.
const project = fileURLToPath(new URL('..', import.meta.url));

it('an AssemblyScript throw reaches the test with its message, file and line', async () => {
  const wasm = join(mkdtempSync(join(tmpdir(), 'diaryx-as-abort-')), 'throws.wasm');
  const asc = spawnSync(
    join(project, 'node_modules', '.bin', 'asc'),
    ['test-fixtures/throws.ts', '--outFile', wasm, '--use', 'abort=~lib/@diaryx/plugin-sdk-as/assembly/abort/abort', '-O3'],
    { cwd: project, encoding: 'utf8' },
  );
  expect(asc.status, asc.stderr).toBe(0);
  const { plugin } = await loadTestPlugin(wasm);
  await expect(plugin.handleCommand('boom')).rejects.toThrow('abort: tag index is corrupt at test-fixtures/throws.ts:8:3');
}, 180_000);
