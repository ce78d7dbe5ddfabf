import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { HOST_FUNCTION_NAMES, MemoryPluginStorage } from '@diaryx/host-fns';
import { shownInput, shownOutput } from './call-log.js';
import { runConformance } from './conformance.js';
import { startDevSession } from './dev-session.js';
import { inspectPlugin } from './inspect.js';
import { checkOutputFile, checkWasm, checkWorkspace, fail, orFail } from './cli-checks.js';
import { palette } from './output.js';
import type { SessionRecord } from './plugin-session.js';
import { parseConfigArg, parseCountArg, parseEventArg, parseTimeoutArg } from './run-arguments.js';
import { REPLAY_HELP, replayCommand } from './replay-command.js';
import { parseAllow, runCommand } from './run-command.js';
import { loadState, saveState } from './state-file.js';
import { terminalSafe } from './terminal-text.js';
import { stdinAsker } from './terminal-asker.js';
import { writeTraceFile } from './trace-file.js';

const c = palette();

const HELP: Record<string, string> = {
  main: `Usage: diaryx-plugin <command> [options]

Commands:
  inspect <plugin.wasm|dir>   manifest, exports, imported host functions, permissions, compatibility
  check <plugin.wasm|dir>     conformance run with the fake host; exit 1 if a check fails
  run <plugin.wasm> --workspace <dir> <command> [--params JSON] [--allow key=scopes]…
                              run one command against a real folder; prints the response and host calls
  dev <plugin dir> --workspace <dir> [--allow key=scopes]…
                              rebuild on save, reload, fire file events, type commands at a prompt
  replay <plugin.wasm> <trace.json>
                              replay a recorded trace; exit 1 with the first divergence (--emit-test: a Vitest file)

Run "diaryx-plugin <command> --help" for its options. --json prints machine-readable output.`,
  inspect: `Usage: diaryx-plugin inspect <plugin.wasm|dir> [--json] [--app-version 1.4.1]

Prints the manifest, its UI contributions (settings tabs and their fields, palette items, …) and
CLI commands, the exports, the host functions the module imports, the permissions it requests
with their reasons, and whether this Diaryx version can load it and show each UI element.
Exit 1 if it cannot be read, cannot load, or has an element Diaryx would drop.`,
  check: `Usage: diaryx-plugin check <plugin.wasm|dir> [--json] [--budget-ms 2000] [--runs 50] [--app-version 1.4.1]

Loads the plugin with the fake host (in a worker; --budget-ms is every call's deadline), gives
it the workspace root /workspace with init, and checks: the manifest is valid and complete; its
ui and cli elements are shown by the target Diaryx (--app-version; an element the loader would
drop fails, naming the element and the field; a slot the target does not know is a warning); the
host functions it uses have their permission requested (plugin_storage: a warning, since Diaryx
grants it unless excluded); declared commands answer with a CommandResponse; an unknown command yields
success: false; every event type is accepted; imports are all Diaryx host functions; every call
stays under the budget; random and malformed event payloads do not make it fail (property-based);
and, with a fake host that grants exactly the manifest's requested_permissions, no host call
of init, the commands or the events is denied (else: add the permission it names).
Every failure shows the input that was sent. Warnings (!) do not fail. Exit 1 if any check fails.`,
  run: `Usage: diaryx-plugin run <plugin.wasm> --workspace <dir> <command> [--params JSON] [--allow key=scopes]…
       [--event <json|name>]… [--config <json|file>] [--storage <state.json>] [--record <trace.json>]
       [--timeout-ms N] [--watch] [--json]

Runs one command against a real workspace folder. Permissions are denied unless given, except
plugin_storage, which Diaryx grants a plugin unless the workspace excludes it (as run does):
  --allow read_files=all  --allow create_files=Daily  --allow http_requests=api.example.com
On a terminal (and without --json), a permission not given is asked once (y/N), as Diaryx does.
--event fires an event before the command (repeatable, in order): a name (file_saved, payload {})
  or JSON {"event_type":"file_saved","payload":{"path":"a.md"}}.
--config gives the plugin's config (JSON text or a JSON file), pushed through set_config.
--storage keeps plugin storage and config in a JSON state file: loaded at start (a missing file is
  empty state), saved at the end, so state persists between runs.
--record writes a trace of the run (set_config, init, the events, the command: every host call
  with its input and output, secrets redacted) for "diaryx-plugin replay".
--timeout-ms is every call's deadline.
--watch reloads the wasm and runs the command again whenever the file changes (no rebuild).`,
  dev: `Usage: diaryx-plugin dev [plugin dir] --workspace <dir> [--allow key=scopes]… [--config <json|file>]
       [--state <state.json>] [--record <trace.json>] [--timeout-ms N] [--no-build] [--ask]

A long-running session against a real folder (plugin dir defaults to "."):
- rebuilds the plugin with "npm run build" when a source file changes, and reloads it
  (build/plugin.wasm, else plugin.wasm);
- keeps plugin storage and config in a state file across reloads and runs
  (default <plugin dir>/.diaryx-dev-state.json);
- fires file_created, file_saved, file_deleted ({"path": "<workspace-relative>"}) and file_moved
  ({"old_path", "new_path"}) when files in the workspace change, but not for the plugin's own
  writes, dot-folders or the state file;
- grants the permissions the manifest requests (requested_permissions), plus any --allow; on a
  terminal (or with --ask) asks once about any other permission the plugin uses;
- reads commands at a prompt (with history): "<command> [JSON params]", ":event <name|json>",
  ":config <json>", ":reload", ":quit". Each result is printed with its host-call trace;
- with --record, keeps a trace of the plugin's calls since it was last loaded in that file
  (rewritten after every command and event) for "diaryx-plugin replay".`,
  replay: REPLAY_HELP,
};

