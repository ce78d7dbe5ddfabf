import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEventArg } from './run-arguments.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const daily = join(here, '..', '..', '..', 'examples', 'daily', 'build', 'plugin.wasm');

function diaryxPlugin(...args: string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('diaryx-plugin run: events, config, a state file, a timeout', () => {
  it('keeps storage and config in --storage between runs, fires --event before the command, shows storage as text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diaryx-cli-state-'));
    const state = join(dir, 'state.json');
    const first = diaryxPlugin('run', daily, '--workspace', dir, 'set-template', '--params', '{"template":"T {{date}}"}', '--storage', state, '--allow', 'plugin_storage');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('host_storage_set {"key":"template","text":"T {{date}}"} → ok');
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({ config: null, storage: { 'diaryx.example.daily:template': { text: 'T {{date}}' } } });
    const second = diaryxPlugin(
      'run', daily, '--workspace', dir, 'get-settings', '--storage', state, '--allow', 'plugin_storage', '--timeout-ms', '20000',
      '--event', '{"event_type":"workspace_opened","payload":{"workspace_root":"/ws"}}', '--config', '{"folder":"Journal"}',
    );
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('"data":{"folder":"Journal","template":"T {{date}}","workspace_root":"/ws"}');
    expect(second.stdout).toContain('host_storage_get {"key":"template"} → ok {"text":"T {{date}}"}');
    expect(JSON.parse(readFileSync(state, 'utf8')).config).toEqual({ folder: 'Journal' });
    // The config persists in the state file: a third run without --config still has it.
    const third = diaryxPlugin('run', daily, '--workspace', dir, 'get-settings', '--storage', state, '--allow', 'plugin_storage', '--json');
    expect(JSON.parse(third.stdout).response).toMatchObject({ success: true, data: { folder: 'Journal', workspace_root: '/ws' } });
  });

  it('a --config file works like JSON text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diaryx-cli-state-'));
    writeFileSync(join(dir, 'config.json'), '{"folder":"Notes"}');
    const result = diaryxPlugin('run', daily, '--workspace', dir, 'get-settings', '--config', join(dir, 'config.json'), '--allow', 'plugin_storage', '--json');
    expect(JSON.parse(result.stdout).response.data.folder).toBe('Notes');
  });

  it.each([
    ['a missing wasm', ['run', '/nonexistent/plugin.wasm', '--workspace', '.', 'x'], /^error .*does not exist/],
    ['a missing workspace', ['run', daily, '--workspace', '/nonexistent-folder', 'x'], /^error --workspace \/nonexistent-folder does not exist/],
    ['a bad --event', ['run', daily, '--workspace', '.', 'x', '--event', 'not an event'], /^error --event not an event: give an event type/],
    ['an --event without event_type', ['run', daily, '--workspace', '.', 'x', '--event', '{"payload":{}}'], /^error --event .*needs a string "event_type"/],
    ['a bad --timeout-ms', ['run', daily, '--workspace', '.', 'x', '--timeout-ms', '0'], /^error --timeout-ms 0 is not a whole number/],
    ['a --timeout-ms without value', ['run', daily, '--workspace', '.', 'x', '--timeout-ms', '-3'], /^error Option '--timeout-ms' argument is ambiguous/],
    ['an unknown option', ['run', daily, '--workspace', '.', 'x', '--frobnicate'], /^error Unknown option '--frobnicate'/],
    ['a bad --config', ['run', daily, '--workspace', '.', 'x', '--config', '/nonexistent.json'], /^error --config \/nonexistent.json is neither JSON nor a readable file/],
    ['a --storage in a missing folder', ['run', daily, '--workspace', '.', 'x', '--storage', '/nonexistent/state.json'], /^error --storage .*does not exist/],
  ])('%s is one line and exit code 2', (_name, args, message) => {
    const result = diaryxPlugin(...args);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('a state file that is not one is one line and exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diaryx-cli-state-'));
    writeFileSync(join(dir, 'state.json'), '{');
    const result = diaryxPlugin('run', daily, '--workspace', dir, 'x', '--storage', join(dir, 'state.json'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error --storage .*state\.json is not JSON .*delete it to start with empty state\n$/);
  });

  it('parses --event names and JSON', () => {
    expect(parseEventArg('file_saved')).toEqual({ event_type: 'file_saved', payload: {} });
    expect(parseEventArg('{"event_type":"file_saved","payload":{"path":"a.md"}}')).toEqual({ event_type: 'file_saved', payload: { path: 'a.md' } });
  });
});
