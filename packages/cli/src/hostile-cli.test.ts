import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { terminalSafe } from './terminal-text.js';

// Issue 15 (security round 2), the CLI's part: a plugin's text must not drive the terminal
// (15.15), and `run` checks its folder and wasm before running anything (15.23).

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');

function diaryxPlugin(...args: string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

// ESC sequences (clear screen, set the title, cursor up), BEL, a C1 CSI, DEL, a right-to-left override.
const CLEAR = '\u001b[2J\u001b[H';
const TITLE = '\u001b]0;pwned\u0007';
const FORGED = '\n\n✓ compatible with this Diaryx';
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function wasmFile(wat: string): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'diaryx-cli-hostile-')), 'plugin.wasm');
  writeFileSync(path, await compileWat(wat));
  return path;
}

const hostileManifest = JSON.stringify({
  id: 'term.evil',
  name: `${CLEAR}${TITLE}Evil`,
  version: '1.0\u009b31m',
  description: `fine${FORGED}`,
  capabilities: ['custom_commands'],
  commands: ['run', `x${CLEAR}`],
  min_app_version: '999.0.0\u001b[1A',
  requested_permissions: { defaults: { read_files: { include: [`all${TITLE}`] } }, reasons: { read_files: `because\u202e${FORGED}` } },
});

describe('15.15 plugin-controlled text is escaped in text mode', () => {
  it('terminalSafe shows controls as escapes and keeps ordinary text', () => {
    expect(terminalSafe(`a\tb${CLEAR}\n\u0007\u009b\u007f\u202eé✓`)).toBe('a\tb\\e[2J\\e[H\\n\\x07\\x9b\\x7f\\u202eé✓');
  });

  it('inspect: a name, description, version, command, reason and compatibility line cannot clear the screen, set the title or forge a line', async () => {
    const path = await wasmFile(guestWat({ manifest: hostileManifest, exports: { 'evil\\1b[2J': '(i32.const 0)', handle_command: '(i32.const 0)' } }));
    const result = diaryxPlugin('inspect', path);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(UNSAFE);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('✓'))).toEqual([]);
    expect(result.stdout).toContain('\\e[2J\\e[H\\e]0;pwned\\x07Evil');
    expect(result.stdout).toContain('fine\\n\\n✓ compatible with this Diaryx');
    expect(result.stdout).toContain('exports: evil\\e[2J');
    expect(result.stdout).toContain('✗ requires Diaryx v999.0.0\\e[1A or later');
  });

  it('run: the response, host-call inputs, events, logs and errors are escaped', async () => {
    const wat = guestWat({
      manifest: hostileManifest.replace('"min_app_version":"999.0.0\\u001b[1A",', ''),
      hostImports: ['host_emit_event', 'host_log'],
      data: {
        event: `event${CLEAR}${FORGED}`,
        log: JSON.stringify({ level: 'info', message: `log${TITLE}${FORGED}` }),
        out: JSON.stringify({ success: true, data: `C1\u009b2J DEL\u007f RLO\u202e` }),
      },
      exports: {
        handle_command: `(drop (call $host_emit_event (call $to_block (global.get $event_ptr) (global.get $event_len))))
          (drop (call $host_log (call $to_block (global.get $log_ptr) (global.get $log_len))))
          (call $output_bytes (global.get $out_ptr) (global.get $out_len)) (i32.const 0)`,
      },
    });
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-cli-ws-'));
    const result = diaryxPlugin('run', await wasmFile(wat), '--workspace', workspace, 'run');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(UNSAFE);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('✓'))).toEqual([]);
    expect(result.stdout).toContain('event event\\e[2J\\e[H\\n\\n✓ compatible');
    expect(result.stdout).toContain('log\\e]0;pwned\\x07\\n\\n✓ compatible');
    expect(result.stdout).toContain('C1\\x9b2J DEL\\x7f RLO\\u202e');
  });

  it('check: a guest error shown as a check detail is escaped', async () => {
    const wat = guestWat({
      manifest: JSON.stringify({ id: 'term.err', name: 'n', version: '1', description: 'd', capabilities: ['custom_commands'], commands: ['run'] }),
      data: { err: `boom${CLEAR}${FORGED}` },
      exports: { handle_command: '(call $fail (global.get $err_ptr) (global.get $err_len)) (i32.const 1)' },
    });
    const result = diaryxPlugin('check', await wasmFile(wat), '--runs', '3');
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(UNSAFE);
    expect(result.stdout).toContain('boom\\e[2J\\e[H\\n\\n✓ compatible');
  });
});

describe('15.1 inspect and plugin ids (D17)', () => {
  it('an invalid id is a compatibility problem naming the id and the rule', async () => {
    const manifest = JSON.stringify({ id: 'acme:notes', name: 'n', version: '1', description: 'd', capabilities: [] });
    const result = diaryxPlugin('inspect', await wasmFile(guestWat({ manifest })), '--json');
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).compatibility).toEqual([expect.stringContaining('the id "acme:notes" is not valid: a plugin id is 1–128 characters')]);
  });
});

describe('15.23 run checks its arguments first', () => {
  it('a missing workspace folder: one clear line, exit code 2, nothing run', async () => {
    const wasm = await wasmFile(guestWat({ manifest: hostileManifest, exports: { handle_command: '(i32.const 0)' } }));
    const result = diaryxPlugin('run', wasm, '--workspace', '/no/such/dir', 'run');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['error --workspace /no/such/dir does not exist: give the folder of a Diaryx workspace']);
  });

  it('a workspace that is a file, and a missing wasm path: exit code 2 with one line each', async () => {
    const wasm = await wasmFile(guestWat({ manifest: hostileManifest, exports: { handle_command: '(i32.const 0)' } }));
    const notFolder = diaryxPlugin('run', wasm, '--workspace', wasm, 'run');
    expect(notFolder.status).toBe(2);
    expect(notFolder.stderr.trim().split('\n')).toEqual([`error --workspace ${wasm} is not a folder: give the folder of a Diaryx workspace`]);
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-cli-ws-'));
    const missing = diaryxPlugin('run', join(workspace, 'nope.wasm'), '--workspace', workspace, 'run');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([`error ${join(workspace, 'nope.wasm')} does not exist: give a plugin.wasm (build the plugin first, e.g. npm run build)`]);
    const emptyFolder = diaryxPlugin('run', workspace, '--workspace', workspace, 'run');
    expect(emptyFolder.status).toBe(2);
    expect(emptyFolder.stderr.trim().split('\n')).toEqual([`error ${join(workspace, 'plugin.wasm')} does not exist: give a plugin.wasm (build the plugin first, e.g. npm run build)`]);
  });
});
