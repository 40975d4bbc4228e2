import { describe, expect, it } from 'vitest';
import { signalExprValid } from '../../../src/validate/rules/signal-expr-valid';
import { located } from '../../helpers/definitions';

const withExpr = (expr: string) => located((d) => (d.spec.signals!.replicationLag!.expr = expr));

describe(signalExprValid.name, () => {
  it.each([
    'max(pg_replication_lag)',
    'pg_replication_lag',
    'sum by (instance) (rate(pg_stat_database_deadlocks[5m]))',
    'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
    'vector(1)',
    'max_over_time(pg_replication_lag[5m:30s])',
    '-pg_replication_lag',
    '(pg_replication_lag offset 5m)',
    'pg_replication_lag > bool 1',
  ])('accepts the instant vector %s', (expr) => {
    expect(withExpr(expr)).toEqual([]);
  });
  it.each([
    ['max(pg_replication_lag', 'PromQL syntax error'],
    ['pg_replication_lag[5m]', 'it returns a range vector'],
    ['max_over_time(pg_replication_lag[5m:30s])[1m:]', 'it returns a range vector'],
    ['1 + 1', 'it returns a scalar'],
    ['scalar(pg_replication_lag)', 'it returns a scalar'],
    ['time()', 'it returns a scalar'],
    ['"lag"', 'it returns a string'],
    ['sum(', 'PromQL syntax error'],
  ])('rejects %s', (expr, text) => {
    const p = withExpr(expr);
    expect(p).toHaveLength(1);
    expect(p[0]!.check).toBe('signal-expr-valid');
    expect(p[0]!.message).toContain(text);
    expect(p[0]!.text.replace(/^["']|["']$/g, '').startsWith(expr.slice(0, 5).replace(/"/g, '\\"')) || p[0]!.text.includes(expr.slice(0, 5))).toBe(true);
  });
});