/** Prints the host calls (storage payloads decoded when they are text), events and logs. */
function printRecord(record: SessionRecord): void {
  for (const call of record.calls) {
    const mark = call.outcome === 'ok' ? c.green('ok') : call.outcome === 'denied' ? c.yellow('denied') : c.red('trap');
    const output = shownOutput(call);
    console.log(
      `  ${terminalSafe(call.name)} ${c.dim(terminalSafe(shownInput(call)))} → ${mark}${output ? c.dim(` ${terminalSafe(output)}`) : ''}${call.message ? c.dim(` ${terminalSafe(call.message)}`) : ''}`,
    );
  }
  for (const event of record.events) console.log(`  event ${terminalSafe(event)}`);
  for (const line of record.logs) console.log(c.dim(`  log ${terminalSafe(line)}`));
}

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'app-version': { type: 'string' } } });
  if (values.help || positionals.length !== 1) return usage('inspect', values.help);
  const wasmPath = await checkWasm(positionals[0]!);
  try {
    const report = await inspectPlugin(wasmPath, values['app-version']);
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return report.compatibility.length === 0 ? 0 : 1;
    }
    const m = report.manifest;
    const list = (items: readonly string[]) => items.map(terminalSafe).join(', ');
    console.log(`${c.bold(terminalSafe(m.name))} ${terminalSafe(m.version)} ${c.dim(`(${terminalSafe(m.id)})`)}\n${terminalSafe(m.description)}\n`);
    console.log(`protocol v${m.protocol_version}${m.min_app_version ? `, needs Diaryx ≥ ${terminalSafe(m.min_app_version)}` : ''}`);
    console.log(`capabilities: ${list(m.capabilities) || '—'}`);
    console.log(`commands: ${list(m.commands) || '—'}`);
    console.log(`ui: ${report.ui.length === 0 ? '—' : ''}`);
    report.ui.forEach((line, index) => {
      const problems = report.elementProblems.filter((p) => p.element.startsWith(`ui[${index}]`));
      const mark = problems.some((p) => p.severity === 'error') ? c.red('✗') : problems.length > 0 ? c.yellow('!') : ' ';
      console.log(`${mark} ${terminalSafe(line)}`);
      for (const problem of problems) console.log(c.dim(`    ${terminalSafe(problem.message)}`));
    });
    if (m.cli.length > 0) {
      const name = (command: unknown) => (command !== null && typeof command === 'object' && typeof (command as { name?: unknown }).name === 'string' ? (command as { name: string }).name : '?');
      console.log(`cli: ${list(m.cli.map(name))}`);
      for (const problem of report.elementProblems.filter((p) => p.element.startsWith('cli['))) console.log(c.dim(`  ✗ ${terminalSafe(problem.message)}`));
    }
    console.log(`exports: ${list(report.exports)}`);
    if (report.referencedHostFunctions !== null) {
      console.log(`host functions: ${list(report.referencedHostFunctions) || '—'} ${c.dim(`(referenced by the plugin's code; its runtime imports all ${report.hostImports.length})`)}`);
    } else if (report.hostImports.length === HOST_FUNCTION_NAMES.length) {
      console.log(`host functions: ${list(report.hostImports)} ${c.dim('(every one is imported, as a js-runtime plugin does: this is the full import list, not what the code uses; diaryx-js build records that)')}`);
    } else {
      console.log(`host functions: ${list(report.hostImports) || '—'}`);
    }
    const reasons = m.requested_permissions?.reasons ?? {};
    const requested = Object.entries(m.requested_permissions?.defaults ?? {});
    console.log(`permissions: ${requested.length === 0 ? '—' : ''}`);
    for (const [key, rule] of requested) {
      const reason = reasons[key];
      console.log(`  ${terminalSafe(key)} (${list(rule.include)}): ${reason === undefined ? c.yellow('no reason given') : terminalSafe(reason)}`);
    }
    const problems = report.compatibility.map(terminalSafe);
    console.log(problems.length === 0 ? c.green('\n✓ compatible with this Diaryx: it loads, and shows every UI element it knows') : c.red(`\n✗ ${problems.join('\n✗ ')}`));
    return report.compatibility.length === 0 ? 0 : 1;
  } catch (error) {
    console.error(`${c.red('✗')} ${terminalSafe((error as Error).message)}`);
    return 1;
  }
}

