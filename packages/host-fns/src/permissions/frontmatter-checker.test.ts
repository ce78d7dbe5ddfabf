import { describe, expect, it } from 'vitest';
import { memoryWorkspaceFs } from '../services/memory-workspace-fs.js';
import type { WorkspaceFileSystem } from '../services/workspace-fs.js';
import { frontmatterChecker } from './frontmatter-checker.js';
import { ROOT_INDEX_NOT_AVAILABLE } from './root-index.js';

const ALL_READ = '  acme.x:\n    permissions:\n      read_files: { include: ["all"] }\n      plugin_storage: { include: ["all"] }\n';
const index = (plugins: string, extra = 'contents: []\n') => `---\ntitle: Journal\n${extra}plugins:\n${plugins}---\n# Journal\n`;
const NOT_AVAILABLE = { allowed: false, message: ROOT_INDEX_NOT_AVAILABLE };

/** The same workspace behind Promise-returning methods (IndexedDB, OPFS, a worker-mode host). */
function asyncFs(fs: WorkspaceFileSystem): WorkspaceFileSystem {
  return {
    readBinary: async (p) => fs.readBinary(p),
    writeBinary: async (p, b) => fs.writeBinary(p, b),
    deleteFile: async (p) => fs.deleteFile(p),
    exists: async (p) => fs.exists(p),
    isDir: async (p) => fs.isDir(p),
    readDir: async (p) => fs.readDir(p),
    metadata: async (p) => fs.metadata(p),
  };
}

describe('frontmatterChecker: the rules of the root index (§6.3, AB-M4)', () => {
  it('§6.3 reads the rules from the root index and re-reads them on every check', async () => {
    const fs = memoryWorkspaceFs({ 'README.md': index('  acme.x:\n    permissions:\n      read_files: { include: ["Daily"] }\n') });
    const checker = frontmatterChecker(fs, 'README.md');
    expect(await checker.check('acme.x', 'read_files', 'Daily/a.md')).toEqual({ allowed: true });
    expect((await checker.check('acme.x', 'read_files', 'notes/a.md')).allowed).toBe(false);
    fs.writeBinary('README.md', new TextEncoder().encode(index(ALL_READ)));
    expect(await checker.check('acme.x', 'read_files', 'notes/a.md')).toEqual({ allowed: true });
  });

  it('§6.3 a plugins block malformed after the root index was found fails every check, storage included', async () => {
    const fs = memoryWorkspaceFs({ 'README.md': index(ALL_READ) });
    const checker = frontmatterChecker(fs);
    expect(await checker.check('acme.x', 'plugin_storage', 'k')).toEqual({ allowed: true });
    fs.writeBinary('README.md', new TextEncoder().encode(index('  acme.x:\n    permissions:\n      read_files: { include: "all" }\n')));
    expect(await checker.check('acme.x', 'plugin_storage', 'k')).toEqual({
      allowed: false,
      message: expect.stringMatching(/^Invalid root frontmatter plugins config: /),
    });
  });

  it('§6.3 read and YAML errors after the root index was found give Rust\'s texts', async () => {
    const fs = memoryWorkspaceFs({ 'README.md': index(ALL_READ) });
    const checker = frontmatterChecker(fs);
    expect(await checker.rootIndex()).toBe('README.md');
    fs.writeBinary('README.md', new TextEncoder().encode('---\nplugins: [\n---\n'));
    expect(await checker.check('p', 'read_files', 'a')).toEqual({ allowed: false, message: expect.stringMatching(/^Failed to parse root frontmatter: /) });
    fs.deleteFile('README.md');
    expect(await checker.check('p', 'read_files', 'a')).toEqual({ allowed: false, message: expect.stringMatching(/^Failed to read root index 'README.md': /) });
  });

  it('§6.3 a root index that lost its frontmatter: every plugin is not configured, except storage which is allowed', async () => {
    const fs = memoryWorkspaceFs({ 'README.md': index(ALL_READ) });
    const checker = frontmatterChecker(fs);
    await checker.rootIndex();
    fs.writeBinary('README.md', new TextEncoder().encode('# no frontmatter\n'));
    expect((await checker.check('acme.x', 'read_files', 'a.md')).allowed).toBe(false);
    expect(await checker.check('acme.x', 'plugin_storage', 'k')).toEqual({ allowed: true });
  });

  it('§6.3 the root index found at construction, rewritten without frontmatter before the first check, gives an empty plugins block (not "not available")', async () => {
    // "At construction it finds the root index once … On every check it re-reads … otherwise there
    // is no frontmatter, which gives an empty plugins, so every plugin is NotConfigured except
    // storage, which is Allowed."
    const fs = memoryWorkspaceFs({ 'README.md': index(ALL_READ) });
    const checker = frontmatterChecker(fs);
    fs.writeBinary('README.md', new TextEncoder().encode('# Journal\n\nThe frontmatter is gone.\n'));
    expect(await checker.check('acme.x', 'read_files', 'Daily/a.md')).toEqual({
      allowed: false,
      message: "Permission not configured for plugin 'acme.x': read_files on 'Daily/a.md'. Add plugins.acme.x.permissions.read_files in root frontmatter.",
    });
    expect(await checker.check('acme.x', 'plugin_storage', 'k')).toEqual({ allowed: true });
    expect(await checker.check('other', 'plugin_storage', 'k')).toEqual({ allowed: true });
    expect(await checker.rootIndex()).toBe('README.md');
  });

  it('§6.3 a root index given by path is also taken at construction', async () => {
    const fs = memoryWorkspaceFs({ 'journal/index.md': index(ALL_READ) });
    const checker = frontmatterChecker(fs, 'journal/index.md');
    fs.writeBinary('journal/index.md', new TextEncoder().encode('no frontmatter'));
    expect(await checker.check('acme.x', 'plugin_storage', 'k')).toEqual({ allowed: true });
    expect(await checker.check('acme.x', 'read_files', 'a.md')).toEqual({
      allowed: false,
      message: expect.stringMatching(/^Permission not configured for plugin 'acme.x': read_files on 'a.md'/),
    });
  });
});

