import { type HostTask, wait } from '../runtime/maybe-async.js';
import type { WorkspaceFileSystem } from '../services/workspace-fs.js';
import { isRootIndex, parseFrontmatter } from '../util/frontmatter.js';
import { decodeUtf8Lossy } from '../util/utf8.js';
import { loadedYamlParser, yamlParser } from '../util/yaml-parser.js';
import { parsePluginsConfig } from './plugins-config.js';

/** The message of every check when a workspace has no root index (protocol §6.3). */
export const ROOT_INDEX_NOT_AVAILABLE = 'Workspace root index not available for permission checks';

/**
 * True when a markdown text is a root index as Rust's typed index parsing sees it (§6.3): it has
 * frontmatter with a `contents` list of strings, no `part_of`, and a `plugins` block that is
 * absent or parses as a plugins config. Anything else (no frontmatter, bad YAML, a malformed
 * `plugins` block) is not a root index. Needs the YAML parser loaded (see `preloadFrontmatter`; in Node it is).
 * @throws Error when the YAML parser is not loaded
 */
export function isRootIndexText(text: string): boolean {
  loadedYamlParser();
  try {
    const frontmatter = parseFrontmatter(text);
    if (!isRootIndex(frontmatter)) return false;
    parsePluginsConfig(frontmatter!['plugins']);
    return true;
  } catch {
    return false;
  }
}

/** Rust `Path::extension() == "md"`: `a.md` and `..md` qualify, `.md` alone has no extension. */
const isMarkdownName = (name: string) => name.endsWith('.md') && name !== '.md';

/**
 * Finds a workspace's root index as Rust's `find_root_index_in_dir` does (§6.3, §4.7): the first
 * markdown file directly in `dir` (workspace-relative, `''` = the workspace folder) that
 * {@link isRootIndexText} accepts. Kit decision: the files are tried in name order (Rust takes
 * the directory's own order, which the file system does not fix). An unreadable folder, or no
 * such file, gives null.
 */
export function* findRootIndex(fs: WorkspaceFileSystem, dir: string): HostTask<string | null> {
  yield* wait(yamlParser());
  let names: string[];
  try {
    names = [...(yield* wait(fs.readDir(dir)))].filter(isMarkdownName).sort();
  } catch {
    return null;
  }
  for (const name of names) {
    const path = dir === '' ? name : `${dir}/${name}`;
    try {
      if (yield* wait(fs.isDir(path))) continue;
      if (isRootIndexText(decodeUtf8Lossy(yield* wait(fs.readBinary(path))))) return path;
    } catch {
      // unreadable: not a root index
    }
  }
  return null;
}
