/** Removes the temporary folder vitest.config.mts gave this test run (the result cache is inside it). */
import { rmSync } from 'node:fs';

export function teardown(): void {
  const dir = process.env.MIGOBS_TEST_RUN_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
