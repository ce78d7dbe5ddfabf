import { type HostTask, type MaybePromise, runTask, wait } from '../runtime/maybe-async.js';
import type { WorkspaceFileSystem } from '../services/workspace-fs.js';
import { parseFrontmatter } from '../util/frontmatter.js';
import { decodeUtf8Lossy } from '../util/utf8.js';
import { parsePluginsConfig } from './plugins-config.js';
import { findRootIndex, isRootIndexText, ROOT_INDEX_NOT_AVAILABLE } from './root-index.js';
import type { PluginsConfig } from './rules.js';
import { decide } from './rules-checker.js';
import type { PermissionChecker, PermissionDecision, PermissionKey } from './types.js';

/** A {@link PermissionChecker} over the workspace's root index, which it can name. */
export interface FrontmatterChecker extends PermissionChecker {
  /** The workspace-relative path of the root index the checks read, or null when there is none. */
  rootIndex(): MaybePromise<string | null>;
}

function* qualifies(fs: WorkspaceFileSystem, path: string): HostTask<string | null> {
  try {
    return isRootIndexText(decodeUtf8Lossy(yield* wait(fs.readBinary(path)))) ? path : null;
  } catch {
    return null;
  }
}

function* decision(fs: WorkspaceFileSystem, rootIndexPath: string, pluginId: string, key: PermissionKey, target: string): HostTask<PermissionDecision> {
  let text: string;
  try {
    text = decodeUtf8Lossy(yield* wait(fs.readBinary(rootIndexPath)));
  } catch (error) {
    return { allowed: false, message: `Failed to read root index '${rootIndexPath}': ${(error as Error).message}` };
  }
  let frontmatter: Record<string, unknown> | null;
  try {
    frontmatter = parseFrontmatter(text);
  } catch (error) {
    return { allowed: false, message: `Failed to parse root frontmatter: ${(error as Error).message}` };
  }
  let plugins: PluginsConfig;
  try {
    plugins = parsePluginsConfig(frontmatter?.['plugins']);
  } catch (error) {
    return { allowed: false, message: `Invalid root frontmatter plugins config: ${(error as Error).message}` };
  }
  return decide(plugins, pluginId, key, target, fs.root);
}

/**
 * Rust's Frontmatter checker (protocol §6.3): the rules live in the `plugins` block of the
 * workspace's root index, a markdown file whose frontmatter has a `contents` list, no `part_of`
 * and a parsable `plugins` block. The root index is found once, when the checker is made (as
 * Rust does at construction); the file is then re-read on every check, so edits apply at once, and
 * a root index rewritten without frontmatter gives an empty `plugins` block (every permission not
 * configured, `plugin_storage` allowed). Without a root index every check fails with
 * `Workspace root index not available for permission checks`, `plugin_storage` included.
 *
 * @param where where the root index is: omitted → found in the workspace folder (as Rust's
 *   `from_workspace_root`); a workspace-relative folder → found in that folder; a path ending in
 *   `.md` → that file, used only if it is a root index (kit decision; Rust 1.4.1 finds nothing
 *   from a file path, 1.6 accepts it); null → no workspace, every check fails.
 * @example
 * const permissions = frontmatterChecker(nodeWorkspaceFs('/Users/me/journal'));
 */
export function frontmatterChecker(fs: WorkspaceFileSystem, where?: string | null): FrontmatterChecker {
  // Found now, as Rust's from_workspace_root does: a root index later rewritten without its
  // frontmatter is still the file every check re-reads (an empty plugins block), not "none".
  // (The search never throws: an unreadable folder or file counts as no root index.)
  const located: MaybePromise<string | null> =
    where === null ? null : where !== undefined && where.endsWith('.md') ? runTask(qualifies(fs, where)) : runTask(findRootIndex(fs, where ?? ''));
  const rootIndex = (): MaybePromise<string | null> => located;
  function* check(pluginId: string, key: PermissionKey, target: string): HostTask<PermissionDecision> {
    const path = yield* wait(rootIndex());
    if (path === null) return { allowed: false, message: ROOT_INDEX_NOT_AVAILABLE };
    return yield* decision(fs, path, pluginId, key, target);
  }
  return { rootIndex, check: (pluginId, key, target) => runTask(check(pluginId, key, target)) };
}
