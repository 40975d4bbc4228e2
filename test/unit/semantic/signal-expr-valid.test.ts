import { describe, expect, it } from 'vitest';
import { signalExprValid } from '../../../src/validate/rules/signal-expr-valid';
import { loadDefinitionText } from '../../../src/pipeline';
import { readFileSync } from 'node:fs';
import { DESIGN_EXAMPLE, located } from '../../helpers/definitions';

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
    'max(holt_winters(pg_replication_lag[10m], 0.3, 0.3))',
    'pg_replication_lag / pg_replication_lag offset 1h',
  ])('accepts the instant vector %s', (expr) => {
    expect(withExpr(expr)).toEqual([]);
  });

  // [expression, words of the message, the text at the reported column]
  it.each<[string, string, string]>([
    ['max(pg_replication_lag', 'PromQL syntax error: unexpected end of expression', ''],
    ['pg_replication_lag[5m]', 'it returns a range vector', 'pg_replication_lag[5m]'],
    ['max_over_time(pg_replication_lag[5m:30s])[1m:]', 'it returns a range vector', 'max_over_time'],
    ['1 + 1', 'it returns a scalar', '1 + 1'],
    ['scalar(pg_replication_lag)', 'it returns a scalar', 'scalar('],
    ['time()', 'it returns a scalar', 'time()'],
    ['"lag"', 'it returns a string', `'"lag"'`],
    ['max(rate(pg_replication_lag))', 'expected type range vector in call to function "rate", got instant vector', 'pg_replication_lag))'],
    ['sum(rate(pg_xact_commit[5m])[5m])', 'ranges only allowed for vector selectors', '[5m])'],
    ['max(pg_replication_lag) and bool max(pg_replication_lag)', 'bool modifier can only be used on comparison operators', 'and bool'],
    ['max({instance=~".*"})', 'vector selector must contain at least one non-empty matcher', '{instance=~".*"})'],
    ['sort_by_label(pg_replication_lag, "instance")', 'unknown function with name "sort_by_label"', 'sort_by_label('],
    ['pg_replication_lag > 1_000', 'bad number or duration syntax: "1"', '1_000'],
    ['pg_replication_lag @ 1e20', 'timestamp out of bounds for @ modifier', '1e20'],
    ['rate(pg_xact_commit[5m]) offset 1m', 'offset modifier must be preceded by an instant vector selector', 'rate('],
    ['max(pg_replication_lag, 2)', 'wrong number of arguments for aggregate expression provided, expected 1, got 2', 'max('],
  ])('refuses %s at the character Prometheus points at', (expr, words, at) => {
    const p = withExpr(expr);
    expect(p).toHaveLength(1);
    expect(p[0]!.check).toBe('signal-expr-valid');
    expect(p[0]!.message).toContain(words);
    expect(p[0]!.text.startsWith(at), `reported at: ${p[0]!.text}`).toBe(true);
  });

  it('locates inside a block scalar, a double-quoted and a single-quoted expr', () => {
    const base = readFileSync(DESIGN_EXAMPLE, 'utf8');
    const signal = "    replicationLag: {expr: 'max(pg_replication_lag{instance=\"db1:9187\"})', unit: s}";
    expect(base).toContain(signal);
    const line = base.split('\n').indexOf(signal) + 1;
    // [expr as written, line of `pg_replication_lag` in `rate(...)` relative to the signal's, its column]
    const variants: Array<[string, number, number]> = [
      ['expr: |\n        max(\n          rate(pg_replication_lag)\n        )', 3, 16],
      ['expr: "max(x{a=\\"\\\\\\\\d\\"} + rate(pg_replication_lag))"', 1, 40],
      ["expr: 'max(x{a=''b''} + rate(pg_replication_lag))'", 1, 36],
      ['expr: max(rate(pg_replication_lag))', 1, 22],
    ];
    for (const [yaml, dl, col] of variants) {
      const r = loadDefinitionText('def.yaml', base.replace(signal, `    replicationLag:\n      ${yaml}\n      unit: s`));
      expect(r.diagnostics.map((d) => [d.check, d.line - line, d.column]), yaml).toEqual([['signal-expr-valid', dl, col]]);
    }
  });
});
