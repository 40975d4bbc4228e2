import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The CLI's result cache (docs/incremental.md#the-result-cache) goes to a folder of this test run,
// not to node_modules/.cache or ~/.cache; test/global-setup.ts removes it at the end.
const resultCache = process.env.MIGOBS_TEST_CACHE_DIR ?? mkdtempSync(join(tmpdir(), 'migobs-test-result-cache-'));
process.env.MIGOBS_TEST_CACHE_DIR = resultCache;

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
    env: { MIGOBS_CACHE_DIR: resultCache },
    globalSetup: ['test/global-setup.ts'],
  },
});
