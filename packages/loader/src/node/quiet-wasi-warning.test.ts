// Plain Node ESM against the built package (no TypeScript loader in between: it would change when
// `node:wasi` is loaded): the SDK, and with it `node:wasi` and its warning, loads with the first plugin.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat, hostileManifest, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

afterAll(removeTempDirs);
let wasmPath: string;
beforeAll(async () => {
  wasmPath = join(await makeTempDir(), 'quiet.wasm');
  await writeFile(wasmPath, await compileWat(guestWat({ manifest: hostileManifest('quiet') })));
});

const LOAD = (path: string) =>
  "import { createHostContext } from '@diaryx/host-fns'; import { readFileSync } from 'node:fs';" +
  ` const p = await loadPluginFromBytes(readFileSync(${JSON.stringify(path)}), createHostContext()); await p.close();`;

const run = (code: string, nodeArgs: string[] = []) =>
  spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('quietWasiWarning', () => {
  it('without it, importing the loader prints nothing, and loading a plugin prints the WASI warning', () => {
    expect(run("import '@diaryx/loader';").stderr).toBe('');
    const child = run(`import { loadPluginFromBytes } from '@diaryx/loader'; ${LOAD(wasmPath)}`);
    expect(child.status).toBe(0);
    expect(child.stderr).toContain('ExperimentalWarning: WASI');
  });

  it('called after the static imports, before the first plugin loads, drops the WASI warning and prints every other warning', () => {
    const child = run(
      "import { loadPluginFromBytes, quietWasiWarning } from '@diaryx/loader'; quietWasiWarning(); quietWasiWarning();" +
        LOAD(wasmPath) +
        " process.emitWarning('something else', 'ExperimentalWarning'); process.emitWarning('a deprecation', 'DeprecationWarning');",
    );
    expect(child.status).toBe(0);
    expect(child.stderr).not.toContain('WASI');
    expect(child.stderr).toContain('ExperimentalWarning: something else');
    expect(child.stderr).toContain('DeprecationWarning: a deprecation');
    expect(child.stderr.match(/something else/g)).toHaveLength(1);
  });

  it('the register entry, imported first or with node --import, does the same', () => {
    const imported = run(`import '@diaryx/loader/quiet-wasi-warning/register'; import { loadPluginFromBytes } from '@diaryx/loader'; ${LOAD(wasmPath)}`);
    expect(imported.status).toBe(0);
    expect(imported.stderr).toBe('');
    const flagged = run(`import { loadPluginFromBytes } from '@diaryx/loader'; ${LOAD(wasmPath)}`, ['--import', '@diaryx/loader/quiet-wasi-warning/register']);
    expect(flagged.status).toBe(0);
    expect(flagged.stderr).toBe('');
  });
});
