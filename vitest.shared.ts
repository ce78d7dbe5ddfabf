import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * One Vitest project per workspace package. Tests run on TypeScript sources through the
 * `@diaryx/source` export condition, so they never wait for a build of a sibling package.
 */
export function diaryxProject(name: string, overrides: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@diaryx/source'] },
    ssr: { resolve: { conditions: ['@diaryx/source'] } },
    test: {
      name,
      environment: 'node',
      pool: 'forks',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      ...overrides,
    },
  });
}
