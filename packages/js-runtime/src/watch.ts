// `diaryx-js build --watch`: builds the plugin, then again whenever one of its sources changes.
// The sources are the files esbuild's metafile lists for the last bundle (the entry and what it
// imports, npm packages included), so an import added by an edit is watched from the next build on.
import { resolve } from 'node:path';
import { watchBuilds } from '@diaryx/watch';
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
 * keeps the previous `outFile`; the session goes on, so fixing the source rebuilds. The loop is
 * `@diaryx/watch`'s, shared with `diaryx-as build --watch`.
 *
 * @example
 * const watcher = await watchPlugin({ entry: 'src/index.ts', outFile: 'plugin.wasm', onBuild: (r) => console.log(r.ok, r.ms) });
 * // … later
 * await watcher.close();
 */
export async function watchPlugin(options: WatchPluginOptions): Promise<PluginWatcher> {
  const { debounceMs = 50, onBuild, ...buildOptions } = options;
  type Outcome = { files: string[] | null; built?: BuiltPlugin; error?: string };
  return watchBuilds<Outcome>({
    alwaysWatch: [resolve(options.entry)],
    debounceMs,
    async build() {
      try {
        const built = await buildPlugin(buildOptions);
        return { files: built.inputs, built };
      } catch (error) {
        const message = error instanceof PluginBuildError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
        // A bundle that failed read no files: keep watching the last ones (and the entry).
        return { files: error instanceof PluginBuildError && error.inputs ? error.inputs : null, error: message };
      }
    },
    onBuild({ outcome, changed, ms, watching }) {
      onBuild(
        outcome.built
          ? { ok: true, ms, changed, built: outcome.built, watching }
          : { ok: false, ms, changed, error: outcome.error ?? 'the build failed', watching },
      );
    },
  });
}
