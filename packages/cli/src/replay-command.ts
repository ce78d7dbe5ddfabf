// `diaryx-plugin replay <plugin.wasm> <trace.json>`: replays a recorded trace against the plugin
// (exit 0 identical, 1 with the divergence), or writes it as a Vitest test (--emit-test).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { replayReportLines, replayTrace } from '@diaryx/testing';
import { checkOutputFile, checkWasm, fail, orFail } from './cli-checks.js';
import { emitReplayTest } from './emit-test.js';
import { palette } from './output.js';
import { parseTimeoutArg } from './run-arguments.js';
import { terminalSafe } from './terminal-text.js';
import { readTraceFile, writeTraceFile } from './trace-file.js';

const c = palette();

export const REPLAY_HELP = `Usage: diaryx-plugin replay <plugin.wasm> <trace.json> [--lenient] [--timeout-ms N] [--json]
       diaryx-plugin replay <plugin.wasm> <trace.json> --emit-test <file.test.ts> [--force]

Replays a trace recorded in an app (the loader's record option, or run/dev --record): loads the
plugin with a fake host that answers every host call from the trace, runs the trace's calls in
order and compares each host call, output and error with the trace. Exit 0 when it replays
identically, 1 with the first divergence (both sides), 2 when the plugin or trace cannot be read.
--lenient ignores host_log calls, compares JSON outputs as values and errors by kind, and lists
  every divergence instead of stopping at the first.
--emit-test writes a Vitest file that replays the trace (and a copy of the trace next to it,
  <file>.trace.json), with each call's recorded output as an expectation to correct: the way to
  turn a user's bug into a failing test. --force replaces existing files.`;

/** Runs the replay command; resolves with the exit code. */
export async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      lenient: { type: 'boolean' },
      'timeout-ms': { type: 'string' },
      'emit-test': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 2) {
    (values.help ? console.log : console.error)(REPLAY_HELP);
    return values.help ? 0 : 2;
  }
  const [wasm, tracePath] = positionals as [string, string];
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : orFail(() => parseTimeoutArg(values['timeout-ms']!));
  const wasmPath = await checkWasm(wasm);
  const trace = await readTraceFile(tracePath).catch((error: unknown) => fail((error as Error).message));

  const testPath = values['emit-test'];
  if (testPath !== undefined) {
    const target = resolve(testPath);
    const copy = target.replace(/(\.test)?\.[cm]?[jt]s$/, '') + '.trace.json';
    await mkdir(dirname(target), { recursive: true }).catch((error: unknown) => fail(`--emit-test ${testPath}: ${(error as Error).message}`));
    await checkOutputFile('--emit-test', target, 'a test file (e.g. test/bug.test.ts)');
    for (const file of [target, copy]) {
      if (!values.force && existsSync(file)) fail(`--emit-test: ${file} exists; pass --force to replace it`);
    }
    await writeTraceFile(copy, trace);
    await writeFile(target, emitReplayTest({ trace, testPath: target, wasmPath: resolve(wasmPath), tracePath: copy, source: tracePath }));
    console.log(`wrote ${terminalSafe(target)} and ${terminalSafe(copy)}: change the recorded output the user reported as wrong into what the plugin should answer, and run the test`);
    return 0;
  }

  const result = await replayTrace(wasmPath, trace, {
    strict: values.lenient !== true,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          identical: result.identical,
          divergence: result.divergence,
          divergences: result.divergences,
          notes: result.notes,
          calls: result.calls.map((call) => ({
            index: call.index,
            seq: call.seq,
            export: call.export,
            ...(call.error === null ? { output: call.value ?? null } : { error: { kind: call.error.kind, message: call.error.message } }),
          })),
        },
        null,
        2,
      ),
    );
  } else {
    const [first, ...rest] = replayReportLines(result).map(terminalSafe);
    console.log(`${result.identical ? c.green('✓') : c.red('✗')} ${first ?? ''}`);
    for (const line of rest) console.log(line);
  }
  return result.identical ? 0 : 1;
}
