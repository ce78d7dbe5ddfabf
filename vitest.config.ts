import { defineConfig } from 'vitest/config';

const reportFile = process.env.DIARYX_TEST_REPORT;

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
    reporters: reportFile ? ['default', ['json', { outputFile: reportFile }]] : ['default'],
  },
});
