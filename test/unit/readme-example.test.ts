/**
 * The definition the README shows is the shipped example, byte for byte, and it validates and
 * generates as written: a reader who copies it gets a working migration.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migobs, REPO } from '../helpers/cli';

/** The YAML block between the README's `example-definition` markers. */
function readmeBlock(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const m = /<!-- example-definition -->\n```yaml\n([\s\S]*?)```\n<!-- \/example-definition -->/.exec(readme);
  if (!m) throw new Error('README.md has no ```yaml block between <!-- example-definition --> markers');
  return m[1]!;
}

const withoutSchemaComment = (text: string): string => text.replace(/^# yaml-language-server:.*\n/, '');

describe("the README's example definition", () => {
  it('is examples/orders-region-backfill.yaml unchanged (after an optional schema comment)', () => {
    expect(withoutSchemaComment(readFileSync(join(REPO, 'examples', 'orders-region-backfill.yaml'), 'utf8'))).toBe(readmeBlock());
  });

  it('is test/fixtures/valid/design-example.yaml, the base most tests edit', () => {
    expect(readFileSync(join(REPO, 'test', 'fixtures', 'valid', 'design-example.yaml'), 'utf8')).toBe(readmeBlock());
  });

  it('validates and generates as written, copied out of the README', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-readme-'));
    try {
      const file = join(dir, 'orders-region-backfill.yaml');
      writeFileSync(file, readmeBlock());
      const v = migobs(['validate', file]);
      expect(v.code, v.stderr).toBe(0);
      const g = migobs(['generate', file, '--out-dir', join(dir, 'out'), '--quiet']);
      expect(g.code, g.stderr).toBe(0);
      expect(readdirSync(join(dir, 'out')).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
