import { type HostTask, runTask, wait } from '../runtime/maybe-async.js';
import { findRootIndex } from '../permissions/root-index.js';
import { linkTarget, parseFrontmatter } from '../util/frontmatter.js';
import { decodeUtf8Lossy } from '../util/utf8.js';
import { yamlParser } from '../util/yaml-parser.js';
import type { WorkspaceFileSetProvider } from './workspace-file-set.js';
import type { WorkspaceFileSystem } from './workspace-fs.js';

function join(dir: string, relative: string): string | null {
  const parts = relative.startsWith('/') ? [] : dir.split('/').filter(Boolean);
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

const dirOf = (path: string) => path.split('/').slice(0, -1).join('/');

function* readFrontmatter(fs: WorkspaceFileSystem, path: string): HostTask<Record<string, unknown> | null> {
  try {
    return parseFrontmatter(decodeUtf8Lossy(yield* wait(fs.readBinary(path))));
  } catch {
    return null;
  }
}

function* rootIndexOf(fs: WorkspaceFileSystem, dir: string): HostTask<string> {
  if (dir.endsWith('.md')) return dir;
  const found = yield* findRootIndex(fs, dir);
  if (found === null) throw new Error('workspace root index not found');
  return found;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function* collect(fs: WorkspaceFileSystem, workspacePath: string): HostTask<string[]> {
  yield* wait(yamlParser());
  const root = yield* rootIndexOf(fs, workspacePath);
  const found = new Set<string>([root]);
  const queue = [root];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const frontmatter = yield* readFrontmatter(fs, path);
    if (!frontmatter) continue;
    for (const entry of stringList(frontmatter['contents'])) {
      const target = join(dirOf(path), linkTarget(entry));
      if (target === null || found.has(target) || !(yield* wait(fs.exists(target)))) continue;
      found.add(target);
      if (target.endsWith('.md')) queue.push(target);
    }
    const attachments = [...stringList(frontmatter['attachments'])];
    if (typeof frontmatter['attachment'] === 'string') attachments.push(frontmatter['attachment']);
    for (const entry of attachments) {
      const target = join(dirOf(path), linkTarget(entry));
      if (target !== null && (yield* wait(fs.exists(target)))) found.add(target);
    }
  }
  return [...found].sort();
}

/**
 * The kit's workspace file set (protocol §4.7, simple form): the root index (the `.md` path
 * given, or the first markdown file of the folder with `contents` and no `part_of`), every
 * existing file reachable through `contents` (recursively, each once), and the `attachments`
 * (and `attachment`) each declares. Sorted workspace-relative paths.
 */
export const frontmatterWorkspaceFileSet: WorkspaceFileSetProvider = {
  fileSet: (fs, workspacePath) => runTask(collect(fs, workspacePath)),
};
