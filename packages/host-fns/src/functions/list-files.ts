import type { HostCall } from '../runtime/host-call.js';
import { pluginLogPrefix } from '../services/logger.js';
import type { DirectoryEntry } from '../services/workspace-fs.js';
import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { type HostTask, wait } from '../runtime/maybe-async.js';
import { requirePathPermission, resolveGuestPath, usablePath } from '../runtime/guest-path.js';

/** The most entries one `host_list_files` call gathers; beyond it the listing fails (`[]`). */
export const MAX_LIST_ENTRIES = 1_000_000;
/** The deepest folder nesting one `host_list_files` call walks; deeper, the listing fails (`[]`). */
export const MAX_LIST_DEPTH = 256;
/** A worker-mode plugin's listing hands the event loop back this often, so deadlines can fire. */
const ENTRIES_PER_TURN = 2_000;

class ListingTooLarge extends Error {}

const byName = (a: DirectoryEntry, b: DirectoryEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const nextTurn = () => new Promise<void>((done) => setTimeout(done, 0));

/** The children of a folder with their kind; a child whose kind cannot be told is left out. */
function* entriesOf(call: HostCall, dir: string): HostTask<DirectoryEntry[]> {
  const fs = call.context.fs;
  if (fs.readDirEntries) return [...(yield* wait(fs.readDirEntries(dir)))];
  const entries: DirectoryEntry[] = [];
  for (const name of yield* wait(fs.readDir(dir))) {
    try {
      const isDir = yield* wait(fs.isDir(dir === '' ? name : `${dir}/${name}`));
      entries.push({ name, kind: isDir ? 'directory' : 'file' });
    } catch {
      // One unreadable child (a link leading outside) does not hide the rest.
    }
  }
  return entries;
}

function* listRecursive(call: HostCall, dir: string, shown: string, out: string[], depth: number): HostTask<void> {
  if (depth > MAX_LIST_DEPTH) throw new ListingTooLarge(`folders nested deeper than ${MAX_LIST_DEPTH}`);
  // Children sorted by name, for the same answer on every file system (Rust: directory order).
  const entries = (yield* entriesOf(call, dir)).sort(byName);
  for (const { name, kind } of entries) {
    const entry = shown === '' ? name : `${shown}/${name}`;
    out.push(entry);
    if (out.length > MAX_LIST_ENTRIES) throw new ListingTooLarge(`more than ${MAX_LIST_ENTRIES} entries`);
    if (!call.plugin.inProcess && out.length % ENTRIES_PER_TURN === 0) yield* wait(nextTurn());
    // Links are listed, never walked into: `notes/l1 → .` would never end.
    if (kind === 'directory') yield* listRecursive(call, dir === '' ? name : `${dir}/${name}`, entry, out, depth + 1);
  }
}

/**
 * `host_list_files {prefix}` → JSON array of every entry under `prefix`, depth-first,
 * directories included, each joined to the prefix as given. `""` and `"."` list the root with
 * root-relative entries (kit decision D4). Symbolic links are listed but not walked into, and
 * links leading out of the workspace are left out; the walk is bounded
 * ({@link MAX_LIST_ENTRIES}, {@link MAX_LIST_DEPTH}) and, for a worker-mode plugin, yields to
 * the event loop so the call's deadline can fire. Listing errors give `[]`; a denial traps.
 */
export const hostListFiles = defineHostFunction('host_list_files', function* (call) {
  const { prefix } = call.input({ prefix: str() });
  const target = yield* resolveGuestPath(call, prefix);
  yield* requirePathPermission(call, 'read_files', target);
  const shown = target.relative === '' ? '' : prefix.replace(/\/+$/, '');
  const out: string[] = [];
  try {
    const dir = usablePath(target);
    if (!(yield* wait(call.context.fs.isDir(dir)))) return '[]';
    yield* listRecursive(call, dir, shown, out, 0);
  } catch (error) {
    if (error instanceof ListingTooLarge) {
      call.context.logger.warn(`${pluginLogPrefix(call.pluginId)} host_list_files '${prefix}' gave [] (${error.message})`, call.logFields('host'));
    }
    return '[]';
  }
  return JSON.stringify(out);
});
