import { describe, expect, it } from 'vitest';
import { checkPermission, fileScopeMatches, httpScopeMatches, type PluginsConfig, urlDomain } from './rules.js';
import { normalizeTarget, rulesChecker } from './rules-checker.js';

describe('file scope matching (§6.2, AB-M1)', () => {
  it.each([
    // scope, target, matches
    ['all', 'anything/at/all.md', true],
    ['ALL', 'x', true],
    ['Daily', 'Daily', true],
    ['Daily', 'Daily/a.md', true],
    ['Daily', 'Dailyx/a.md', false],
    ['/Daily', 'Daily/a.md', true],
    ['Daily', '/Daily/a.md', true],
    ['README.md', 'README.md', true],
    ['README.md', 'other.md', false],
    // the quirk: a scope naming a file grants that file's folder
    ['journal/daily/daily.md', 'journal/daily/2024.md', true],
    ['notes/index.md', 'notes/sub/deep.md', true],
    ['journal/daily', 'journal/other/x.md', true],
    ['journal/daily/', 'journal/other/x.md', true],
    ['notes/index.md', 'other/x.md', false],
    // markdown links
    ['[Private](/private/private.md)', 'private/secret.md', true],
    ['[Notes](notes/index.md)', 'notes/a.md', true],
    ['[Anything]()', 'whatever/x.md', true],
    ['[Broken](notes', 'notes', false],
    // empty scopes match nothing
    ['/', 'a.md', false],
    ['', 'a.md', false],
    ['  ', 'a.md', false],
    // component-wise comparison
    ['a/./b', 'a/b/c.md', true],
    ['a//b', 'a/b/c.md', true],
    ['./a/b', 'a/b/c.md', false],
    ['a/b', '//a/b', false],
    ['Daily', 'daily/a.md', false],
  ])('scope %j on %j → %s', (scope, target, matches) => {
    expect(fileScopeMatches(scope, target)).toBe(matches);
  });
});

describe('HTTP scope matching (§6.2, AB-M2)', () => {
  it.each([
    ['https://api.openrouter.ai/v1', 'api.openrouter.ai'],
    ['http://Example.COM:8080/x', 'example.com'],
    ['https://host/a:b/c', 'host'],
  ])('domain of the well-formed %s is %s, as in Rust', (url, domain) => {
    expect(urlDomain(url)).toBe(domain);
  });

  // Kit decision D19: the host the WHATWG parser (the sender) reads, where Rust cuts the text.
  it.each([
    ['https://host?x=1', 'host'],
    ['https://evil.test?.example.com', 'evil.test'],
    ['https://evil.test#.example.com', 'evil.test'],
    ['https://evil.test\\.example.com/', 'evil.test'],
    ['HTTPS://x.com', 'x.com'],
    ['https://ex%61mple.com/', 'example.com'],
    ['https://[::1]:8080/', '[::1]'],
    ['https://user:pw@host/', null],
    ['https://example.com:x@evil.test/', null],
    ['ftp://example.com/', null],
    ['not a url', null],
  ])('D19: domain of %s is %s (the host the request would go to; null = never sent)', (url, domain) => {
    expect(urlDomain(url)).toBe(domain);
  });

  it.each([
    ['openrouter.ai', 'https://api.openrouter.ai/v1', true],
    ['openrouter.ai', 'https://openrouter.ai', true],
    ['openrouter.ai', 'https://notopenrouter.ai', false],
    ['OpenRouter.AI', 'https://openrouter.ai', true],
    ['https://example.com', 'https://example.com/x', false],
    ['all', 'https://anything', true],
    ['example.com', 'https://evil.test?.example.com', false],
    ['example.com', 'https://evil.test#.example.com', false],
    ['example.com', 'https://evil.test\\.example.com/', false],
    ['example.com', 'https://example.com:x@evil.test/', false],
    ['example.com', 'https://x:y@example.com/', false],
  ])('scope %s on %s → %s', (scope, url, matches) => {
    expect(httpScopeMatches(scope, url)).toBe(matches);
  });
});

