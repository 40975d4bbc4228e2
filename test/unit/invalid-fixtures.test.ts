/**
 * Every invalid fixture (test/fixtures/invalid, made by scripts/make-invalid-fixtures.py) fails
 * `migobs validate` with exit 1, its exact location and message, no stack trace, quickly.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migobs, REPO } from '../helpers/cli';
import { EXPECTED } from './invalid-fixtures.table';

const DIR = 'test/fixtures/invalid';

describe('invalid fixtures', () => {
  it('has a fixture file for every table row and a row for every file (at least 30)', () => {
    const files = readdirSync(join(REPO, DIR)).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(EXPECTED.map(([n]) => n).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(EXPECTED)('%s', (name, expected) => {
    const file = `${DIR}/${name}.yaml`;
    const r = migobs(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`${file}:${expected}`);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    expect(r.stdout).toBe('');
  });

  it('prints a stack trace only with --debug', () => {
    const r = migobs(['validate', `${DIR}/missing-owner.yaml`, '--debug']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing the required key `owner`');
  });

  it('reports every problem of every file at once', () => {
    const r = migobs(['validate', `${DIR}/missing-owner.yaml`, `${DIR}/engine-typo.yaml`, 'test/fixtures/valid/design-example.yaml']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.some((l) => l.startsWith(`${DIR}/missing-owner.yaml:3:1:`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${DIR}/engine-typo.yaml:10:11:`))).toBe(true);
  });

  it('refuses two definitions with the same id', () => {
    const r = migobs(['validate', 'test/fixtures/valid/design-example.yaml', 'test/fixtures/valid/design-example-copy.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('test/fixtures/valid/design-example-copy.yaml:4:7: migration id `orders-region-backfill` is already used by test/fixtures/valid/design-example.yaml:4:7');
  });

  it('a missing file is a located error, not a crash', () => {
    const r = migobs(['validate', 'nope/missing.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('nope/missing.yaml:1:1: file not found');
  });
});
