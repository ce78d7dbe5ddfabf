import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Smoke test of the README's first command (`npm run demo` = the build, then scripts/demo.mjs):
// the script loads the built example plugins through the built packages (dist), so it runs
// after the build, as `npm test` does. It once broke silently; this runs it as a user would.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const builtExamples = readdirSync(join(root, 'examples'))
  .filter((name) => existsSync(join(root, 'examples', name, 'build', 'plugin.wasm')))
  .sort();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Not a TTY: the script prints without colours.
    const child = spawn(process.execPath, [join(root, 'scripts', 'demo.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo (scripts/demo.mjs)', () => {
  it('loads every built example, runs their events and commands, and exits 0 with nothing on stderr', { timeout: 90_000 }, async () => {
    expect(builtExamples, 'no built example plugins: run `npm run build` first').toEqual(['contents', 'daily', 'webhook', 'word-count', 'word-count-ts']);
    const { code, stdout, stderr } = await runDemo();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');

    expect(stdout).toContain(`: ${builtExamples.join(', ')}\n`);
    expect(lines.filter((line) => line.startsWith('✗'))).toEqual([]);
    for (const name of builtExamples) {
      expect(lines.some((line) => line.startsWith('✓ loaded ') && line.includes(`(diaryx.example.${name} `)), `${name} loaded`).toBe(true);
    }

    // file_saved reaches the plugins that listen to it: events, and the webhook's POST.
    expect(stdout).toContain('event from diaryx.example.word-count: {"event_type":"word_count_updated","payload":{"path":"notes/hello.md","words":14}}');
    expect(stdout).toContain('event from diaryx.example.word-count-ts: {"event_type":"word_count_updated","payload":{"path":"notes/hello.md","words":14}}');
    expect(stdout).toContain('webhook received POST /hook: {"path":"notes/hello.md","words":14}');

    // Every command answers; the one failure is add-to-contents called without its path.
    const responses = lines.filter((line) => line.startsWith('  → '));
    expect(responses.length).toBe(10);
    expect(responses.filter((line) => !line.startsWith('  → {"success":true'))).toEqual(['  → {"success":false,"error":"add-to-contents needs params.path"}']);
    const cafe = '→ {"success":true,"data":{"path":"notes/café.md","counts":{"characters":77,"lines":4,"words":13}}}';
    expect(responses.filter((line) => line.endsWith(cafe))).toHaveLength(2); // the AssemblyScript and TypeScript word-count agree
    expect(stdout).toMatch(/diaryx\.example\.daily open-today null\n {2}→ \{"success":true,"data":\{"path":"Daily\/\d{4}\/\d{2}\/\d{4}-\d{2}-\d{2}\.md","created":true\}\}/);
    expect(stdout).toContain('diaryx.example.webhook send-test null\n  → {"success":true,"data":{"status":202}}');
    expect(stdout).toMatch(/Workspace files now: Daily\/\d{4}\/\d{2}\/\d{4}-\d{2}-\d{2}\.md, README\.md, notes\/café\.md, notes\/hello\.md, tour\/a\.md\n/);
  });
});
