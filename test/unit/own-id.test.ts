/**
 * Which gate inputs may be built for a stand-in id and renamed back (src/generate/rules/own-id.ts):
 * only those that use the label `migration_id` in `migration_id="<id>"` matchers and nowhere else. Each refusal below is a way renaming could change what the evaluator computes.
 */
import { describe, expect, it } from 'vitest';
import { seriesWithId, STAND_IN_ID, textWithId, withStandInId } from '../../src/generate/rules/own-id';
import type { GateInput } from '../../src/generate/rules/test-inputs';

const ID = 'orders-backfill';
const input = (expr: string): GateInput => ({ signal: expr, value: `max(${expr})`, inner: expr, aggregation: 'max', direction: 'above' });

describe('withStandInId', () => {
  it('renames every migration_id matcher of signal, value and inner', () => {
    const r = withStandInId(input(`sum(rate(migration_batches_total{migration_id="${ID}", outcome="error"}[5m])) / sum(rate(migration_batches_total{migration_id="${ID}"}[5m]))`), ID);
    expect(r).toBeDefined();
    for (const t of [r!.signal, r!.value, r!.inner]) {
      expect(t).not.toContain(ID);
      expect(t.split(`migration_id="${STAND_IN_ID}"`)).toHaveLength(3);
    }
    expect(r!.value).toBe(`max(${r!.inner})`);
  });

  it.each([
    ['the id nowhere (a database gate: the same in every migration already)', 'max(pg_replication_lag{instance="db1:9187"})'],
    ['grouping by the label', `max by (migration_id) (x{migration_id="${ID}"})`],
    ['a regex matcher on the label', `max(x{migration_id=~"${ID}"})`],
    ['a second value of the label', `max(x{migration_id="${ID}"}) / max(x{migration_id="other"})`],
    ['label_replace onto the label', `max(label_replace(x{migration_id="${ID}"}, "migration_id", "$1", "job", "(.*)"))`],
    ['single quotes', `max(x{migration_id='${ID}'})`],
    ['the stand-in already in the text', `max(x{migration_id="${ID}", job="${STAND_IN_ID}"})`],
  ])('keeps its own cases: %s', (_, expr) => {
    expect(withStandInId(input(expr), ID)).toBeUndefined();
  });

  it.each([
    ['in another label', `max(x{migration_id="${ID}", job="${ID}"})`, `max(x{migration_id="${STAND_IN_ID}", job="${ID}"})`],
    ['as part of another value', `max(x{migration_id="${ID}", job="${ID}-worker"})`, `max(x{migration_id="${STAND_IN_ID}", job="${ID}-worker"})`],
    ['as part of the label name', 'max(x{migration_id="id"})', `max(x{migration_id="${STAND_IN_ID}"})`],
  ])('renames only the matchers\' value when the id is also %s', (_, expr, renamed) => {
    const id = expr.includes('"id"') ? 'id' : ID;
    expect(withStandInId(input(expr), id)?.inner).toBe(renamed);
  });

  it('the stand-in is no valid migration id, so no definition can have it', () => {
    expect(STAND_IN_ID).not.toMatch(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/);
  });
});

describe('renaming back', () => {
  it('gives the migration_id label of the stand-in the id, and keeps label order and other series', () => {
    const own = { labels: { __name__: 'x', migration_id: STAND_IN_ID, job: 'j' }, samples: [1] };
    const other = { labels: { __name__: 'y', instance: STAND_IN_ID }, samples: [2] };
    const [a, b] = seriesWithId([own, other], ID);
    expect(Object.entries(a!.labels)).toEqual([['__name__', 'x'], ['migration_id', ID], ['job', 'j']]);
    expect(a!.samples).toBe(own.samples);
    expect(b).toBe(other);
    expect(own.labels.migration_id).toBe(STAND_IN_ID);
  });

  it('puts the id back into a note quoting the expression', () => {
    expect(textWithId(`function foo \`foo(x{migration_id="${STAND_IN_ID}"})\``, ID)).toBe(`function foo \`foo(x{migration_id="${ID}"})\``);
  });
});
