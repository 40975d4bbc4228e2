/** The golden-file harness shared by test/golden/golden.test.ts and flavors.test.ts. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { OutputFile } from '../../src/generate/index';
import { OUT_META } from '../../src/generate/names';

/** `UPDATE_GOLDEN=1` (npm run golden:update) rewrites the golden folders instead of only comparing. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** Every file under `dir`, relative, with forward slashes; none when it does not exist. */
export function listFiles(dir: string, rel = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
}

/** In-process outputs equal the golden folder, file for file and byte for byte (rewritten first with UPDATE_GOLDEN). */
export function expectGolden(goldenDir: string, files: OutputFile[]): void {
  if (UPDATE_GOLDEN) {
    rmSync(goldenDir, { recursive: true, force: true });
    for (const f of files) {
      mkdirSync(dirname(join(goldenDir, f.path)), { recursive: true });
      writeFileSync(join(goldenDir, f.path), f.content);
    }
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
