import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every temporary file of a test run goes into one folder of this run, which test/global-setup.ts
// removes at the end: the tests' own mkdtemp folders, the servers they start, and what the CLI they
// run writes to os.tmpdir(), since the test processes get TMPDIR pointing there. Without it each
// run left a few hundred folders in /tmp (thousands after a day of work, and file creation in /tmp
// became ten times slower on ext4). `??`: the config can be evaluated more than once per run.
const runTmp = process.env.MIGOBS_TEST_RUN_TMPDIR ?? mkdtempSync(join(tmpdir(), 'migobs-test-'));
process.env.MIGOBS_TEST_RUN_TMPDIR = runTmp;
// PostgreSQL runs as its own OS user when the tests run as root: it must reach its data folder.
chmodSync(runTmp, 0o755);
// The CLI's result cache (docs/incremental.md#the-result-cache) goes to a folder of this test run,
// not to node_modules/.cache or ~/.cache.
const resultCache = join(runTmp, 'result-cache');
mkdirSync(resultCache, { recursive: true });

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
    env: { MIGOBS_CACHE_DIR: resultCache, TMPDIR: runTmp },
    globalSetup: ['test/global-setup.ts'],
  },
});