describe('frontmatterChecker: which file is the root index (§6.3)', () => {
  it.each([
    ['no contents', index(ALL_READ, '')],
    ['contents that is not a list', index(ALL_READ, 'contents: notes.md\n')],
    ['contents with a non-string entry', index(ALL_READ, 'contents: [1]\n')],
    ['a part_of', index(ALL_READ, 'contents: []\npart_of: "[Up](../index.md)"\n')],
    ['a malformed plugins block', index('  acme.x:\n    permissions:\n      read_files: { include: "all" }\n')],
    ['no frontmatter', '# Journal\n'],
    ['YAML that does not parse', '---\ncontents: [\n---\n'],
  ])('§6.3 a README.md with %s is not a root index: every check fails, storage included', async (_, text) => {
    for (const where of [undefined, 'README.md']) {
      const checker = frontmatterChecker(memoryWorkspaceFs({ 'README.md': text }), where);
      expect(await checker.check('acme.x', 'read_files', 'a.md')).toEqual(NOT_AVAILABLE);
      expect(await checker.check('acme.x', 'plugin_storage', 'k')).toEqual(NOT_AVAILABLE);
      expect(await checker.rootIndex()).toBeNull();
    }
  });

  it('§6.3 part_of: null is no part_of (Rust reads it as an absent Option)', async () => {
    const checker = frontmatterChecker(memoryWorkspaceFs({ 'README.md': index(ALL_READ, 'contents: []\npart_of: null\n') }));
    expect(await checker.check('acme.x', 'read_files', 'a.md')).toEqual({ allowed: true });
  });

  it('§6.3 discovery takes the first qualifying markdown file directly in the folder, skipping the rest', async () => {
    const checker = frontmatterChecker(
      memoryWorkspaceFs({
        'a.md': index(ALL_READ, ''), // no contents
        'b.md': index(ALL_READ, 'contents: []\npart_of: x.md\n'), // part_of
        'c.md': index('  acme.x: 3\n'), // malformed plugins
        'c.txt': index(ALL_READ),
        'd.md/inner.md': index(ALL_READ), // a folder named like a markdown file
        'sub/index.md': index(ALL_READ),
        'e.md': index(ALL_READ),
      }),
    );
    expect(await checker.rootIndex()).toBe('e.md');
    expect(await checker.check('acme.x', 'read_files', 'a.md')).toEqual({ allowed: true });
  });

  it('§6.3 kit decision: of two root indexes, the first in name order wins (Rust takes the unspecified directory order)', async () => {
    const fs = memoryWorkspaceFs({ 'Journal.md': index(ALL_READ), 'README.md': index('  other: {}\n') });
    expect(await frontmatterChecker(fs).rootIndex()).toBe('Journal.md');
  });

  it('§6.3 a file named just ".md" has no extension for Rust and is not a candidate', async () => {
    expect(await frontmatterChecker(memoryWorkspaceFs({ '.md': index(ALL_READ) })).rootIndex()).toBeNull();
  });

  it('§6.3 discovery in a workspace-relative folder, and null (no workspace) fails every check', async () => {
    const fs = memoryWorkspaceFs({ 'journal/index.md': index(ALL_READ) });
    expect(await frontmatterChecker(fs, 'journal').rootIndex()).toBe('journal/index.md');
    expect(await frontmatterChecker(fs).rootIndex()).toBeNull();
    expect(await frontmatterChecker(fs, 'missing-folder').check('acme.x', 'plugin_storage', 'k')).toEqual(NOT_AVAILABLE);
    expect(await frontmatterChecker(fs, null).check('acme.x', 'plugin_storage', 'k')).toEqual(NOT_AVAILABLE);
  });

  it('§6.3 the root index is found once, at construction, as in Rust: one written later is not seen', async () => {
    const fs = memoryWorkspaceFs({ 'notes.md': 'plain' });
    const checker = frontmatterChecker(fs);
    expect(await checker.check('acme.x', 'read_files', 'a.md')).toEqual(NOT_AVAILABLE);
    fs.writeBinary('README.md', new TextEncoder().encode(index(ALL_READ)));
    expect(await checker.check('acme.x', 'read_files', 'a.md')).toEqual(NOT_AVAILABLE);
    expect(await frontmatterChecker(fs).check('acme.x', 'read_files', 'a.md')).toEqual({ allowed: true });
  });

  it('§6.3 works over an asynchronous file system', async () => {
    const checker = frontmatterChecker(asyncFs(memoryWorkspaceFs({ 'README.md': index(ALL_READ), 'x.md': index(ALL_READ, '') })));
    await expect(checker.check('acme.x', 'read_files', 'a.md')).resolves.toEqual({ allowed: true });
    await expect(frontmatterChecker(asyncFs(memoryWorkspaceFs({ 'README.md': '# none' }))).check('p', 'plugin_storage', 'k')).resolves.toEqual(NOT_AVAILABLE);
  });
});
