/**
 * The temporary folder vitest.config.mts named for this test run: created before the first test
 * (the result cache inside it), removed with everything in it at the end.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function runTmp(): string {
  const dir = process.env.MIGOBS_TEST_RUN_TMPDIR;
  if (!dir) throw new Error('MIGOBS_TEST_RUN_TMPDIR is not set: run the tests through vitest.config.mts');
  return dir;
}

export function setup(): void {
  const dir = runTmp();
  // Not recursive: a random name that already exists is not ours to use.
  mkdirSync(dir, { mode: 0o700 });
  // PostgreSQL runs as its own OS user when the tests run as root: it must reach its data folder.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'result-cache'));
}

export function teardown(): void {
  rmSync(runTmp(), { recursive: true, force: true });
}
