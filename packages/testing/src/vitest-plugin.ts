import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, type FSWatcher, readFileSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of {@link diaryxBuild}. */
export interface DiaryxBuildOptions {
  /**
   * The shell command that builds `plugin.wasm`, run in the project root. Default: the
   * package.json `build` script, run directly with `node_modules/.bin` on the PATH (as
   * `npm run build` would, without npm's start-up time).
   */
  command?: string;
  /**
   * The long-running command that rebuilds on save in watch mode (`diaryx-js build --watch`,
   * `diaryx-as build --watch`): it stays warm between builds, so a rebuild skips the start-up of
   * Node, the compiler and the runtime. Default: the package.json `build:watch` script, if any;
   * `false` rebuilds with `command` on each change under `sources` instead.
   */
  watchCommand?: string | false;
  /** The file the build writes (default `plugin.wasm`, relative to the project root). */
  output?: string;
  /** Folders (relative to the project root) whose changes rebuild the plugin without a `watchCommand` (default `['src', 'assembly']`; missing ones are skipped). */
  sources?: string[];
  /** Quiet period after a change before rebuilding, in ms (default 30): an editor's save is often several writes. */
  debounceMs?: number;
  /**
   * After a rebuild, rerun every test file (true), or only those that mention the output's file
   * name (default false: a test file that does not name `plugin.wasm` does not read it, and Vitest
   * reruns it by itself when a module it imports changes).
   */
  rerunAll?: boolean;
}

/** A test file as Vitest's `globTestSpecifications` gives it (the part this plugin reads). */
export interface DiaryxTestSpecification {
  moduleId: string;
}

/** The part of Vitest's plugin context this plugin uses (a structural subset of `VitestPluginContext`). */
export interface DiaryxVitestContext {
  vitest: {
    config: { root: string; watch: boolean };
    globTestSpecifications(): Promise<DiaryxTestSpecification[]>;
    rerunTestSpecifications(specifications: never[], allTestsRun?: boolean): Promise<unknown>;
    onClose?(fn: () => void | Promise<void>): void;
  };
}

/** A Vite/Vitest plugin (a structural subset of Vite's `Plugin`). */
export interface DiaryxBuildPlugin {
  name: string;
  /** Adds the setup file that keeps Node's WASI warning out of every test file's output. */
  config(): { test: { setupFiles: string[] } };
  configureVitest(context: DiaryxVitestContext): Promise<void>;
}

/** The setup file that quiets Node's WASI warning in the test workers (its source under the kit's own tests). */
export const QUIET_WASI_SETUP = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './quiet-wasi-setup.ts' : './quiet-wasi-setup.js', import.meta.url));

/** The outcome of one build: its output (stdout and stderr, interleaved) and whether it succeeded. */
interface BuildResult {
  ok: boolean;
  output: string;
  ms: number;
}

/** A package.json script of the project, if it has one. */
function script(root: string, name: string): string | undefined {
  try {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> }).scripts;
    const value = scripts?.[name];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined; // no readable package.json
  }
}

/** Runs `command` in `cwd` through the shell, with the project's `node_modules/.bin` first on the PATH. */
function start(command: string, cwd: string): ChildProcess {
  const path = [join(cwd, 'node_modules', '.bin'), process.env['PATH'] ?? ''].join(delimiter);
  // Its own process group (POSIX): stopping it reaches the command the shell started, too.
  return spawn(command, { cwd, shell: true, detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: path } });
}

/** Sends `signal` to the child's process group (POSIX) or the child (Windows). */
function signalAll(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

function runBuild(command: string, cwd: string): Promise<BuildResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = start(command, cwd);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ ok: false, output: `${output}${error.message}\n`, ms: Date.now() - started }));
    child.on('close', (code) => resolve({ ok: code === 0, output, ms: Date.now() - started }));
  });
}

/** Calls `fn` once no call of the returned function came for `ms`; never two runs of `fn` at once (a call during a run runs it again after). */
function debounced(ms: number, fn: () => Promise<void>): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (running) {
        again = true;
        return;
      }
      running = fn()
        .catch((error: unknown) => void process.stderr.write(`diaryx-build: ${String(error)}\n`))
        .finally(() => {
          running = null;
          if (again) {
            again = false;
            schedule();
          }
        });
    }, ms);
  };
  schedule.cancel = () => clearTimeout(timer);
  return schedule;
}

