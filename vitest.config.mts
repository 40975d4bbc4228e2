import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every temporary file of a test run goes into one folder of this run, which test/global-setup.ts
// creates before the first test and removes at the end: the tests' own mkdtemp folders, the servers
// they start, and what the CLI they run writes to os.tmpdir(), since the test processes get TMPDIR
// pointing there. Without it each run left a few hundred folders in /tmp (thousands after a day of
// work, and file creation in /tmp became ten times slower on ext4). Only named here: a run that
// finds no test file never runs the global setup, and must leave nothing behind. `??`: the config
// can be evaluated more than once per run.
const runTmp = process.env.MIGOBS_TEST_RUN_TMPDIR ?? join(tmpdir(), `migobs-test-${process.pid}-${randomBytes(6).toString('hex')}`);
process.env.MIGOBS_TEST_RUN_TMPDIR = runTmp;

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
    // The CLI's result cache (docs/incremental.md#the-result-cache) goes to the run's folder too,
    // not to node_modules/.cache or ~/.cache.
    env: { MIGOBS_CACHE_DIR: join(runTmp, 'result-cache'), TMPDIR: runTmp },
    globalSetup: ['test/global-setup.ts'],
  },
});
