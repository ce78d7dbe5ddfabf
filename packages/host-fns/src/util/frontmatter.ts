import { loadedYamlParser } from './yaml-parser.js';

/**
 * The YAML frontmatter of a markdown text, as Rust finds it: only when the text starts with
 * `---\n` (or `---\r\n`) and a later line is `---`. No frontmatter → null. Needs the YAML
 * parser loaded (see `preloadFrontmatter`; in Node it is).
 * @throws Error when the YAML does not parse, or the parser is not loaded
 */
export function parseFrontmatter(text: string): Record<string, unknown> | null {
  const open = text.startsWith('---\n') ? 4 : text.startsWith('---\r\n') ? 5 : -1;
  if (open < 0) return null;
  const match = /\r?\n---(?:\r?\n|$)/.exec(text.slice(open - 1));
  if (!match) return null;
  const yaml = text.slice(open, open - 1 + match.index);
  const value: unknown = loadedYamlParser()(yaml);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The target of a markdown link `[Title](path)`, or the text itself. */
export function linkTarget(entry: string): string {
  const match = /\]\(([^)]*)\)/.exec(entry);
  return (match ? match[1]! : entry).trim();
}

/**
 * True when frontmatter describes a root index: a `contents` list of strings and no `part_of`
 * (absent or null, as Rust's `Option` reads it).
 */
export function isRootIndex(frontmatter: Record<string, unknown> | null): boolean {
  if (frontmatter === null) return false;
  const contents = frontmatter['contents'];
  const partOf = frontmatter['part_of'];
  return Array.isArray(contents) && contents.every((entry) => typeof entry === 'string') && (partOf === undefined || partOf === null);
}
