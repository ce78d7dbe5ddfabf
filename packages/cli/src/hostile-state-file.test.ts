import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadState, saveState } from './state-file.js';

// Security round 3 (issue 30): the state file of `run --storage` and `dev` keeps every key as
// data (a `__proto__` key is a key like any other), and a value nested too deeply for Diaryx to
// parse is refused with an error naming the file, not a bare `Maximum call stack size exceeded`.

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const daily = join(here, '..', '..', '..', 'examples', 'daily', 'build', 'plugin.wasm');

function diaryxPlugin(...args: string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

const temp = () => mkdtempSync(join(tmpdir(), 'diaryx-cli-state-hostile-'));
/** `{"a":{"a":…}}` nested `depth` deep, as text (JSON.stringify itself would overflow the stack). */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('the state file keeps keys as data', () => {
  it('a __proto__ key survives a round trip, in storage and in the config', async () => {
    const path = join(temp(), 'state.json');
    const text = '{"config":{"__proto__":{"polluted":true},"folder":"J"},"storage":{"__proto__":{"text":"kept"},"p:k":{"text":"v"}}}';
    writeFileSync(path, text);
    const state = await loadState(path);
    expect([...state.storage.values.keys()].sort()).toEqual(['__proto__', 'p:k']);
    await saveState(path, state.storage, state.config);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { config: object; storage: object };
    expect(Object.keys(saved.storage)).toEqual(['__proto__', 'p:k']);
    expect(Object.getOwnPropertyDescriptor(saved.storage, '__proto__')?.value).toEqual({ text: 'kept' });
    expect(Object.keys(saved.config).sort()).toEqual(['__proto__', 'folder']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('through diaryx-plugin run: a hand-written __proto__ storage key is still in the file after the run', () => {
    const dir = temp();
    const state = join(dir, 'state.json');
    writeFileSync(state, '{"config":null,"storage":{"__proto__":{"text":"kept"}}}');
    const result = diaryxPlugin('run', daily, '--workspace', dir, 'get-settings', '--storage', state, '--allow', 'plugin_storage', '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { storage: object };
    expect(Object.getOwnPropertyDescriptor(saved.storage, '__proto__')?.value).toEqual({ text: 'kept' });
  });
});

describe('a deep value is refused, naming the file', () => {
  it('a config nested 100,000 deep: loadState refuses it with a StateFileError naming the file', async () => {
    const path = join(temp(), 'state.json');
    writeFileSync(path, `{"config":${nested(100_000)},"storage":{}}`);
    await expect(loadState(path)).rejects.toMatchObject({
      name: 'StateFileError',
      message: expect.stringContaining(`--storage ${path}: the config nests arrays and objects deeper than 127 levels`),
    });
  });

  it('a storage value nested deeply is refused too', async () => {
    const path = join(temp(), 'state.json');
    writeFileSync(path, `{"config":null,"storage":{"k":${nested(100_000)}}}`);
    await expect(loadState(path)).rejects.toThrow(`--storage ${path}: the value of "k" is neither {"text":…} nor {"base64":…}`);
  });

  it('through diaryx-plugin run: one line naming the file, exit 2, no stack overflow', () => {
    const dir = temp();
    const state = join(dir, 'state.json');
    writeFileSync(state, `{"config":${nested(100_000)},"storage":{}}`);
    const result = diaryxPlugin('run', daily, '--workspace', dir, 'get-settings', '--storage', state, '--allow', 'plugin_storage');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--storage ${state}: the config nests arrays and objects deeper than 127 levels`);
    expect(result.stderr).not.toContain('Maximum call stack size exceeded');
  });

  it('a --config file nested 100,000 deep: refused naming the file', () => {
    const dir = temp();
    const config = join(dir, 'config.json');
    writeFileSync(config, nested(100_000));
    const result = diaryxPlugin('run', daily, '--workspace', dir, 'get-settings', '--config', config, '--allow', 'plugin_storage');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--config ${config}: the config nests arrays and objects deeper than 127 levels`);
    expect(result.stderr).not.toContain('Maximum call stack size exceeded');
  });

  it('a config of 127 levels, the most Diaryx parses, is kept', async () => {
    const path = join(temp(), 'state.json');
    writeFileSync(path, `{"config":${nested(127)},"storage":{}}`);
    const state = await loadState(path);
    await saveState(path, state.storage, state.config);
    expect(readFileSync(path, 'utf8').replace(/\s/g, '')).toContain(nested(127));
  });
});
