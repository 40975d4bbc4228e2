/**
 * Which gate inputs may share cases built for another migration's id (src/generate/rules/own-id.ts):
 * only those that use the label `migration_id` in `migration_id="<id>"` matchers and nowhere else;
 * and the renaming of what was built for one id to another.
 */
import { describe, expect, it } from 'vitest';
import { renameKey, seriesForId, textForId } from '../../src/generate/rules/own-id';
import type { GateInput } from '../../src/generate/rules/test-inputs';

const ID = 'orders-backfill';
const input = (expr: string): GateInput => ({ signal: expr, value: `max(${expr})`, inner: expr, aggregation: 'max', direction: 'above' });
const keyOf = (expr: string, id: string): string | undefined => renameKey(input(expr), id);

describe('renameKey', () => {
  it('gives migrations whose expressions differ only in the matchers\' id the same key', () => {
    const expr = (id: string): string => `sum(rate(migration_batches_total{migration_id="${id}", outcome="error"}[5m])) / sum(rate(migration_batches_total{migration_id="${id}"}[5m]))`;
    expect(keyOf(expr(ID), ID)).toBeDefined();
    expect(keyOf(expr('a'), 'a')).toBe(keyOf(expr(ID), ID));
    expect((JSON.parse(keyOf(expr('a'), 'a')!) as string[]).join('\n')).not.toContain('"a"');
  });

  it.each([
    ['another label', (id: string) => `max(x{migration_id="${id}", job="orders-backfill"})`],
    ['another selector', (id: string) => `max(x{migration_id="${id}"}) / max(y{job="orders-backfill"})`],
  ])('keeps everything else in the key: a migration that differs in %s gets another', (_, expr) => {
    expect(keyOf(expr('a'), 'a')).toBe(keyOf(expr(ID), ID));
    expect(keyOf(expr('a').replace('orders-backfill', 'orders-backfill-2'), 'a')).not.toBe(keyOf(expr(ID), ID));
  });

  it.each([
    ['the id nowhere (a database gate: the same in every migration already)', 'max(pg_replication_lag{instance="db1:9187"})'],
    ['grouping by the label', `max by (migration_id) (x{migration_id="${ID}"})`],
    ['matching on the label', `max(x{migration_id="${ID}"} * on (migration_id) y{migration_id="${ID}"})`],
    ['a regex matcher on the label', `max(x{migration_id=~"${ID}"})`],
    ['a second value of the label', `max(x{migration_id="${ID}"}) / max(x{migration_id="other"})`],
    ['label_replace onto the label', `max(label_replace(x{migration_id="${ID}"}, "migration_id", "$1", "job", "(.*)"))`],
    ['single quotes', `max(x{migration_id='${ID}'})`],
  ])('none (own cases): %s', (_, expr) => {
    expect(renameKey(input(expr), ID)).toBeUndefined();
  });

  it('the id inside the label name is no matcher: only the matchers count', () => {
    expect(keyOf('max(x{migration_id="id"})', 'id')).toBe(keyOf('max(x{migration_id="b"})', 'b'));
  });
});

describe('renaming what was built for one id', () => {
  it('renames the migration_id label of that id, keeps label order, and leaves other series alone', () => {
    const own = { labels: { __name__: 'x', migration_id: 'first', job: 'first' }, samples: [1] };
    const other = { labels: { __name__: 'y', instance: 'first' }, samples: [2] };
    const [a, b] = seriesForId([own, other], 'first', ID);
    expect(Object.entries(a!.labels)).toEqual([['__name__', 'x'], ['migration_id', ID], ['job', 'first']]);
    expect(a!.samples).toBe(own.samples);
    expect(b).toBe(other);
    expect(own.labels.migration_id).toBe('first');
  });

  it('renames the matchers in a note quoting the expression, not the id elsewhere', () => {
    expect(textForId('OffsetExpr `x{migration_id="first", job="first-worker"} offset 5m`', 'first', ID)).toBe(`OffsetExpr \`x{migration_id="${ID}", job="first-worker"} offset 5m\``);
  });
});
