import { describe, expect, it } from 'vitest';
import type { WorkspaceFileSystem } from '../services/workspace-fs.js';
import { frontmatterChecker } from './rules-checker.js';

function memoryFs(files: Record<string, string>): WorkspaceFileSystem {
  const read = (p: string) => {
    const text = files[p];
    if (text === undefined) throw new Error(`No such file: ${p}`);
    return new TextEncoder().encode(text);
  };
  return {
    readBinary: read,
    writeBinary: (p, b) => void (files[p] = new TextDecoder().decode(b)),
    deleteFile: (p) => void delete files[p],
    exists: (p) => p in files,
    isDir: () => false,
    readDir: () => Object.keys(files),
    metadata: () => null,
  };
}

const index = (plugins: string) => `---\ntitle: Journal\ncontents: []\nplugins:\n${plugins}---\n# Journal\n`;

describe('frontmatterChecker (§6.3, AB-M4)', () => {
  it('reads the rules from the root index and re-reads them on every check', async () => {
    const files = { 'README.md': index('  acme.x:\n    permissions:\n      read_files: { include: ["Daily"] }\n') };
    const checker = frontmatterChecker(memoryFs(files), 'README.md');
    expect(await checker.check('acme.x', 'read_files', 'Daily/a.md')).toEqual({ allowed: true });
    expect((await checker.check('acme.x', 'read_files', 'notes/a.md')).allowed).toBe(false);
    files['README.md'] = index('  acme.x:\n    permissions:\n      read_files: { include: ["all"] }\n');
    expect(await checker.check('acme.x', 'read_files', 'notes/a.md')).toEqual({ allowed: true });
  });

  it('fails every check, storage included, on a malformed plugins block, and reports read and YAML errors', async () => {
    const bad = frontmatterChecker(memoryFs({ 'README.md': index('  acme.x:\n    permissions:\n      read_files: { include: "all" }\n') }), 'README.md');
    const decision = await bad.check('acme.x', 'plugin_storage', 'k');
    expect(decision).toEqual({ allowed: false, message: expect.stringMatching(/^Invalid root frontmatter plugins config: /) });
    const missing = frontmatterChecker(memoryFs({}), 'README.md');
    expect(await missing.check('p', 'read_files', 'a')).toEqual({ allowed: false, message: expect.stringMatching(/^Failed to read root index 'README.md': /) });
    const yaml = frontmatterChecker(memoryFs({ 'README.md': '---\nplugins: [\n---\n' }), 'README.md');
    expect(await yaml.check('p', 'read_files', 'a')).toEqual({ allowed: false, message: expect.stringMatching(/^Failed to parse root frontmatter: /) });
  });

  it('without frontmatter every plugin is not configured, except storage which is allowed', async () => {
    const checker = frontmatterChecker(memoryFs({ 'README.md': '# no frontmatter\n' }), 'README.md');
    expect((await checker.check('p', 'read_files', 'a.md')).allowed).toBe(false);
    expect(await checker.check('p', 'plugin_storage', 'k')).toEqual({ allowed: true });
  });
});
