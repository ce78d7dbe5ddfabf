// The watch loop of `diaryx-js build --watch` and `diaryx-as build --watch`: build, watch the files
// that build read, build again after a change of one of them (changes within the debounce make
// one build; changes during a build make one more after it), until closed.
import { type FSWatcher, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { serialRuns } from './serial-runs.js';

/** What a build tells the loop: the files to watch until the next build. */
export interface BuildOutcome {
  /**
   * The files the build read (absolute paths): the entry, what it imports, packages included.
   * Null keeps watching what was watched (a build that failed before reading anything).
   */
  files: readonly string[] | null;
}

/** One build of a watch session, as {@link WatchBuildsOptions.onBuild} gets it. */
export interface BuildReport<T> {
  /** What the build returned. */
  outcome: T;
  /** The watched files whose change started this build (absolute; empty for the first build). */
  changed: string[];
  /** How long the build took, in ms. */
  ms: number;
  /** How many files are watched after it. */
  watching: number;
}

/** What {@link watchBuilds} needs. */
export interface WatchBuildsOptions<T extends BuildOutcome> {
  /** One build. It should not throw: return its failure as part of `T` (a throw ends the build unreported). */
  build(): Promise<T>;
  /** Called after each build. */
  onBuild(report: BuildReport<T>): void;
  /** Files watched whatever a build read (the entry, so a build that failed at once still rebuilds on its fix). */
  alwaysWatch?: readonly string[];
  /** Quiet period after a change before building, in ms (default 50): an editor's save is often several writes. */
  debounceMs?: number;
}

/** A running watch session. */
export interface BuildWatcher {
  /** Stops watching; resolves once a build in progress has finished. */
  close(): Promise<void>;
}

/**
 * Builds now, then again whenever a file the last build read changes, one build at a time.
 * Folders are watched, not files: an editor that saves by renaming a new file over the old one
 * ends a watch on the old file. Resolves after the first build.
 *
 * @example
 * const watcher = await watchBuilds({
 *   build: async () => ({ files: await compile() }),
 *   onBuild: ({ changed, ms }) => console.log(`built in ${ms} ms after ${changed.join(', ')}`),
 * });
 */
export async function watchBuilds<T extends BuildOutcome>(options: WatchBuildsOptions<T>): Promise<BuildWatcher> {
  const always = (options.alwaysWatch ?? []).map((file) => resolve(file));
  const debounceMs = options.debounceMs ?? 50;
  let sources = new Set<string>(always);
  const folders = new Map<string, FSWatcher>();
  let changed = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const builds = serialRuns(async () => {
    const cause = [...changed];
    changed = new Set();
    const started = performance.now();
    const outcome = await options.build();
    if (outcome.files !== null) watchFiles(outcome.files);
    options.onBuild({ outcome, changed: cause, ms: Math.round(performance.now() - started), watching: sources.size });
  });

  const onChange = (folder: string) => (_event: string, name: string | Buffer | null) => {
    // Without a name (some platforms), any change in a watched folder counts.
    const file = name === null ? null : resolve(folder, name.toString());
    if (file !== null && !sources.has(file)) return;
    changed.add(file ?? folder);
    clearTimeout(timer);
    timer = setTimeout(() => builds.request(), debounceMs);
  };

  function watchFiles(files: readonly string[]): void {
    sources = new Set([...always, ...files.map((file) => resolve(file))]);
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
  }

  watchFiles([]);
  builds.request();
  await builds.idle();
  return {
    async close() {
      clearTimeout(timer);
      for (const watcher of folders.values()) watcher.close();
      folders.clear();
      await builds.close();
    },
  };
}
