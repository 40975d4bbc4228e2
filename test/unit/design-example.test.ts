/** DESIGN.md's definition must validate and generate exactly as written: the shipped example is that block. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/cli';

function designBlock(): string {
  const design = readFileSync(join(REPO, '..', 'shared', 'DESIGN.md'), 'utf8');
  const start = design.indexOf('```yaml\napiVersion: migobs/v1');
  const end = design.indexOf('```', start + 7);
  return design.slice(start + '```yaml\n'.length, end);
}

describe('the DESIGN example', () => {
  it('examples/orders-region-backfill.yaml holds the DESIGN block unchanged (after an optional schema comment)', () => {
    const shipped = readFileSync(join(REPO, 'examples', 'orders-region-backfill.yaml'), 'utf8').replace(/^# yaml-language-server:.*\n/, '');
    expect(shipped).toBe(designBlock());
  });
  it('test/fixtures/valid/design-example.yaml is the same block', () => {
    expect(readFileSync(join(REPO, 'test', 'fixtures', 'valid', 'design-example.yaml'), 'utf8')).toBe(designBlock());
  });
});
