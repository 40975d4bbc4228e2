/** Removes the result-cache folder vitest.config.mts gave this test run. */
import { rmSync } from 'node:fs';

export function teardown(): void {
  const dir = process.env.MIGOBS_TEST_CACHE_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
