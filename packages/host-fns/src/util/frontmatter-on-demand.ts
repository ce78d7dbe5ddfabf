import type { MaybePromise } from '../runtime/maybe-async.js';

type FrontmatterModules = typeof import('./frontmatter-modules.js');

let loaded: FrontmatterModules | null = null;
let loading: Promise<FrontmatterModules> | null = null;

/**
 * The frontmatter parser and the frontmatter file set, which bring the YAML parser: at once once
 * loaded, else a Promise (a bundler splits them into their own chunk). Host functions that need
 * them only for some inputs (a write that may change the root index's `plugins` block,
 * `host_workspace_file_set` without a provider) wait for them there.
 */
export function frontmatterModules(): MaybePromise<FrontmatterModules> {
  if (loaded !== null) return loaded;
  loading ??= import('./frontmatter-modules.js').then((modules) => (loaded = modules));
  return loading;
}

/**
 * Loads the frontmatter modules now. The loader calls it before it starts a plugin whose host
 * functions must answer synchronously (in-process, or metered with `asyncHostServices: false`):
 * those cannot wait for a module to load in the middle of a call.
 */
export async function preloadFrontmatter(): Promise<void> {
  await frontmatterModules();
}
