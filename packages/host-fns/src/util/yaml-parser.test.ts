// The YAML parser loads on demand outside Node (a page that never reads frontmatter never
// downloads it). This file imports the portable modules only: nothing has loaded it yet.
import { describe, expect, it } from 'vitest';
import { frontmatterChecker } from '../permissions/frontmatter-checker.js';
import { isRootIndexText } from '../permissions/root-index.js';
import { memoryWorkspaceFs } from '../services/memory-workspace-fs.js';
import { parseFrontmatter } from './frontmatter.js';
import { preloadFrontmatter } from './yaml-parser.js';

const INDEX = '---\ncontents: []\nplugins:\n  p:\n    permissions:\n      read_files: { include: [all], exclude: [] }\n---\n';

describe('the YAML parser on demand (portable entry)', () => {
  it('reading frontmatter synchronously before it is loaded fails naming preloadFrontmatter; text without frontmatter needs no parser', () => {
    expect(parseFrontmatter('no frontmatter')).toBeNull();
    expect(() => parseFrontmatter(INDEX)).toThrow(/await preloadFrontmatter\(\)/);
    expect(() => isRootIndexText(INDEX)).toThrow(/await preloadFrontmatter\(\)/);
  });

  it('frontmatterChecker loads it on its first check (a Promise), then answers synchronously', async () => {
    const checker = frontmatterChecker(memoryWorkspaceFs({ 'README.md': INDEX }));
    const first = checker.check('p', 'read_files', 'a.md');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ allowed: true, reason: 'allowed' });
    expect(checker.check('p', 'read_files', 'b.md')).toEqual({ allowed: true, reason: 'allowed' });
    expect(parseFrontmatter(INDEX)).toMatchObject({ contents: [] });
  });

  it('preloadFrontmatter resolves once it is loaded', async () => {
    await preloadFrontmatter();
    expect(isRootIndexText(INDEX)).toBe(true);
  });
});