async function check(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'budget-ms': { type: 'string' }, runs: { type: 'string' }, 'app-version': { type: 'string' } },
  });
  if (values.help || positionals.length !== 1) return usage('check', values.help);
  const wasmPath = await checkWasm(positionals[0]!);
  const results = await runConformance(wasmPath, {
    ...(values['app-version'] === undefined ? {} : { appVersion: values['app-version'] }),
    ...(values['budget-ms'] === undefined ? {} : { timeBudgetMs: orFail(() => parseCountArg('--budget-ms', values['budget-ms']!, 'milliseconds')) }),
    ...(values.runs === undefined ? {} : { randomRuns: orFail(() => parseCountArg('--runs', values.runs!, 'runs')) }),
  });
  const failed = results.filter((r) => r.status === 'fail').length;
  if (values.json) {
    console.log(JSON.stringify({ passed: failed === 0, results }, null, 2));
    return failed === 0 ? 0 : 1;
  }
  for (const r of results) {
    const mark = r.status === 'pass' ? c.green('✓') : r.status === 'fail' ? c.red('✗') : r.status === 'warn' ? c.yellow('!') : c.dim('-');
    console.log(`${mark} ${terminalSafe(r.name)}${r.detail ? c.dim(` — ${terminalSafe(r.detail)}`) : ''}`);
  }
  const passed = results.filter((r) => r.status === 'pass').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  console.log(
    `\n${failed === 0 ? c.green('PASS') : c.red('FAIL')} ${passed} passed, ${failed} failed, ${results.length - passed - failed - warned} skipped` +
      (warned === 0 ? '' : `, ${warned} with warnings`),
  );
  return failed === 0 ? 0 : 1;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      params: { type: 'string' },
      allow: { type: 'string', multiple: true },
      event: { type: 'string', multiple: true },
      config: { type: 'string' },
      storage: { type: 'string' },
      record: { type: 'string' },
      'timeout-ms': { type: 'string' },
      watch: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 2 || !values.workspace) return usage('run', values.help);
  const [wasm, command] = positionals as [string, string];
  let params: unknown = null;
  try {
    params = values.params === undefined ? null : JSON.parse(values.params);
  } catch (error) {
    fail(`--params is not JSON: ${(error as Error).message}`);
  }
  const allow = orFail(() => parseAllow(values.allow ?? []));
  const events = (values.event ?? []).map((spec) => orFail(() => parseEventArg(spec)));
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : orFail(() => parseTimeoutArg(values['timeout-ms']!));
  const givenConfig = values.config === undefined ? undefined : await parseConfigArg(values.config).catch((error: unknown) => fail((error as Error).message));
  const workspace = await checkWorkspace(values.workspace);
  const wasmPath = await checkWasm(wasm);
  const statePath = values.storage;
  const recordPath = values.record;
  if (recordPath !== undefined) await checkOutputFile('--record', recordPath, 'a JSON trace file');
  if (statePath !== undefined) {
    await checkOutputFile('--storage', statePath, 'a JSON state file');
    await loadState(statePath).catch((error: unknown) => fail((error as Error).message));
  }
  const asker = values.json ? null : stdinAsker();
  const once = async (): Promise<number> => {
    try {
      const state = statePath === undefined ? { storage: new MemoryPluginStorage(), config: null } : await loadState(statePath);
      const config = givenConfig === undefined ? state.config : givenConfig;
      const result = await runCommand({
        wasmPath,
        workspace,
        command,
        params,
        allow,
        events,
        config,
        storage: state.storage,
        record: recordPath !== undefined,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        // On a terminal, a permission --allow leaves open is asked (the Rust CLI's wrapper).
        ...(asker === null ? {} : { ask: asker }),
      });
      if (statePath !== undefined) await saveState(statePath, state.storage, result.config);
      if (recordPath !== undefined && result.trace !== undefined) await writeTraceFile(recordPath, result.trace);
      if (values.json) {
        const { trace: _trace, ...shown } = result;
        console.log(JSON.stringify(shown, null, 2));
      } else {
        console.log(`${c.bold(terminalSafe(result.pluginId))} ${terminalSafe(command)} → ${terminalSafe(JSON.stringify(result.response))}`);
        printRecord(result);
      }
      return result.response.success ? 0 : 1;
    } catch (error) {
      console.error(`${c.red('✗')} ${terminalSafe((error as Error).message)}`);
      return 1;
    }
  };
  const status = await once();
  if (!values.watch) return status;
  console.log(c.dim(`watching ${wasmPath} (Ctrl-C to stop)`));
  let timer: NodeJS.Timeout | undefined;
  watch(wasmPath, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void once(), 200);
  });
  return new Promise<number>(() => undefined);
}

