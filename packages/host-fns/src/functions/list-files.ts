import type { WorkspaceFileSystem } from '../services/workspace-fs.js';
import { defineHostFunction } from '../runtime/define.js';
import { str } from '../runtime/input-schema.js';
import { type HostTask, wait } from '../runtime/maybe-async.js';
import { guardPath } from '../runtime/path-guard.js';

function* listRecursive(fs: WorkspaceFileSystem, dir: string, shown: string, out: string[]): HostTask<void> {
  // Children sorted by name, for the same answer on every file system (Rust: directory order).
  const names = [...(yield* wait(fs.readDir(dir)))].sort();
  for (const name of names) {
    const path = dir === '' ? name : `${dir}/${name}`;
    const entry = shown === '' ? name : `${shown}/${name}`;
    out.push(entry);
    if (yield* wait(fs.isDir(path))) yield* listRecursive(fs, path, entry, out);
  }
}

/**
 * `host_list_files {prefix}` → JSON array of every entry under `prefix`, depth-first,
 * directories included, each joined to the prefix as given. `""` and `"."` list the root with
 * root-relative entries (kit decision D4). Listing errors give `[]`; a denial traps.
 */
export const hostListFiles = defineHostFunction('host_list_files', function* (call) {
  const { prefix } = call.input({ prefix: str() });
  const relative = guardPath(call, prefix);
  yield* call.requirePermission('read_files', relative);
  const shown = relative === '' ? '' : prefix.replace(/\/+$/, '');
  const out: string[] = [];
  try {
    if (!(yield* wait(call.context.fs.isDir(relative)))) return '[]';
    yield* listRecursive(call.context.fs, relative, shown, out);
  } catch {
    return '[]';
  }
  return JSON.stringify(out);
});
