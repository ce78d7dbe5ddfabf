// `diaryx-plugin dev`: a long-running session against a real folder. It rebuilds the plugin when
// its sources change (`npm run build`), reloads it, keeps its storage and config in a state file
// across reloads and runs, fires the file events of the workspace (the loader's watchWorkspace:
// created, saved, deleted, moved, never the plugin's own writes), asks about a permission the
// grants leave open (on a terminal, or with --ask), and runs commands typed at a prompt,
// printing each result and host-call trace.
import { spawn } from 'node:child_process';
import { type FSWatcher, existsSync, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { type MemoryPluginStorage, type PermissionAsker, type PermissionKey, type PluginPermissions, recentWrites } from '@diaryx/host-fns';
import { type GuestEvent, watchWorkspace } from '@diaryx/loader';
import { serialRuns } from '@diaryx/watch';
import { isBuildOutput } from './build-outputs.js';
import { shownInput, shownOutput } from './call-log.js';
import { type PluginSession, openPluginSession } from './plugin-session.js';
import { parseEventArg } from './run-arguments.js';
import { loadState, saveState } from './state-file.js';
import { isYes, permissionQuestion } from './terminal-asker.js';
import { terminalSafe } from './terminal-text.js';
import { writeTraceFile } from './trace-file.js';

/** Options of {@link startDevSession}. */
export interface DevOptions {
  /** The plugin project folder (with package.json and its build script) or a folder with plugin.wasm. */
  pluginDir: string;
  workspace: string;
  /** Granted on top of the manifest's requested_permissions (which dev grants, as the app does after consent). */
  allow: PluginPermissions;
  /** The state file (storage and config); default `<pluginDir>/.diaryx-dev-state.json`. */
  statePath?: string;
  /** Replaces the config from the state file. */
  config?: unknown;
  timeoutMs?: number;
  /** Run the project's build on start and on save (default true when it has a build script). */
  build?: boolean;
  /**
   * Ask at the prompt about a permission neither the manifest's requested_permissions nor
   * `allow` grant (once per key; a plain Enter is no). Default: when the input is a terminal.
   */
  ask?: boolean;
  /**
   * Record the plugin's calls into this trace file, rewritten after every command, event and
   * config (the calls since the plugin was last loaded: a reload starts a new trace).
   */
  recordPath?: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** The plugin.wasm a plugin folder builds: build/plugin.wasm, else plugin.wasm. */
export function wasmOf(pluginDir: string): string {
  const built = join(pluginDir, 'build', 'plugin.wasm');
  return existsSync(built) || !existsSync(join(pluginDir, 'plugin.wasm')) ? built : join(pluginDir, 'plugin.wasm');
}

async function hasBuildScript(pluginDir: string): Promise<boolean> {
  try {
    const pkg = JSON.parse(await readFile(join(pluginDir, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    return typeof pkg.scripts?.build === 'string';
  } catch {
    return false;
  }
}

/** Runs the dev session until the input ends (or `:quit`); resolves with the exit code. */
export async function startDevSession(options: DevOptions): Promise<number> {
  const out = options.output ?? process.stdout;
  const print = (line: string) => void out.write(`${line}\n`);
  const pluginDir = resolve(options.pluginDir);
  const workspace = resolve(options.workspace);
  const statePath = resolve(options.statePath ?? join(pluginDir, '.diaryx-dev-state.json'));
  const build = options.build ?? (await hasBuildScript(pluginDir));
  const state = await loadState(statePath);
  const storage: MemoryPluginStorage = state.storage;
  let config: unknown = options.config === undefined ? state.config : options.config;
  let session: PluginSession | null = null;
  // The plugin's own workspace changes, kept across reloads, so the watcher never sends them back.
  const writes = recentWrites();
  const input = options.input ?? process.stdin;
  const interactive = options.ask ?? (input === process.stdin && process.stdin.isTTY === true);
  /** The answer the next line gives, while a permission question is open. */
  let answering: ((line: string) => void) | null = null;
  const ask: PermissionAsker = (question) =>
    new Promise<boolean>((resolveAnswer) => {
      out.write(permissionQuestion(question));
      answering = (line) => {
        answering = null;
        resolveAnswer(isYes(line));
      };
    });
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = (task: () => Promise<void>) => {
    queue = queue.then(task).catch((error: unknown) => print(`✗ ${terminalSafe((error as Error).message)}`));
    return queue;
  };
  const recordPath = options.recordPath === undefined ? null : resolve(options.recordPath);
  const save = async () => {
    if (session !== null) config = session.plugin.getConfig();
    await saveState(statePath, storage, config);
    if (session !== null && recordPath !== null) await writeTraceFile(recordPath, session.plugin.takeRecording({ keep: true }));
  };
  const printTrace = () => {
    if (session === null) return;
    for (const call of session.record.calls) {
      const output = shownOutput(call);
      print(`  ${terminalSafe(call.name)} ${terminalSafe(shownInput(call))} → ${call.outcome}${output ? ` ${terminalSafe(output)}` : ''}${call.message ? ` ${terminalSafe(call.message)}` : ''}`);
    }
    for (const event of session.record.events) print(`  event ${terminalSafe(event)}`);
    for (const line of session.record.logs) print(`  log ${terminalSafe(line)}`);
    session.clear();
  };

  const runBuild = () =>
    new Promise<boolean>((done) => {
      print('building: npm run build');
      const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build'], { cwd: pluginDir, stdio: ['ignore', 'pipe', 'pipe'] });
      const lines: string[] = [];
      child.stdout.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
      child.on('error', (error) => {
        print(`✗ the build could not start: ${error.message}`);
        done(false);
      });
      child.on('close', (code) => {
        const text = lines.join('').trimEnd();
        if (text !== '') print(text);
        if (code !== 0) print(`✗ the build failed (exit code ${code}); keeping the plugin loaded before it`);
        done(code === 0);
      });
    });

  // Builds run beside the command queue, not in it: a file event or a typed command never waits
  // for a build (it waited 5.4 s). One build at a time; saves during a build make one more after
  // it; each good build queues a reload.
  const builds = serialRuns(async () => {
    if (await runBuild()) void enqueue(() => reload());
  });
  const rebuild = () => {
    if (build) builds.request();
    else void enqueue(() => reload());
  };

  const reload = async () => {
    const wasmPath = wasmOf(pluginDir);
    if (!(await stat(wasmPath).catch(() => null))?.isFile()) {
      print(`✗ ${wasmPath} does not exist: build the plugin (npm run build)`);
      return;
    }
    if (session !== null) {
      await save();
      await session.plugin.close();
      session = null;
    }
    let plugin: PluginSession['plugin'] | null = null;
    const granted = (): PluginPermissions => {
      const requested = (plugin?.manifest.requested_permissions?.defaults ?? {}) as PluginPermissions;
      const merged: PluginPermissions = { ...requested };
      for (const [key, rule] of Object.entries(options.allow) as [PermissionKey, { include: string[]; exclude: string[] }][]) {
        const base = merged[key];
        merged[key] = { include: [...(base?.include ?? []), ...rule.include], exclude: [...(base?.exclude ?? []), ...rule.exclude] };
      }
      return merged;
    };
    session = await openPluginSession({
      wasmPath,
      workspace,
      allow: granted,
      storage,
      config,
      recentWrites: writes,
      ...(interactive ? { ask } : {}),
      record: recordPath !== null,
      denialAdvice: (key) =>
        `(dev grants what the manifest requests: add ${key} to requested_permissions with a reason, as Diaryx shows it to users; or pass --allow ${key} for this session)`,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    plugin = session.plugin;
    printTrace();
    await save();
    print(`loaded ${terminalSafe(plugin.id)} ${terminalSafe(plugin.manifest.version)} (commands: ${plugin.manifest.commands.map(terminalSafe).join(', ') || 'none'})`);
    print('ready');
  };

  const fire = async (event: GuestEvent) => {
    if (session === null) return;
    print(`event ${terminalSafe(event.event_type)} ${terminalSafe(JSON.stringify(event.payload))}`);
    await session.plugin.onEvent(event);
    printTrace();
    await save();
  };

  const command = async (line: string) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    if (trimmed.startsWith(':event ')) return fire(parseEventArg(trimmed.slice(7)));
    if (trimmed === ':reload') return rebuild();
    if (trimmed.startsWith(':config ')) {
      if (session === null) return;
      await session.plugin.setConfig(JSON.parse(trimmed.slice(8)) as unknown);
      printTrace();
      await save();
      print('config set');
      return;
    }
    if (session === null) {
      print('✗ no plugin is loaded (fix the build and save)');
      return;
    }
    const space = trimmed.indexOf(' ');
    const name = space < 0 ? trimmed : trimmed.slice(0, space);
    const params = space < 0 ? null : (JSON.parse(trimmed.slice(space + 1)) as unknown);
    const response = await session.plugin.handleCommand(name, params);
    print(`${terminalSafe(name)} → ${terminalSafe(JSON.stringify(response))}`);
    printTrace();
    await save();
  };

  // The workspace watcher (the loader's, as an app uses it): created, saved, deleted and moved
  // files (PROTOCOL §3.5, §8.4), never the plugin's own writes; the state file and the plugin
  // project (when they lie in the workspace) are not workspace files.
  const workspaceWatcher = watchWorkspace(
    workspace,
    { context: { recentWrites: writes }, broadcast: (event) => enqueue(() => fire(event)) },
    // The session's own files (the state file, the trace and its temporary file) fire no events.
    { debounceMs: 150, ignore: [statePath, pluginDir, ...(recordPath === null ? [] : [recordPath, `${recordPath}.${process.pid}.tmp`])] },
  );
  await workspaceWatcher.ready;
  const watchers: FSWatcher[] = [];
  if (build) {
    let timer: NodeJS.Timeout | undefined;
    watchers.push(
      watch(pluginDir, { recursive: true }, (_kind, filename) => {
        if (filename === null) return;
        const path = filename.toString().split(sep).join('/');
        // What the build and this session write (plugin.wasm, its map, temporary files, the state file and the trace) starts no build.
        if (isBuildOutput(path) || resolve(pluginDir, path).startsWith(statePath)) return;
        if (recordPath !== null && resolve(pluginDir, path).startsWith(recordPath)) return;
        if (resolve(pluginDir, path).startsWith(workspace + sep)) return;
        clearTimeout(timer);
        timer = setTimeout(() => builds.request(), 300);
      }),
    );
  }

  print(`diaryx-plugin dev: ${pluginDir} against ${workspace}; state in ${statePath}${recordPath === null ? '' : `; recording into ${recordPath}`}`);
  print('type a command (name [JSON params]), :event <name|json>, :config <json>, :reload, :quit');
  if (build) {
    builds.request();
    await builds.idle();
    await queue;
  } else {
    await enqueue(() => reload());
  }
  const prompt = createInterface({ input: options.input ?? process.stdin, output: out, terminal: (options.input ?? process.stdin) === process.stdin && process.stdin.isTTY === true, historySize: 200, prompt: '> ' });
  prompt.prompt();
  await new Promise<void>((done) => {
    prompt.on('line', (line) => {
      if (answering !== null) {
        answering(line);
        return;
      }
      if (line.trim() === ':quit') {
        prompt.close();
        return;
      }
      void enqueue(() => command(line)).then(() => prompt.prompt());
    });
    prompt.on('close', done);
  });
  // An open question is answered no: the input ended.
  (answering as ((line: string) => void) | null)?.('');
  await workspaceWatcher.close();
  for (const watcher of watchers) watcher.close();
  await builds.close();
  await queue;
  if (session !== null) {
    await save();
    await (session as PluginSession).plugin.close();
  }
  return 0;
}
