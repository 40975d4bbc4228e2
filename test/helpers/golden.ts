/** The golden-file harness shared by test/golden/golden.test.ts and flavors.test.ts. */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { OutputFile } from '../../src/generate/index';
import { OUT_META } from '../../src/generate/names';
import { listFiles, writeTree } from './outputs';

/** `UPDATE_GOLDEN=1` (npm run golden:update) rewrites the golden folders instead of only comparing. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** In-process outputs equal the golden folder, file for file and byte for byte (rewritten first with UPDATE_GOLDEN). */
export function expectGolden(goldenDir: string, files: OutputFile[]): void {
  if (UPDATE_GOLDEN) {
    rmSync(goldenDir, { recursive: true, force: true });
    writeTree(goldenDir, files);
  }
  expect(listFiles(goldenDir).sort()).toEqual(files.map((f) => f.path).sort());
  for (const f of files) expect(f.content, f.path).toBe(readFileSync(join(goldenDir, f.path), 'utf8'));
}

/**
 * A folder the built CLI wrote equals the golden folder byte for byte; the manifest is the write
 * stage's own bookkeeping, not a golden file. Returns the files compared.
 */
export function expectWrittenGolden(out: string, goldenDir: string): string[] {
  const written = listFiles(out).filter((f) => f !== OUT_META.manifest).sort();
  expect(written).toEqual(listFiles(goldenDir).sort());
  for (const f of written) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(goldenDir, f), 'utf8'));
  return written;
}
