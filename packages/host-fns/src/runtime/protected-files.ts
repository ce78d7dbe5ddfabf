import type { HostContext } from '../context.js';
import type { PermissionChecker } from '../permissions/types.js';
import { parseFrontmatter } from '../util/frontmatter.js';
import { sortedJson } from '../util/json.js';
import { decodeUtf8Lossy } from '../util/utf8.js';
import type { HostCall } from './host-call.js';
import { type HostTask, type MaybePromise, wait } from './maybe-async.js';
import { toWorkspacePath } from './path-guard.js';

/** The plugins folder of a Diaryx workspace, protected in every workspace (kit decision D21). */
export const WORKSPACE_PLUGINS_DIR = '.diaryx/plugins';

/**
 * Workspace files that no guest may change (kit decision D21), so that a plugin with
 * `edit_files: all` cannot grant itself permissions or replace other plugins. Safe by default:
 * with nothing set, the workspace's `.diaryx/plugins`, every plugins folder and plugin file the
 * loader loads from, and the `plugins` block of the root index are protected. Paths may be
 * absolute (any spelling of a place in the workspace: through a link, `/tmp` for `/private/tmp`)
 * or workspace-relative; they are compared where they really are.
 */
export interface ProtectedFiles {
  /**
   * Another plugins folder of the app inside the workspace, protected like `.diaryx/plugins`:
   * guest writes and deletes inside it are refused (`plugin.wasm`, `config.json`,
   * `manifest.json` of every plugin).
   */
  pluginsDir?: string;
  /** Plugins folders the loader loaded from (`loadPluginsFromDir` adds its folder). */
  pluginsDirs?: readonly string[];
  /** Plugin files the loader loaded from (`loadPlugin` adds the wasm, `manifest.json` and `config.json`). */
  pluginFiles?: readonly string[];
  /**
   * The workspace's root index (the file whose `plugins` block holds the permissions). A guest
   * write or delete that changes the `plugins` frontmatter block of this file, or of any
   * markdown file in its folder (one that could become the root index), is refused; other edits
   * stay allowed. Default: the root index the permission checker reads, when it names one
   * (`frontmatterChecker` does); else the markdown files directly in the workspace folder.
   */
  rootIndexPath?: string;
  /**
   * Turns off the plugin-file protection (`.diaryx/plugins`, {@link pluginsDir} and what the
   * loader adds), for an app whose plugins install or update plugins: trusted plugins only.
   */
  allowPluginFileChanges?: boolean;
  /**
   * Turns off the `plugins` block protection, for an app where a plugin edits the permissions
   * (a settings screen written as a plugin): trusted plugins only, since a plugin that may change
   * the block may grant itself anything.
   */
  allowPermissionChanges?: boolean;
}

/**
 * Adds plugins folders (`kind: 'dir'`) or plugin files (`kind: 'file'`) of the host to its
 * protected files (kit decision D21), once each. The loader calls it for what it loads.
 */
export function protectPluginPaths(host: Pick<HostContext, 'protectedFiles'>, kind: 'dir' | 'file', paths: readonly string[]): void {
  const field = kind === 'dir' ? 'pluginsDirs' : 'pluginFiles';
  const known = host.protectedFiles[field] ?? [];
  const added = paths.filter((path) => !known.includes(path));
  if (added.length > 0) host.protectedFiles = { ...host.protectedFiles, [field]: [...known, ...added] };
}

/** The `plugins` block of a markdown text, as comparable text; absent and unparsable differ. */
function pluginsBlock(bytes: Uint8Array | null): string {
  if (bytes === null) return 'absent';
  let frontmatter: Record<string, unknown> | null;
  try {
    frontmatter = parseFrontmatter(decodeUtf8Lossy(bytes));
  } catch {
    return 'unparsable';
  }
  const block = frontmatter?.['plugins'];
  return block === undefined ? 'absent' : `block:${sortedJson(block)}`;
}

// Case-insensitive file systems (macOS, Windows) reach one file through many spellings.
const comparable = (path: string) => path.normalize('NFC').toLowerCase();
const within = (path: string, dir: string) => dir === '' || path === dir || path.startsWith(`${dir}/`);
const folderOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const isAbsolute = (path: string) => path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');