async function dev(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      allow: { type: 'string', multiple: true },
      config: { type: 'string' },
      state: { type: 'string' },
      record: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'no-build': { type: 'boolean' },
      ask: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length > 1 || !values.workspace) return usage('dev', values.help);
  const pluginDir = positionals[0] ?? '.';
  const info = await stat(pluginDir).catch(() => null);
  if (!info?.isDirectory()) fail(`${pluginDir} ${info ? 'is not a folder' : 'does not exist'}: give the plugin project folder (with package.json)`);
  const workspace = await checkWorkspace(values.workspace);
  const allow = orFail(() => parseAllow(values.allow ?? []));
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : orFail(() => parseTimeoutArg(values['timeout-ms']!));
  const config = values.config === undefined ? undefined : await parseConfigArg(values.config).catch((error: unknown) => fail((error as Error).message));
  if (values.state !== undefined) {
    await checkOutputFile('--state', values.state, 'a JSON state file');
    await loadState(values.state).catch((error: unknown) => fail((error as Error).message));
  }
  if (values.record !== undefined) await checkOutputFile('--record', values.record, 'a JSON trace file');
  return startDevSession({
    pluginDir,
    workspace,
    allow,
    ...(values.state === undefined ? {} : { statePath: values.state }),
    ...(config === undefined ? {} : { config }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(values['no-build'] ? { build: false } : {}),
    ...(values.ask ? { ask: true } : {}),
    ...(values.record === undefined ? {} : { recordPath: values.record }),
  });
}

function usage(command: string, asked: boolean | undefined): number {
  (asked ? console.log : console.error)(HELP[command]);
  return asked ? 0 : 2;
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<number>> = { inspect, check, run, dev, replay: replayCommand };
if (!command || command === '--help' || command === '-h') process.exit(usage('main', command !== undefined));
const handler = commands[command];
if (!handler) fail(`unknown command "${command}"\n\n${HELP['main']}`);
try {
  process.exit(await handler(rest));
} catch (error) {
  // node:util parseArgs: an unknown option or a missing value is a bad argument (exit 2).
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('ERR_PARSE_ARGS')) fail(`${(error as Error).message.split('\n')[0]} (see diaryx-plugin ${command} --help)`);
  throw error;
}