/**
 * Builds the plugin inside the test run: once before the first test (a failed build stops the
 * run with the compiler's output), and in watch mode again on every save, then reruns the tests
 * that read the fresh `plugin.wasm`. It also adds a setup file that keeps Node's
 * `ExperimentalWarning: WASI …` (one per test file) out of the output. With a `build:watch` script (both templates have one) the
 * rebuilds come from that warm watcher, whose lines (build time, errors) are shown; the tests
 * rerun when `plugin.wasm` changes, so a failed build keeps the last results and the old wasm.
 *
 * @example
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config';
 * import { diaryxBuild } from '@diaryx/testing/vitest-plugin';
 * export default defineConfig({ plugins: [diaryxBuild()] });
 */
export function diaryxBuild(options: DiaryxBuildOptions = {}): DiaryxBuildPlugin {
  const sources = options.sources ?? ['src', 'assembly'];
  const debounceMs = options.debounceMs ?? 30;
  return {
    name: 'diaryx-build',
    config: () => ({ test: { setupFiles: [QUIET_WASI_SETUP] } }),
    async configureVitest({ vitest }) {
      const root = vitest.config.root;
      const command = options.command ?? script(root, 'build') ?? 'npm run build';
      const first = await runBuild(command, root);
      if (!first.ok) throw new Error(`diaryx-build: \`${command}\` failed, so no test ran:\n${first.output}`);
      if (!vitest.config.watch) return;

      const output = resolve(root, options.output ?? 'plugin.wasm');
      const rerun = async () => {
        const all = await vitest.globTestSpecifications();
        const name = basename(output);
        const readers = options.rerunAll ? all : all.filter((spec) => readFileSync(spec.moduleId, 'utf8').includes(name));
        if (readers.length > 0) await vitest.rerunTestSpecifications(readers as never[], readers.length === all.length);
      };
      const watchCommand = options.watchCommand === false ? undefined : (options.watchCommand ?? script(root, 'build:watch'));
      const stop = watchCommand === undefined ? rebuildOnSave(command, root, sources, debounceMs, rerun) : await followWatcher(watchCommand, root, output, debounceMs, rerun);
      vitest.onClose?.(stop);
    },
  };
}

/** Without a watcher: runs `command` after each change under `sources`, then `rerun`. Returns the stop function. */
function rebuildOnSave(command: string, root: string, sources: string[], debounceMs: number, rerun: () => Promise<void>): () => void {
  const schedule = debounced(debounceMs, async () => {
    const result = await runBuild(command, root);
    if (!result.ok) {
      process.stderr.write(`\ndiaryx-build: \`${command}\` failed; the tests were not rerun:\n${result.output}\n`);
      return;
    }
    process.stdout.write(`\ndiaryx-build: rebuilt in ${result.ms} ms; rerunning the tests\n`);
    await rerun();
  });
  const watchers: FSWatcher[] = sources
    .map((folder) => join(root, folder))
    .filter((folder) => existsSync(folder))
    .map((folder) => watch(folder, { recursive: true }, schedule));
  return () => {
    schedule.cancel();
    for (const watcher of watchers) watcher.close();
  };
}

/**
 * With a watcher: starts `watchCommand` (its lines go to this terminal) and calls `rerun` whenever
 * `output` gets new content. Returns the stop function (Ctrl-C to the watcher, as in a terminal).
 */
async function followWatcher(watchCommand: string, root: string, output: string, debounceMs: number, rerun: () => Promise<void>): Promise<() => Promise<void>> {
  const digest = async () => createHash('sha256').update(await readFile(output).catch(() => new Uint8Array())).digest('hex');
  let last = await digest();
  const child = start(watchCommand, root);
  child.stdout!.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`\ndiaryx-build: \`${watchCommand}\` stopped (${signal ?? `exit code ${code}`}); plugin.wasm is no longer rebuilt on save\n`);
  });
  let stopping = false;
  const schedule = debounced(debounceMs, async () => {
    const now = await digest();
    if (now === last) return; // the watcher's first build, or the same bytes again
    last = now;
    await rerun();
  });
  // The folder, not the file: the build replaces plugin.wasm by renaming a new file over it.
  const watcher = watch(dirname(output), (_event, name) => {
    if (name === null || name.toString() === basename(output)) schedule();
  });
  return async () => {
    stopping = true;
    schedule.cancel();
    watcher.close();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      signalAll(child, 'SIGINT');
      await exited;
    }
  };
}
