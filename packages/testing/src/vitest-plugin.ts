import { spawn } from 'node:child_process';
import { existsSync, type FSWatcher, readFileSync, watch } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Options of {@link diaryxBuild}. */
export interface DiaryxBuildOptions {
  /**
   * The shell command that builds `plugin.wasm`, run in the project root. Default: the
   * package.json `build` script, run directly with `node_modules/.bin` on the PATH (as
   * `npm run build` would, without npm's start-up time).
   */
  command?: string;
  /** Folders (relative to the project root) whose changes rebuild the plugin (default `['src', 'assembly']`; missing ones are skipped). */
  sources?: string[];
  /** Quiet period after a change before rebuilding, in ms (default 30): an editor's save is often several writes. */
  debounceMs?: number;
}

/** The part of Vitest's plugin context this plugin uses (a structural subset of `VitestPluginContext`). */
export interface DiaryxVitestContext {
  vitest: {
    config: { root: string; watch: boolean };
    globTestSpecifications(): Promise<unknown[]>;
    rerunTestSpecifications(specifications: never[], allTestsRun?: boolean): Promise<unknown>;
    onClose?(fn: () => void | Promise<void>): void;
  };
}

/** A Vite/Vitest plugin (a structural subset of Vite's `Plugin`). */
export interface DiaryxBuildPlugin {
  name: string;
  configureVitest(context: DiaryxVitestContext): Promise<void>;
}

/** The outcome of one build: its output (stdout and stderr, interleaved) and whether it succeeded. */
interface BuildResult {
  ok: boolean;
  output: string;
  ms: number;
}

/** The package's build script, or `npm run build` when package.json has none. */
function buildScript(root: string): string {
  try {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> }).scripts;
    if (typeof scripts?.['build'] === 'string') return scripts['build'];
  } catch {
    // no readable package.json
  }
  return 'npm run build';
}

function runBuild(command: string, cwd: string): Promise<BuildResult> {
  const started = Date.now();
  const path = [join(cwd, 'node_modules', '.bin'), process.env['PATH'] ?? ''].join(delimiter);
  return new Promise((resolve) => {
    const child = spawn(command, { cwd, shell: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: path } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ ok: false, output: `${output}${error.message}\n`, ms: Date.now() - started }));
    child.on('close', (code) => resolve({ ok: code === 0, output, ms: Date.now() - started }));
  });
}

/**
 * Builds the plugin inside the test run: once before the first test (a failed build stops the
 * run with the compiler's output), and in watch mode again whenever a file under `sources`
 * changes, then reruns the project's tests against the fresh `plugin.wasm`.
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
    async configureVitest({ vitest }) {
      const root = vitest.config.root;
      const command = options.command ?? buildScript(root);
      const first = await runBuild(command, root);
      if (!first.ok) throw new Error(`diaryx-build: \`${command}\` failed, so no test ran:\n${first.output}`);
      if (!vitest.config.watch) return;

      let timer: ReturnType<typeof setTimeout> | undefined;
      let building: Promise<void> | null = null;
      let again = false;
      const rebuild = async (): Promise<void> => {
        const result = await runBuild(command, root);
        if (!result.ok) {
          process.stderr.write(`\ndiaryx-build: \`${command}\` failed; the tests were not rerun:\n${result.output}\n`);
          return;
        }
        process.stdout.write(`\ndiaryx-build: rebuilt in ${result.ms} ms; rerunning the tests\n`);
        const specifications = (await vitest.globTestSpecifications()) as never[];
        await vitest.rerunTestSpecifications(specifications, true);
      };
      const schedule = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (building) {
            again = true;
            return;
          }
          building = rebuild()
            .catch((error: unknown) => void process.stderr.write(`diaryx-build: ${String(error)}\n`))
            .finally(() => {
              building = null;
              if (again) {
                again = false;
                schedule();
              }
            });
        }, debounceMs);
      };
      const watchers: FSWatcher[] = sources
        .map((folder) => join(root, folder))
        .filter((folder) => existsSync(folder))
        .map((folder) => watch(folder, { recursive: true }, schedule));
      vitest.onClose?.(() => {
        clearTimeout(timer);
        for (const watcher of watchers) watcher.close();
      });
    },
  };
}
