import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine, MigrationDefinition, MigrationType } from '../../../src/definition/types';
import { META } from '../../../src/generate/rules/rules';
import { ETA_OVERRUN_FOR_SECONDS, METRICS_ABSENT_FOR_SECONDS } from '../../../src/generate/rules/test-plan';
import { buildRuleTests } from '../../../src/generate/rules/tests';
import type { ResolvedMigration } from '../../../src/model/types';
import { loadDefinitions } from '../../../src/pipeline';
import { parseDurationSeconds } from '../../../src/util/duration';
import { MAX_RULE_TEST_COST, MAX_SIGNAL_SELECTORS, ruleTestCost, ruleTestCostOf } from '../../../src/validate/rules/rule-test-cost';
import { check, located } from '../../helpers/definitions';

const costOf = ruleTestCostOf;

/** What promtool evaluates: every test group at each step from 0 to its last eval_time. */
const actualSteps = (m: ResolvedMigration): number =>
  buildRuleTests(m).file.tests.reduce((a, t) => a + 1 + Math.max(...[...(t.alert_rule_test ?? []), ...(t.promql_expr_test ?? [])].map((e) => parseInt(e.eval_time, 10))), 0);

const addGates = (n: number, extra: Partial<MigrationDefinition['spec']['gates'] extends Array<infer G> | undefined ? G : never> = {}) => (d: MigrationDefinition) => {
  for (let i = 0; i < n; i++) d.spec.gates!.push({ id: `extra-${i}`, signal: 'replicationLag', pause: 1, rollback: 2, ...extra });
};

/** `n` more gates, each on a signal of its own: their cases share test groups with the others' (packGates), their rules add to every step. */
const ownGates = (n: number) => (d: MigrationDefinition) => {
  for (let i = 0; i < n; i++) {
    d.spec.signals![`own${i}`] = { expr: `max(own_metric_${i})`, unit: 'short' };
    d.spec.gates!.push({ id: `own-${i}`, signal: `own${i}`, pause: 1, rollback: 2 });
  }
};