describe('checkPermission (§6.2, AB-M3)', () => {
  const plugins: PluginsConfig = {
    'acme.wordcount': {
      permissions: {
        read_files: { include: ['all'], exclude: ['[Private](/private/private.md)'] },
        edit_files: { include: ['Daily'], exclude: [] },
        http_requests: { include: ['openrouter.ai'], exclude: ['evil.openrouter.ai'] },
        execute_commands: { include: ['other.plugin:count'], exclude: [] },
      },
    },
    'no.rules': {},
    'storage.rules': { permissions: { plugin_storage: { include: [], exclude: ['all'] } } },
    'storage.allowed': { permissions: { plugin_storage: { include: ['all'], exclude: [] } } },
  };

  it.each([
    ['acme.wordcount', 'read_files', 'notes/a.md', 'allowed'],
    ['acme.wordcount', 'read_files', 'private/x.md', 'denied'],
    ['acme.wordcount', 'edit_files', 'Daily/x.md', 'allowed'],
    ['acme.wordcount', 'edit_files', 'notes/x.md', 'not_configured'],
    ['acme.wordcount', 'delete_files', 'Daily/x.md', 'not_configured'],
    ['acme.wordcount', 'http_requests', 'https://api.openrouter.ai/', 'allowed'],
    ['acme.wordcount', 'http_requests', 'https://evil.openrouter.ai/', 'denied'],
    ['acme.wordcount', 'execute_commands', 'other.plugin:count', 'allowed'],
    ['acme.wordcount', 'execute_commands', 'other.plugin:delete', 'not_configured'],
    ['unknown.plugin', 'read_files', 'a.md', 'not_configured'],
    ['no.rules', 'read_files', 'a.md', 'not_configured'],
    // plugin_storage defaults to allowed without a rule, even for unknown plugins
    ['unknown.plugin', 'plugin_storage', 'k', 'allowed'],
    ['acme.wordcount', 'plugin_storage', 'k', 'allowed'],
    ['storage.rules', 'plugin_storage', 'k', 'denied'],
    ['storage.allowed', 'plugin_storage', 'k', 'allowed'],
  ] as const)('%s %s on %s → %s, and rulesChecker gives that as the decision\'s reason', async (id, key, target, expected) => {
    expect(checkPermission(plugins, id, key, target)).toBe(expected);
    const decision = await rulesChecker(plugins).check(id, key, target);
    expect(decision.reason).toBe(expected);
    expect(decision.allowed).toBe(expected === 'allowed');
  });
});

describe('rulesChecker messages and normalisation (§6.3, AB-M4)', () => {
  it('gives Rust messages for denied and not configured, naming the normalised target', async () => {
    const checker = rulesChecker({ p: { permissions: { read_files: { include: [], exclude: ['all'] } } } }, { workspaceRoot: '/Users/me/journal' });
    expect(await checker.check('p', 'read_files', '/Users/me/journal/Daily/x.md')).toEqual({
      allowed: false,
      reason: 'denied',
      message: "Permission denied for plugin 'p': read_files on 'Daily/x.md'",
    });
    expect(await checker.check('p', 'edit_files', './Daily/x.md')).toEqual({
      allowed: false,
      reason: 'not_configured',
      message:
        "Permission not configured for plugin 'p': edit_files on 'Daily/x.md'. Add plugins.p.permissions.edit_files in root frontmatter.",
    });
  });

  it.each([
    ['read_files', '/Users/me/journal/Daily/x.md', 'Daily/x.md'],
    ['read_files', '/Users/me/journal', ''],
    ['read_files', '/other/x.md', 'other/x.md'],
    ['read_files', './Daily/x.md', 'Daily/x.md'],
    ['read_files', 'a\\b.md', 'a/b.md'],
    ['http_requests', '/keep/as/is', '/keep/as/is'],
  ] as const)('%s target %j normalises to %j', (key, target, expected) => {
    expect(normalizeTarget(key, target, '/Users/me/journal')).toBe(expected);
  });

  it('reads the current config on every check when given a function', async () => {
    let config: PluginsConfig = {};
    const checker = rulesChecker(() => config);
    expect((await checker.check('p', 'read_files', 'a.md')).allowed).toBe(false);
    config = { p: { permissions: { read_files: { include: ['all'], exclude: [] } } } };
    expect((await checker.check('p', 'read_files', 'a.md')).allowed).toBe(true);
  });
});
