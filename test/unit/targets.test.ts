/**
 * spec.targets at resolve time: which selectors get which matchers, and the gate value built on
 * the result (src/promql/gate-value.ts), checked with the in-house evaluator.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationDefinition } from '../../src/definition/types';
import { parseAst } from '../../src/generate/rules/promql-ast';
import { evaluate, type Series } from '../../src/generate/rules/promql-eval';
import { gateValue as evaluateValue, guardedValue } from '../../src/generate/rules/test-inputs';
import { gateValue } from '../../src/promql/gate-value';
import { injectMatchersBy, parsePromql } from '../../src/promql/parse';
import { check } from '../helpers/definitions';

const model = (patch: (d: MigrationDefinition) => void) => {
  const r = check(patch);
  expect(r.diagnostics).toEqual([]);
  return r.migrations[0]!.model;
};

describe('targets: matchers injected at resolve time', () => {
  it('a library signal reads its target: every non-migration_* selector gets the matchers', () => {
    const m = model(() => {});
    expect(m.targets.database).toEqual({ fleet: false, matchers: [{ name: 'instance', op: '=', value: 'db1:9187' }], selector: 'instance="db1:9187"' });
    expect(m.signals.activeSessions).toMatchObject({ expr: 'max(sum by (instance) (pg_stat_activity_count{instance="db1:9187", state="active"}))', target: 'database', seriesPer: 'database', origin: 'engine' });
    expect(m.signals.diskFreeRatio!.expr).toBe('min(min by (instance) (node_filesystem_avail_bytes{instance="db1:9100", fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{instance="db1:9100", fstype!~"tmpfs|overlay|squashfs"}))');
    expect(m.signals.appErrorRatio!.expr).toBe('(sum(rate(http_requests_total{job="orders-api", code=~"5.."}[5m])) or vector(0)) / (sum(rate(http_requests_total{job="orders-api"}[5m])) > 0)');
  });

  it('migration_* signals keep the migration scope (selector + migration_id), never a target', () => {
    const m = model(() => {});
    expect(m.signals.batchErrorRatio!.target).toBe('migration');
    expect(m.signals.batchErrorRatio!.expr).not.toContain('db1');
    expect(m.signals.batchErrorRatio!.expr).toContain('migration_batches_total{migration_id="orders-region-backfill", job="orders-backfill", outcome="error"}');
  });

  it('`fleet` injects nothing (explicitly every system)', () => {
    const m = model((d) => (d.spec.targets!.database = 'fleet'));
    expect(m.targets.database).toMatchObject({ fleet: true, matchers: [] });
    expect(m.signals.activeSessions!.expr).toBe('max(sum by (instance) (pg_stat_activity_count{state="active"}))');
  });

  it('your own signals are left alone unless they say target:', () => {
    const m = model((d) => {
      d.spec.signals!.mine = { expr: 'max(queue_depth{queue="orders"})' };
      d.spec.signals!.scoped = { expr: 'max(queue_depth{queue="orders"}) + max(migration_lag_seconds)', target: 'hosts' };
    });
    expect(m.signals.replicationLag!.expr).toBe('max(pg_replication_lag{instance="db1:9187"})');
    expect(m.signals.mine!.expr).toBe('max(queue_depth{queue="orders"})');
    expect(m.signals.scoped!.expr).toBe('max(queue_depth{instance="db1:9100", queue="orders"}) + max(migration_lag_seconds{migration_id="orders-region-backfill", job="orders-backfill"})');
  });

  it('a matcher already on the selector wins over the target', () => {
    const m = model((d) => (d.spec.signals!.pinned = { expr: 'max(up{instance="other:9100"})', target: 'hosts' }));
    expect(m.signals.pinned!.expr).toBe('max(up{instance="other:9100"})');
  });

  it('the count of the target a signal has one series per member of becomes its expected series count', () => {
    const m = model((d) => {
      d.spec.engine = 'mysql';
      d.spec.targets = { database: 'instance="db1:9104"', replicas: { selector: 'instance=~"db2:9104|db3:9104"', count: 2 }, hosts: { selector: 'instance=~"db[1-3]:9100"' }, app: 'job="a"' };
      delete d.spec.signals;
      d.spec.gates = [];
    });
    expect(m.signals.replicationLag).toMatchObject({ target: 'replicas', seriesPer: 'replicas', expectedSeries: 2 });
    expect(m.signals.replicationLag!.expr).toBe('max(max by (instance) (mysql_heartbeat_now_timestamp_seconds{instance=~"db2:9104|db3:9104"} - mysql_heartbeat_stored_timestamp_seconds{instance=~"db2:9104|db3:9104"}))');
    expect(m.signals.diskFreeRatio!.expectedSeries).toBeUndefined(); // hosts has no count
    expect(m.signals.activeSessions!.expectedSeries).toBeUndefined(); // database has no count
  });

  it.each([
    ['on()/by() label lists untouched, both sides of a join scoped', 'max(sum by (instance) (a) / on (instance) group_left max by (instance) (b))', 'max(sum by (instance) (a{instance="db1:9187"}) / on (instance) group_left max by (instance) (b{instance="db1:9187"}))'],
    ['inside a subquery and a function', 'max_over_time(max(rate(c[5m]))[10m:1m])', 'max_over_time(max(rate(c{instance="db1:9187"}[5m]))[10m:1m])'],
    ['an empty matcher list, and a nameless selector', 'x{} + {__name__="y"}', 'x{instance="db1:9187"} + {instance="db1:9187", __name__="y"}'],
    ['offset and @', 'x offset 5m - x @ 100', 'x{instance="db1:9187"} offset 5m - x{instance="db1:9187"} @ 100'],
  ])('injectMatchersBy: %s', (_name, expr, expected) => {
    expect(injectMatchersBy(parsePromql(expr), () => [{ name: 'instance', op: '=', value: 'db1:9187' }])).toBe(expected);
  });
});

/** The gate value of `expr` over instant samples of `x` (and `y`), evaluated like Prometheus. */
function valueOf(expr: string, direction: 'above' | 'below', series: Array<[Record<string, string>, number]>, expectedSeries?: number): number | undefined {
  const v = gateValue({ expr, direction, ...(expectedSeries !== undefined ? { expectedSeries } : {}) }).value;
  const db = { stepSeconds: 60, series: series.map(([labels, value]): Series => ({ labels, samples: [value] })) };
  const out = evaluate(parseAst(v), db, 0);
  if (out.k !== 'vector') throw new Error('not a vector');
  expect(out.v.length).toBeLessThanOrEqual(1);
  return out.v[0]?.value;
}

