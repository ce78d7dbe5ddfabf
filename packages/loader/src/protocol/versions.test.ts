import { describe, expect, it } from 'vitest';
import { appVersionSatisfies, parseVersion } from './versions.js';

describe('parseVersion (Rust parse_version table, §7.4)', () => {
  it.each([
    ['1.4', [1, 4, 0]],
    ['1.4.1', [1, 4, 1]],
    ['1.4.1-beta', [1, 4, 0]],
    ['1.4.x', [1, 4, 0]],
    ['1.5.0.9', [1, 5, 0]],
    ['01.04.01', [1, 4, 1]],
    ['+1.4.0', [1, 4, 0]],
    ['1.4.0 ', [1, 4, 0]],
  ])('%j parses as %j', (text, expected) => {
    expect(parseVersion(text)).toEqual(expected);
  });

  it.each(['1', 'v1.4.0', ' 1.4.0', '', 'garbage', '-1.4.0', '1.-4', '4294967296.0.0'])('%j is unparsable', (text) => {
    expect(parseVersion(text)).toBeNull();
  });
});

describe('appVersionSatisfies', () => {
  it.each([
    ['1.4.1', '1.4.1', true],
    ['1.4.0', '1.4.1', true],
    ['1.4.2', '1.4.1', false],
    ['1.5', '1.4.1', false],
    ['0.9.9', '1.4.1', true],
    ['999.0.0', '1.4.1', false],
    ['1.4.1-beta', '1.4.0', true],
    ['garbage', '1.4.1', false],
    ['1.4.0', 'garbage', false],
  ])('required %s, running %s → %s', (required, running, ok) => {
    expect(appVersionSatisfies(required, running)).toBe(ok);
  });
});