/** Where a configured path really is in the workspace (comparable), or null when outside it. */
function* realProtectedPath(call: HostCall, configured: string): HostTask<string | null> {
  const fs = call.context.fs;
  if (isAbsolute(configured) && fs.locateHostPath) {
    // Both sides' links followed: the workspace and this path may be spelled differently.
    try {
      const located = yield* wait(fs.locateHostPath(configured));
      return located === null ? null : comparable(located);
    } catch {
      // not resolvable: compared as written below
    }
  }
  const relative = toWorkspacePath(configured, fs.root);
  if (relative === null) return null; // outside the workspace: no guest can reach it
  if (!fs.realPath) return comparable(relative);
  try {
    return comparable(yield* wait(fs.realPath(relative)));
  } catch {
    return comparable(relative);
  }
}

/** A permission checker that reads a root index and can name it (as `frontmatterChecker`). */
function namesRootIndex(checker: PermissionChecker | null): checker is PermissionChecker & { rootIndex(): MaybePromise<string | null> } {
  return typeof (checker as { rootIndex?: unknown } | null)?.rootIndex === 'function';
}

/** The root index to protect: the configured one, the checker's, or null (the workspace folder's files). */
function* rootIndexOf(call: HostCall): HostTask<string | null> {
  const configured = call.context.protectedFiles.rootIndexPath;
  if (configured !== undefined) return configured;
  const checker = call.context.permissions;
  if (!namesRootIndex(checker)) return null;
  try {
    return yield* wait(checker.rootIndex());
  } catch {
    return null;
  }
}

function* refusePluginFileChange(call: HostCall, real: string, target: string): HostTask<void> {
  const { pluginsDir, pluginsDirs = [], pluginFiles = [] } = call.context.protectedFiles;
  const dirs = [WORKSPACE_PLUGINS_DIR, ...(pluginsDir === undefined ? [] : [pluginsDir]), ...pluginsDirs];
  for (const configured of dirs) {
    const dir = yield* realProtectedPath(call, configured);
    if (dir !== null && within(target, dir)) {
      refuse(call, `'${real}' is inside the plugins folder; plugins may not change plugin files (kit decision D21)`);
    }
  }
  for (const configured of pluginFiles) {
    const file = yield* realProtectedPath(call, configured);
    if (file !== null && target === file) {
      refuse(call, `'${real}' is a plugin file (a plugin's wasm, manifest cache or config); plugins may not change plugin files (kit decision D21)`);
    }
  }
}

function* refusePermissionChange(call: HostCall, real: string, target: string, next: Uint8Array | null): HostTask<void> {
  if (!target.endsWith('.md')) return;
  const configured = yield* rootIndexOf(call);
  const index = configured === null ? null : yield* realProtectedPath(call, configured);
  if (configured !== null && index === null) return; // a root index outside the workspace
  if (target !== index && folderOf(target) !== (index === null ? '' : folderOf(index))) return;
  let current: Uint8Array | null;
  try {
    current = yield* wait(call.context.fs.readBinary(real));
  } catch {
    current = null;
  }
  if (pluginsBlock(current) !== pluginsBlock(next)) {
    refuse(
      call,
      `${next === null ? 'deleting' : 'this write to'} '${real}' would change the 'plugins' block of the root index ` +
        `(the plugins' permissions), which only the user may change; keep that block as it is (kit decision D21)`,
    );
  }
}

/**
 * Refuses (traps) a guest write (`next` = the new bytes) or delete (`next` = null) of the real
 * workspace path `real` that touches a protected file; see {@link ProtectedFiles}.
 */
export function* refuseProtectedChange(call: HostCall, real: string, next: Uint8Array | null): HostTask<void> {
  const { allowPluginFileChanges, allowPermissionChanges } = call.context.protectedFiles;
  const target = comparable(real);
  if (allowPluginFileChanges !== true) yield* refusePluginFileChange(call, real, target);
  if (allowPermissionChanges !== true) yield* refusePermissionChange(call, real, target, next);
}

function refuse(call: HostCall, reason: string): never {
  const message = `Permission denied for plugin '${call.pluginId}': ${reason}`;
  call.denied = true;
  call.denialMessage = message;
  return call.trap(message);
}
