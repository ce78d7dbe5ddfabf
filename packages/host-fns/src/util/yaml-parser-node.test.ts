import { describe, expect, it } from 'vitest';
import { isRootIndexText, parseFrontmatter } from '../index.js';

describe('the YAML parser in Node', () => {
  it('is installed by the Node entry: frontmatter reads synchronously from the start', () => {
    expect(parseFrontmatter('---\ncontents: [a.md]\n---\n')).toEqual({ contents: ['a.md'] });
    expect(isRootIndexText('---\ncontents: []\n---\n')).toBe(true);
  });
});
