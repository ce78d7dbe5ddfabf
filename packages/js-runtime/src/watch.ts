// `diaryx-js build --watch`: builds the plugin, then again whenever one of its sources changes.
// The sources are the files esbuild's metafile lists for the last bundle (the entry and what it
// imports, npm packages included), so an import added by an edit is watched from the next build on.
import { type FSWatcher, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildPlugin, type BuildPluginOptions, type BuiltPlugin, PluginBuildError } from './build.js';

/** One build of a watch session: the first one, or one started by a change. */
export interface WatchBuildReport {
  /** Whether the build succeeded (and replaced `outFile`); a failed one leaves the previous `outFile` as it was. */
  ok: boolean;
  /** How long the build took, in ms. */
  ms: number;
  /** The source files whose change started this build (absolute; empty for the first build). */
  changed: string[];
  /** The built plugin, when `ok`. */
  built?: BuiltPlugin;
  /** Why the build failed (the compiler's message, with file and line), when not `ok`. */
  error?: string;
  /** How many files are watched after this build. */
  watching: number;
}

/** What {@link watchPlugin} needs: the build's options (`outFile` required) and where reports go. */
export interface WatchPluginOptions extends BuildPluginOptions {
  outFile: string;
  /** Quiet period after a change before building, in ms (default 50): an editor's save is often several writes. */
  debounceMs?: number;
  /** Called after each build, successful or not. */
  onBuild(report: WatchBuildReport): void;
}

/** A running watch session. */
export interface PluginWatcher {
  /** Stops watching; resolves once a build in progress has finished (its output is written whole or not at all). */
  close(): Promise<void>;
}

/**
 * Builds `entry` into `outFile` now and again after each change of its sources, one build at a
 * time (changes during a build start one more build after it). A failed build is reported and
 * keeps the previous `outFile`; the session goes on, so fixing the source rebuilds.
 *
 * @example
 * const watcher = await watchPlugin({ entry: 'src/index.ts', outFile: 'plugin.wasm', onBuild: (r) => console.log(r.ok, r.ms) });
 * // … later
 * await watcher.close();
 */
export async function watchPlugin(options: WatchPluginOptions): Promise<PluginWatcher> {
  const { debounceMs = 50, onBuild, ...buildOptions } = options;
  const entry = resolve(options.entry);
  let sources = new Set<string>([entry]);
  const folders = new Map<string, FSWatcher>();
  let changed = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let building: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const onChange = (folder: string) => (_event: string, name: string | Buffer | null) => {
    // Without a name (some platforms), any change in a watched folder counts.
    const file = name === null ? null : resolve(folder, name.toString());
    if (file !== null && !sources.has(file)) return;
    changed.add(file ?? folder);
    clearTimeout(timer);
    timer = setTimeout(start, debounceMs);
  };

  // Folders, not files: an editor that saves by writing a new file and renaming it over the old
  // one ends a watch on the old file's inode.
  const watchSources = (files: Iterable<string>) => {
    sources = new Set([entry, ...files]);
    const wanted = new Set([...sources].map((file) => dirname(file)));
    for (const [folder, watcher] of folders) {
      if (!wanted.has(folder)) {
        watcher.close();
        folders.delete(folder);
      }
    }
    for (const folder of wanted) {
      if (folders.has(folder)) continue;
      try {
        folders.set(folder, watch(folder, onChange(folder)));
      } catch {
        // A folder that is gone (a deleted import): the next build says what is missing.
      }
    }
  };

  const buildOnce = async (): Promise<void> => {
    const cause = [...changed];
    changed = new Set();
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const built = await buildPlugin(buildOptions);
      watchSources(built.inputs);
      onBuild({ ok: true, ms: ms(), changed: cause, built, watching: sources.size });
    } catch (error) {
      const message = error instanceof PluginBuildError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
      if (error instanceof PluginBuildError && error.inputs) watchSources(error.inputs);
      onBuild({ ok: false, ms: ms(), changed: cause, error: message, watching: sources.size });
    }
  };

  function start(): void {
    if (closed) return;
    if (building) {
      again = true;
      return;
    }
    building = buildOnce().finally(() => {
      building = null;
      if (again) {
        again = false;
        start();
      }
    });
  }

  watchSources([]);
  start();
  await building;
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of folders.values()) watcher.close();
      folders.clear();
      await building;
    },
  };
}