describe(ruleTestCost.name, () => {
  it('estimates from the numbers the synthesizer uses: within 10 % of the steps promtool runs', () => {
    const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
    const models = [
      ...loadDefinitions(readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).map((f) => join(EXAMPLES, f))).migrations.map((m) => m.model),
      check((d) => Object.assign(d.spec.gates![0]!, { for: '1h', rollbackFor: '2h' })).migrations[0]!.model,
      check((d) => (d.spec.signals!.replicationLag!.expr = 'max(rate(pg_stat_database_xact_commit[1h]))')).migrations[0]!.model,
      check((d) => (d.spec.stalledAfter = '4h')).migrations[0]!.model,
    ];
    expect(models).toHaveLength(9);
    for (const m of models) {
      expect(buildRuleTests(m).skipped, `${m.id}: every case is generated, so the estimate can be tight`).toEqual([]);
      const estimate = costOf(m).steps;
      const earliest = costOf(m, { settledAtOnce: true }).steps;
      const actual = actualSteps(m);
      // The gate cases are counted exactly, between full windows (the estimate validation uses)
      // and every class's phase starting at step 1 (where the values settle at once); the guard
      // and lifecycle cases are approximated, so within 10 % either way (the limit itself leaves a
      // factor of 2).
      expect(actual, m.id).toBeLessThanOrEqual(1.1 * estimate);
      expect(actual, m.id).toBeGreaterThanOrEqual(0.9 * earliest);
    }
  });

  it("test-plan's hold constants are the alerts' own", () => {
    expect(parseDurationSeconds(META.etaOverrunFor)).toBe(ETA_OVERRUN_FOR_SECONDS);
    expect(parseDurationSeconds(META.metricsAbsentFor)).toBe(METRICS_ABSENT_FOR_SECONDS);
  });

  it("refuses the report's case (100 gates, for 1d, 40 metrics per signal) at the signal, naming the limit", () => {
    const metrics = Array.from({ length: 40 }, (_, i) => `pg_metric_${i}`).join(' or ');
    const p = located((d) => {
      d.spec.signals!.wide = { expr: `max(${metrics})`, unit: 'short' };
      addGates(92, { signal: 'wide', for: '1d' })(d);
    }).filter((x) => x.check === 'rule-test-cost');
    expect(p.map((x) => x.message)).toEqual([`signal \`wide\` reads 40 series selectors; a gate's signal may read at most ${MAX_SIGNAL_SELECTORS} (the rule-test generator synthesises input series for each one)`]);
    expect(p[0]!.text.startsWith('max(pg_metric_0')).toBe(true);
  });

  it('many gates with a long hold: refused at spec.gates, naming the budget and the longest case', () => {
    const p = located(addGates(92, { for: '1d' })).filter((x) => x.check === 'rule-test-cost');
    expect(p).toHaveLength(1);
    expect(p[0]!.text).toBe('gates:');
    expect(p[0]!.message).toMatch(/^100 enabled gates \(the backfill preset's included\): every step of every test group evaluates the rules of every gate, so the generated rule tests need about [\d,]+ rule evaluations \([\d,]+ test steps x [\d,.]+ per step\), more than the limit of 750,000 that keeps `promtool test rules` within minutes; the longest cases: gate `extra-0`, [\d,]+ one-minute steps$/);
  });

  it.each<[string, (d: MigrationDefinition) => void, string, RegExp]>([
    ['one gate held a day', (d) => ((d.spec.gates![0]!.for = '1d'), ownGates(40)(d)), '1d', /^gate `replication-lag`: for 1d makes each of its rule-test cases up to 1,445 one-minute steps long: the generated rule tests need about [\d,]+ rule evaluations/],
    ['a rollbackFor of 20h', (d) => ((d.spec.gates![0]!.rollbackFor = '20h'), ownGates(75)(d)), '20h', /^gate `replication-lag`: rollbackFor 20h makes each of its rule-test cases up to/],
    ['a 1d range window', (d) => ((d.spec.signals!.replicationLag!.expr = 'max(max_over_time(pg_replication_lag[1d]))'), ownGates(40)(d)), 'max(max_over_time', /^gate `replication-lag`: the 1,440-minute range window of signal `replicationLag` makes each of its rule-test cases up to/],
  ])('%s: refused at the field that makes the tests long', (_name, patch, at, message) => {
    const p = located(patch).filter((x) => x.check === 'rule-test-cost');
    expect(p).toHaveLength(1);
    expect(p[0]!.text.startsWith(at), p[0]!.text).toBe(true);
    expect(p[0]!.message).toMatch(message);
  });

  it('a stalledAfter of days costs no more test steps than one of minutes (the last progress is put before the test starts)', () => {
    expect(located((d) => (d.spec.stalledAfter = '7d')).filter((x) => x.check === 'rule-test-cost')).toEqual([]);
  });

  it(`accepts ${MAX_SIGNAL_SELECTORS} selectors in a signal, refuses ${MAX_SIGNAL_SELECTORS + 1}`, () => {
    const sig = (n: number) => (d: MigrationDefinition) => (d.spec.signals!.replicationLag!.expr = `max(${Array.from({ length: n }, (_, i) => `m_${i}`).join(' or ')})`);
    expect(located(sig(MAX_SIGNAL_SELECTORS))).toEqual([]);
    expect(located(sig(MAX_SIGNAL_SELECTORS + 1)).map((x) => x.check)).toEqual(['rule-test-cost']);
  });

  it('every preset, for every engine, as `migobs init` starts it, is well within the budget', () => {
    for (const type of ['schema-only', 'backfill', 'online-rewrite', 'cutover', 'dual-write', 'reindex'] as MigrationType[]) {
      for (const engine of ['postgres', 'mysql', 'generic'] as Engine[]) {
        const r = check((d) => {
          d.spec = { type, engine, targets: engine === 'generic' ? { hosts: 'fleet', app: 'fleet' } : { database: 'fleet', replicas: 'fleet', hosts: 'fleet', app: 'fleet' } };
        });
        expect(r.diagnostics, `${type} ${engine}`).toEqual([]);
        expect(costOf(r.migrations[0]!.model).total, `${type} ${engine}`).toBeLessThan(MAX_RULE_TEST_COST / 2);
      }
    }
  });
});
