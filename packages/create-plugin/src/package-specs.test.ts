import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localKitPackages, publishedKitPackages } from './package-specs.js';

describe('kit package specifiers', () => {
  it('published: a caret range at the scaffolder version, no overrides', () => {
    const kit = publishedKitPackages('0.2.0');
    expect(kit.specifier('@diaryx/testing')).toBe('^0.2.0');
    expect(kit.overrides).toEqual({});
  });

  it('--kit-packages: each packed tarball, directly and through overrides; a missing one is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diaryx-kit-'));
    for (const file of ['diaryx-testing-0.2.0.tgz', 'diaryx-loader-0.2.0.tgz', 'notes.txt']) writeFileSync(join(dir, file), '');
    const kit = localKitPackages(dir);
    expect(kit.specifier('@diaryx/testing')).toBe(`file:${join(dir, 'diaryx-testing-0.2.0.tgz')}`);
    expect(Object.keys(kit.overrides).sort()).toEqual(['@diaryx/loader', '@diaryx/testing']);
    expect(() => kit.specifier('@diaryx/js-runtime')).toThrow(/no tarball for @diaryx\/js-runtime in .*found: @diaryx\/testing, @diaryx\/loader|found: @diaryx\/loader, @diaryx\/testing/);
  });
});
