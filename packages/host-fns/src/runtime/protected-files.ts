import { frontmatterModules } from '../util/frontmatter-on-demand.js';
import { sortedJson } from '../util/json.js';
import { decodeUtf8Lossy } from '../util/utf8.js';
import type { HostCall } from './host-call.js';
import { type HostTask, wait } from './maybe-async.js';
import { toWorkspacePath } from './path-guard.js';

/**
 * Workspace files that no guest may change (kit decision D21), so that a plugin with
 * `edit_files: all` cannot grant itself permissions or replace other plugins.
 */
export interface ProtectedFiles {
  /**
   * The app's plugins folder when it lies inside the workspace (the apps' `.diaryx/plugins`):
   * absolute (under the workspace root) or workspace-relative. Guest writes and deletes inside
   * it are refused (`plugin.wasm`, `config.json`, `manifest.json` of every plugin). An absolute
   * path must start with the workspace root as the file system spells it (`fs.root`).
   */
  pluginsDir?: string;
  /**
   * The workspace's root index (the file whose `plugins` block holds the permissions, as given
   * to the permission checker): absolute (under the workspace root) or workspace-relative. A
   * guest write or delete that changes the `plugins` frontmatter block of this file, or of any
   * markdown file in its folder (one that could become the root index), is refused; other edits
   * stay allowed.
   */
  rootIndexPath?: string;
}

/** The `plugins` block of a markdown text, as comparable text; absent and unparsable differ. */
function* pluginsBlock(bytes: Uint8Array | null): HostTask<string> {
  if (bytes === null) return 'absent';
  const { parseFrontmatter } = yield* wait(frontmatterModules());
  let frontmatter: Record<string, unknown> | null;
  try {
    frontmatter = parseFrontmatter(decodeUtf8Lossy(bytes));
  } catch {
    return 'unparsable';
  }
  const block = frontmatter?.['plugins'];
  return block === undefined ? 'absent' : `block:${sortedJson(block)}`;
}

/** The frontmatter text of a markdown file (up to its closing `---` line), or null when there is none. */
function frontmatterText(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  const text = decodeUtf8Lossy(bytes);
  if (!text.startsWith('---\n') && !text.startsWith('---\r\n')) return null;
  const close = /\r?\n---(?:\r?\n|$)/.exec(text.slice(3));
  return close === null ? null : text.slice(0, 3 + close.index);
}

/** Whether the change from `current` to `next` changes the `plugins` block (the YAML is parsed only when the frontmatter text differs). */
function* changesPluginsBlock(current: Uint8Array | null, next: Uint8Array | null): HostTask<boolean> {
  if (current !== null && next !== null && frontmatterText(current) === frontmatterText(next)) return false;
  return (yield* pluginsBlock(current)) !== (yield* pluginsBlock(next));
}

// Case-insensitive file systems (macOS, Windows) reach one file through many spellings.
const comparable = (path: string) => path.normalize('NFC').toLowerCase();
const within = (path: string, dir: string) => dir === '' || path === dir || path.startsWith(`${dir}/`);

function* realProtectedPath(call: HostCall, configured: string): HostTask<string | null> {
  const relative = toWorkspacePath(configured, call.context.fs.root);
  if (relative === null) return null; // outside the workspace: no guest can reach it
  const fs = call.context.fs;
  if (!fs.realPath) return comparable(relative);
  try {
    return comparable(yield* wait(fs.realPath(relative)));
  } catch {
    return comparable(relative);
  }
}

/**
 * Refuses (traps) a guest write (`next` = the new bytes) or delete (`next` = null) of the real
 * workspace path `real` that touches a protected file; see {@link ProtectedFiles}.
 */
export function* refuseProtectedChange(call: HostCall, real: string, next: Uint8Array | null): HostTask<void> {
  const { pluginsDir, rootIndexPath } = call.context.protectedFiles;
  const target = comparable(real);
  if (pluginsDir !== undefined) {
    const dir = yield* realProtectedPath(call, pluginsDir);
    if (dir !== null && within(target, dir)) {
      refuse(call, `'${real}' is inside the plugins folder; plugins may not change plugin files (kit decision D21)`);
    }
  }
  if (rootIndexPath === undefined) return;
  const index = yield* realProtectedPath(call, rootIndexPath);
  if (index === null || !target.endsWith('.md')) return;
  const folder = index.includes('/') ? index.slice(0, index.lastIndexOf('/')) : '';
  const targetFolder = target.includes('/') ? target.slice(0, target.lastIndexOf('/')) : '';
  if (target !== index && targetFolder !== folder) return;
  let current: Uint8Array | null;
  try {
    current = yield* wait(call.context.fs.readBinary(real));
  } catch {
    current = null;
  }
  if (yield* changesPluginsBlock(current, next)) {
    refuse(
      call,
      `${next === null ? 'deleting' : 'this write to'} '${real}' would change the 'plugins' block of the root index ` +
        `(the plugins' permissions), which only the user may change; keep that block as it is (kit decision D21)`,
    );
  }
}

function refuse(call: HostCall, reason: string): never {
  const message = `Permission denied for plugin '${call.pluginId}': ${reason}`;
  call.denied = true;
  call.denialMessage = message;
  return call.trap(message);
}
