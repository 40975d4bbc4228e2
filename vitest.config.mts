import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Live end-to-end tests start real servers; give them room, and keep the JSON report for .ci/run.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    pool: 'forks',
    // Live tests mostly wait on servers; run files side by side even on a 2-core machine.
    maxWorkers: 3,
  },
});
