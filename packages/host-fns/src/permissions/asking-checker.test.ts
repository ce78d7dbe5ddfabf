import { describe, expect, it } from 'vitest';
import { memoryWorkspaceFs } from '../services/memory-workspace-fs.js';
import { askingChecker, type PermissionQuestion } from './asking-checker.js';
import { allowAll, denyAll } from './basic-checkers.js';
import { frontmatterChecker } from './frontmatter-checker.js';
import { ROOT_INDEX_NOT_AVAILABLE } from './root-index.js';
import { rulesChecker } from './rules-checker.js';
import type { PermissionChecker } from './types.js';

const rules = rulesChecker({
  'acme.x': {
    permissions: {
      read_files: { include: ['notes'], exclude: ['private'] },
    },
  },
});

function recordingAsk(answer: boolean | Promise<boolean>) {
  const questions: PermissionQuestion[] = [];
  return { questions, ask: (question: PermissionQuestion) => (questions.push(question), answer) };
}

describe('permission decisions carry a reason (§6.3 messages unchanged)', () => {
  it('allowAll answers allowed; denyAll answers denied with Rust\'s DenyAll text', async () => {
    expect(await allowAll.check('p', 'read_files', 'a.md')).toEqual({ allowed: true, reason: 'allowed' });
    expect(await denyAll.check('p', 'read_files', 'a.md')).toEqual({
      allowed: false,
      reason: 'denied',
      message: "Permission denied: no permissions configured for plugin 'p' (read_files on 'a.md')",
    });
  });

  it('a workspace without a root index is unavailable, with Rust\'s text', async () => {
    expect(await frontmatterChecker(memoryWorkspaceFs({ 'a.md': 'no frontmatter' })).check('p', 'read_files', 'a.md')).toEqual({
      allowed: false,
      reason: 'unavailable',
      message: ROOT_INDEX_NOT_AVAILABLE,
    });
  });
});

describe('askingChecker: the user decides what the rules leave open (the Rust CLI wrapper, §6.3)', () => {
  it('keeps an allowed or denied answer of the rules without asking', async () => {
    const { questions, ask } = recordingAsk(true);
    const checker = askingChecker(rules, ask);
    expect(await checker.check('acme.x', 'read_files', 'notes/a.md')).toEqual({ allowed: true, reason: 'allowed' });
    expect(await checker.check('acme.x', 'read_files', 'private/a.md')).toMatchObject({
      allowed: false,
      reason: 'denied',
      message: "Permission denied for plugin 'acme.x': read_files on 'private/a.md'",
    });
    expect(questions).toEqual([]);
  });

  it('asks on not_configured once per (plugin, permission key) and keeps the answer for every later target', async () => {
    const { questions, ask } = recordingAsk(true);
    const checker = askingChecker(rules, ask);
    expect(await checker.check('acme.x', 'edit_files', 'a.md')).toEqual({ allowed: true, reason: 'allowed' });
    expect(await checker.check('acme.x', 'edit_files', 'b/c.md')).toEqual({ allowed: true, reason: 'allowed' });
    expect(await checker.check('other', 'edit_files', 'a.md')).toEqual({ allowed: true, reason: 'allowed' });
    expect(questions.map((q) => [q.pluginId, q.permission, q.target, q.decision.reason])).toEqual([
      ['acme.x', 'edit_files', 'a.md', 'not_configured'],
      ['other', 'edit_files', 'a.md', 'not_configured'],
    ]);
  });

  it('a no is a denial naming the plugin, the key and the target, and is not asked again', async () => {
    const { questions, ask } = recordingAsk(false);
    const checker = askingChecker(rules, ask);
    expect(await checker.check('acme.x', 'http_requests', 'https://example.com/')).toEqual({
      allowed: false,
      reason: 'denied',
      message: "Permission denied for plugin 'acme.x': http_requests on 'https://example.com/' (the user said no when asked)",
    });
    await checker.check('acme.x', 'http_requests', 'https://example.org/');
    expect(questions).toHaveLength(1);
  });

  it('asks when the rules are unavailable too, and grants plugin_storage without asking (as the Rust CLI)', async () => {
    const { questions, ask } = recordingAsk(true);
    const checker = askingChecker(frontmatterChecker(memoryWorkspaceFs({})), ask);
    expect(await checker.check('p', 'plugin_storage', 'k')).toEqual({ allowed: true, reason: 'allowed' });
    expect(await checker.check('p', 'read_files', 'a.md')).toEqual({ allowed: true, reason: 'allowed' });
    expect(questions.map((q) => q.decision.reason)).toEqual(['unavailable']);
  });

  it('answers synchronously when the rules and the question do (in-process plugins need that)', () => {
    const checker = askingChecker(rules, () => true);
    expect(checker.check('acme.x', 'edit_files', 'a.md')).toEqual({ allowed: true, reason: 'allowed' });
  });

  it('concurrent checks while a question is open share it; an async no denies both', async () => {
    let answer!: (yes: boolean) => void;
    const { questions, ask } = recordingAsk(new Promise<boolean>((resolve) => (answer = resolve)));
    const checker = askingChecker(rules, ask);
    const first = checker.check('acme.x', 'edit_files', 'a.md');
    const second = checker.check('acme.x', 'edit_files', 'b.md');
    answer(false);
    expect(await first).toMatchObject({ allowed: false, reason: 'denied' });
    expect(await second).toMatchObject({ allowed: false, reason: 'denied' });
    expect(questions).toHaveLength(1);
  });

  it('a question that throws or rejects counts as no', async () => {
    const throwing = askingChecker(rules, () => {
      throw new Error('no terminal');
    });
    expect(await throwing.check('acme.x', 'edit_files', 'a.md')).toMatchObject({ allowed: false, reason: 'denied' });
    const rejecting = askingChecker(rules, () => Promise.reject(new Error('closed')));
    expect(await rejecting.check('acme.x', 'edit_files', 'a.md')).toMatchObject({ allowed: false, reason: 'denied' });
  });

  it('wraps an asynchronous checker', async () => {
    const slow: PermissionChecker = { check: async (id, key, target) => rules.check(id, key, target) };
    const { questions, ask } = recordingAsk(true);
    expect(await askingChecker(slow, ask).check('acme.x', 'create_files', 'n.md')).toEqual({ allowed: true, reason: 'allowed' });
    expect(questions).toHaveLength(1);
  });
});
