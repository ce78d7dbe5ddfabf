import { describe, expect, it } from 'vitest';
import { packageNameProblem, packageNameSuggestion } from './package-name.js';

describe('packageNameProblem: npm’s rules for a new package name', () => {
  it('each rule', () => {
    expect(packageNameProblem('my-plugin')).toBeNull();
    expect(packageNameProblem('my.plugin_2')).toBeNull();
    expect(packageNameProblem('')).toMatch(/empty/);
    expect(packageNameProblem('.hidden')).toMatch(/start with "\."/);
    expect(packageNameProblem('_private')).toMatch(/start with "_"/);
    expect(packageNameProblem('MyPlugin')).toMatch(/capital letters/);
    expect(packageNameProblem('my plugin')).toMatch(/URL/);
    expect(packageNameProblem('fs')).toMatch(/core module/);
    expect(packageNameProblem('node_modules')).toMatch(/blocks/);
    expect(packageNameProblem('x'.repeat(214))).toBeNull();
    expect(packageNameProblem('x'.repeat(215))).toMatch(/at most 214/);
  });

  it('suggests a name that passes', () => {
    for (const name of ['node_modules', 'favicon.ico', 'http', 'a'.repeat(230), 'my~plugin', '.x', '_x', 'My Plugin', '']) {
      const suggestion = packageNameSuggestion(name);
      expect(packageNameProblem(suggestion), `${name} → ${suggestion}`).toBeNull();
    }
  });
});
