import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const run = (code: string) =>
  spawnSync(process.execPath, ['--conditions=@diaryx/source', '--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('quietWasiWarning', () => {
  it('drops the WASI ExperimentalWarning of loading the loader (and the SDK) after it, and prints every other warning', () => {
    const child = run(
      "import { quietWasiWarning } from '@diaryx/loader/quiet-wasi-warning'; quietWasiWarning(); quietWasiWarning();" +
        " await import('@diaryx/loader');" +
        " process.emitWarning('something else', 'ExperimentalWarning'); process.emitWarning('a deprecation', 'DeprecationWarning');",
    );
    expect(child.status).toBe(0);
    expect(child.stderr).not.toContain('WASI');
    expect(child.stderr).toContain('ExperimentalWarning: something else');
    expect(child.stderr).toContain('DeprecationWarning: a deprecation');
    expect(child.stderr.match(/something else/g)).toHaveLength(1);
  });

  it('imported first (the register entry), it silences static imports of the loader after it', () => {
    const child = run(
      "import '@diaryx/loader/quiet-wasi-warning/register'; import { loadPlugin } from '@diaryx/loader';" +
        " if (typeof loadPlugin !== 'function') process.exit(3); process.emitWarning('a deprecation', 'DeprecationWarning');",
    );
    expect(child.status).toBe(0);
    expect(child.stderr).not.toContain('WASI');
    expect(child.stderr).toContain('DeprecationWarning: a deprecation');
  });

  it('node --import of the register entry silences a program that imports the loader statically', () => {
    const child = spawnSync(
      process.execPath,
      ['--conditions=@diaryx/source', '--import', 'tsx', '--import', '@diaryx/loader/quiet-wasi-warning/register', '--input-type=module', '-e', "import '@diaryx/loader';"],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 30_000 },
    );
    expect(child.status).toBe(0);
    expect(child.stderr).not.toContain('WASI');
  });

  it('without it, loading the loader prints the WASI warning (what the CLI and the demo hide)', () => {
    const child = run("import '@diaryx/loader';");
    expect(child.stderr).toContain('ExperimentalWarning: WASI');
  });
});
