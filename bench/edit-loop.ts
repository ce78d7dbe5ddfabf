// Edit → red/green on a scaffolded TypeScript project in watch mode (`vitest`, with diaryxBuild
// in its vitest.config.ts), as an author sees it: save src/index.ts, wait for the rerun's summary.
// Alternates a breaking edit (the greeting changes: red) with the original (green) and prints the
// median of each. A script, not a timed test:
//   npx tsx bench/edit-loop.ts [edits=8]
// The project's kit packages are the workspace's (bench/linked-project.ts): build first.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linkedProject } from './linked-project.js';

const edits = Number(process.argv[2] ?? 8);
const project = linkedProject(fileURLToPath(new URL('.tmp/edit-loop', import.meta.url)), 'ts');
const source = join(project, 'src', 'index.ts');
// EDIT_LOOP_POOL=threads: try another Vitest pool (the template uses Vitest's default).
if (process.env['EDIT_LOOP_POOL']) {
  const config = join(project, 'vitest.config.ts');
  writeFileSync(config, readFileSync(config, 'utf8').replace('plugins: [diaryxBuild()],', `plugins: [diaryxBuild()],\n  test: { pool: '${process.env['EDIT_LOOP_POOL']}' },`));
}
const original = readFileSync(source, 'utf8');
const broken = original.replace('`Hello, ', '`Hallo, ');
if (broken === original) throw new Error('the generated src/index.ts has no `Hello, ` to edit');

const vitest = spawn(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), '--watch'], {
  cwd: project,
  stdio: ['pipe', 'pipe', 'pipe'],
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '' },
});
let output = '';
const waiting: Array<() => void> = [];
const append = (chunk: Buffer) => {
  output += chunk.toString();
  for (const wake of waiting.splice(0)) wake();
};
vitest.stdout.on('data', append);
vitest.stderr.on('data', append);

/** Resolves with the next summary line after `from` in the output ("Tests  1 failed | 8 passed (9)"). */
function nextSummary(from: number): Promise<{ line: string; end: number }> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const match = /^\s*Tests\s+(.*)$/m.exec(output.slice(from));
      if (match) resolve({ line: match[1]!.trim(), end: from + match.index + match[0].length });
      else if (vitest.exitCode !== null) reject(new Error(`vitest exited:\n${output}`));
      else waiting.push(look);
    };
    look();
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  let seen = (await nextSummary(0)).end;
  console.log(`first run done (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  const red: number[] = [];
  const green: number[] = [];
  for (let i = 0; i < edits; i++) {
    const breaking = i % 2 === 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    writeFileSync(source, breaking ? broken : original);
    const summary = await nextSummary(seen);
    const ms = Math.round(performance.now() - started);
    seen = summary.end;
    const failed = /failed/.test(summary.line);
    if (failed !== breaking) throw new Error(`edit ${i + 1}: expected ${breaking ? 'red' : 'green'}, got "${summary.line}"\n${output}`);
    (breaking ? red : green).push(ms);
    console.log(`edit ${i + 1}: ${breaking ? 'red' : 'green'} in ${ms} ms (${summary.line})`);
  }
  console.log(`edit → red: median ${median(red)} ms of ${red.length}; edit → green: median ${median(green)} ms of ${green.length}`);
  if (process.env.EDIT_LOOP_OUTPUT) console.log(output);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  writeFileSync(source, original);
  vitest.kill('SIGTERM');
}