const x = (instance: string): Record<string, string> => ({ __name__: 'x', instance });

describe('gate value: the worst series, absent on NaN or a wrong series count', () => {
  it.each([
    ['max(x)', '(max(x) + 0 * sum(clamp(x, -1, 1))) > -Inf', 'x'],
    ['(min(sum by (instance) (x)))', '(min(sum by (instance) (x)) + 0 * sum(clamp(sum by (instance) (x), -1, 1))) > -Inf', 'sum by (instance) (x)'],
    ['sum(rate(x[5m]))', '(max(sum(rate(x[5m]))) + 0 * sum(clamp(sum(rate(x[5m])), -1, 1))) > -Inf', 'sum(rate(x[5m]))'],
    ['max by (instance) (x)', '(max(max by (instance) (x)) + 0 * sum(clamp(max by (instance) (x), -1, 1))) > -Inf', 'max by (instance) (x)'],
    ['x or y', '(max(x or y) + 0 * sum(clamp(x or y, -1, 1))) > -Inf', 'x or y'],
  ])('%s', (expr, value, inner) => {
    expect(gateValue({ expr, direction: 'above' })).toMatchObject({ value, inner });
  });

  it('the expected count adds an exact series-count condition', () => {
    expect(gateValue({ expr: 'max(x)', direction: 'above', expectedSeries: 2 }).value).toBe('(max(x) + 0 * sum(clamp(x, -1, 1))) > -Inf and on () count(x) == 2');
    expect(() => gateValue({ expr: 'max(x)', direction: 'above', expectedSeries: 0 })).toThrow();
  });

  it('a `below` gate on a signal that is its own max keeps the max', () => {
    expect(gateValue({ expr: 'max(x)', direction: 'below' }).value.startsWith('(max(x) + ')).toBe(true);
    expect(gateValue({ expr: 'x', direction: 'below' }).value.startsWith('(min(x) + ')).toBe(true);
  });

  it('drops the infinity on the gate\'s good side, keeps the bad side\'s (past every threshold)', () => {
    expect(gateValue({ expr: 'x', direction: 'above' }).value).toBe('(max(x) + 0 * sum(clamp(x, -1, 1))) > -Inf');
    expect(gateValue({ expr: 'x', direction: 'below' }).value).toBe('(min(x) + 0 * sum(clamp(x, -1, 1))) < +Inf');
  });

  it.each<[string, Array<[Record<string, string>, number]>, number | undefined, number | undefined]>([
    ['healthy series: the worst', [[x('a'), 1], [x('b'), 3]], undefined, 3],
    ['a NaN series among healthy ones (max would say 3): absent', [[x('a'), 3], [x('b'), NaN]], undefined, undefined],
    ['every series NaN: absent', [[x('a'), NaN]], undefined, undefined],
    ['exactly the expected count: the worst', [[x('a'), 1], [x('b'), 3]], 2, 3],
    ['one series missing: absent', [[x('a'), 1]], 2, undefined],
    ['one series too many: absent', [[x('a'), 1], [x('b'), 1], [x('c'), 1]], 2, undefined],
    ['no series: absent', [], undefined, undefined],
    ['a +Inf series (errors over no traffic): +Inf, past every threshold of an above gate', [[x('a'), 1], [x('b'), Infinity]], undefined, Infinity],
    ['a -Inf series among healthy ones: the worst healthy one', [[x('a'), 1], [x('b'), -Infinity]], undefined, 1],
    ['every series -Inf (the good side of an above gate): absent, not green', [[x('a'), -Infinity]], undefined, undefined],
    ['+Inf and -Inf together: +Inf (the sum guard does not turn them into NaN)', [[x('a'), -Infinity], [x('b'), Infinity]], undefined, Infinity],
  ])('%s', (_name, series, expected, value) => {
    expect(valueOf('max(x)', 'above', series, expected)).toBe(value);
  });

  // The rule-test synthesizer applies the guards to X evaluated once (guardedValue); it must agree
  // with the evaluator on the full expression in every situation the guards are about.
  it.each<[string, 'above' | 'below', number | undefined, Array<[Record<string, string>, number]>]>([
    ['max(x)', 'above', undefined, [[x('a'), 1], [x('b'), 3]]],
    ['max(x)', 'above', undefined, [[x('a'), 3], [x('b'), NaN]]],
    ['max(x)', 'below', 2, [[x('a'), 1], [x('b'), 3]]],
    ['min(x)', 'above', 2, [[x('a'), 1]]],
    ['min(x)', 'below', 2, [[x('a'), 1], [x('b'), 2], [x('c'), 0]]],
    ['x', 'below', undefined, [[x('a'), -Infinity], [x('b'), 2]]],
    ['sum(x)', 'above', undefined, [[x('a'), 1], [x('b'), 2]]],
    ['max(x) / max(x)', 'above', undefined, [[x('a'), 0]]],
    ['max(x)', 'above', undefined, [[x('a'), 1e308], [x('b'), 1e308]]],
    ['max(x)', 'above', 1, []],
    // Infinities: the bad side's is a value (past every threshold), the good side's is none.
    ['max(x)', 'above', undefined, [[x('a'), Infinity], [x('b'), 2]]],
    ['max(x)', 'above', undefined, [[x('a'), -Infinity]]],
    ['max(x)', 'above', undefined, [[x('a'), -Infinity], [x('b'), 2]]],
    ['max(x)', 'above', 2, [[x('a'), Infinity], [x('b'), -Infinity]]],
    ['min(x)', 'below', undefined, [[x('a'), Infinity]]],
    ['min(x)', 'below', undefined, [[x('a'), -Infinity], [x('b'), NaN]]],
    ['x', 'below', undefined, [[x('a'), Infinity], [x('b'), 2]]],
  ])('guardedValue(%s, %s, count %s) equals the expression on %j', (expr, direction, expectedSeries, series) => {
    const gv = gateValue({ expr, direction, ...(expectedSeries !== undefined ? { expectedSeries } : {}) });
    const db = { stepSeconds: 60, series: series.map(([labels, value]): Series => ({ labels, samples: [value] })) };
    const gate = { signal: expr, value: gv.value, inner: gv.inner, aggregation: gv.aggregation, direction, ...(expectedSeries !== undefined ? { expectedSeries } : {}) };
    expect(guardedValue(gate, db, 0)).toBe(evaluateValue(parseAst(gv.value), db, 0));
  });

  it('a NaN result of the signal itself (0/0) is absent too', () => {
    expect(valueOf('max(x) / max(x)', 'above', [[x('a'), 0]])).toBeUndefined();
    expect(valueOf('max(x) / max(x)', 'above', [[x('a'), 2]])).toBe(1);
  });
});
