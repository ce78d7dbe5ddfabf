import { describe, expect, it } from 'vitest';
import { type HostTask, runTask, wait } from './maybe-async.js';
import { hasTraversal, toWorkspacePath } from './path-guard.js';

function* twoSteps(a: number | Promise<number>, b: number | Promise<number>): HostTask<number> {
  return (yield* wait(a)) + (yield* wait(b));
}

describe('runTask: sync fast path, async when needed', () => {
  it('returns a plain value when every service is synchronous', () => {
    expect(runTask(twoSteps(1, 2))).toBe(3);
  });

  it('returns a Promise as soon as one service is asynchronous', async () => {
    const result = runTask(twoSteps(1, Promise.resolve(2)));
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe(3);
  });

  it('throws a rejected service error into the task', async () => {
    function* guarded(): HostTask<string> {
      try {
        yield* wait(Promise.reject(new Error('nope')));
        return 'unreachable';
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
    }
    expect(await runTask(guarded())).toBe('caught nope');
  });
});

describe('path guard (§4.1, D3, D4)', () => {
  it.each([
    ['../x', true],
    ['a/../b', true],
    ['a\\..\\b', true],
    ['..', true],
    ['..a', false],
    ['a..', false],
    ['...', false],
    ['%2e%2e/x', false],
  ])('%j has traversal: %s', (path, expected) => {
    expect(hasTraversal(path)).toBe(expected);
  });

  it.each([
    ['notes/a.md', undefined, 'notes/a.md'],
    ['./notes//a.md/', undefined, 'notes/a.md'],
    ['', undefined, ''],
    ['.', undefined, ''],
    ['a\\b.md', undefined, 'a/b.md'],
    ['/ws/notes/a.md', '/ws', 'notes/a.md'],
    ['/ws', '/ws', ''],
    ['/wsx/a.md', '/ws', null],
    ['/etc/passwd', '/ws', null],
    ['/etc/passwd', undefined, null],
    ['C:/x', undefined, null],
  ] as const)('%j under root %j → %j', (path, root, expected) => {
    expect(toWorkspacePath(path, root)).toBe(expected);
  });
});
