// The config of the Vitest run that plugin-side.test.ts starts as a child process: only the
// fixture test files here, on the kit's sources (as the workspace's projects run).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@diaryx/source'] },
  ssr: { resolve: { conditions: ['@diaryx/source'] } },
  test: { root: import.meta.dirname, include: ['*.fixture.ts'], pool: 'threads', testTimeout: 20_000, hookTimeout: 60_000 },
});
