// What `dev` must not rebuild for: the files its own build and session write. A build writes
// plugin.wasm and plugin.wasm.map (diaryx-js), through temporary files renamed over them
// (`<file>.<pid>.tmp`), asc may write .wat or .js bindings, Vitest writes reports, and dev itself
// writes its state file (also through a temporary file). Reacting to any of those rebuilt the
// default TypeScript template every ~2 s for ever.

/** Folders that hold outputs, dependencies or tool state, never a plugin's sources. */
const OUTPUT_FOLDERS = new Set(['node_modules', 'build', 'dist', 'coverage']);

/** Names a build, a test run or dev writes. */
const OUTPUT_NAME = /\.(wasm|map|wat|tmp|partial|log|tsbuildinfo)$|\.\d+\.tmp$|^vitest-report\.json$/;

/**
 * True when a changed path (relative to the plugin folder, `/`-separated) is something a build
 * or dev wrote, not a source: anything under an output folder or a folder whose name starts
 * with a dot (`.git`, `.turbo`), a dot-file (the dev state file `.diaryx-dev-state.json` and its
 * temporary files), or a build output by its name (`plugin.wasm`, `plugin.wasm.map`,
 * `plugin.wasm.1234.tmp`, `plugin.wat`).
 */
export function isBuildOutput(path: string): boolean {
  const parts = path.split('/').filter((part) => part !== '');
  const name = parts.at(-1) ?? '';
  return parts.some((part) => OUTPUT_FOLDERS.has(part) || part.startsWith('.')) || OUTPUT_NAME.test(name);
}
