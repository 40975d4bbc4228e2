/**
 * The build-time injection plans of the shipped signal libraries (src/generated/promql-plans.ts,
 * written by scripts/build.mjs): resolve uses them instead of parsing, so they must be exactly
 * what parsing gives, for every shipped signal.
 */
import { describe, expect, it } from 'vitest';
import { PROMQL_PLANS } from '../../src/generated/promql-plans';
import { PRESET_JSON } from '../../src/generated/presets-data';
import { applyInjection, injectMatchersBy, injectionPlan, parsePromql, rangeWindows, selectors } from '../../src/promql/parse';
import { eq, re, type LabelMatcher } from '../../src/promql/matchers';

const shipped = new Set<string>();
for (const group of [PRESET_JSON.presets, PRESET_JSON.engines]) {
  for (const file of Object.values(group).map((text) => JSON.parse(text)) as Array<{ signals?: Record<string, { expr?: unknown }> }>) {
    for (const sig of Object.values(file.signals ?? {})) if (typeof sig.expr === 'string') shipped.add(sig.expr);
  }
}

const picks: Array<[string, (metric: string | undefined) => LabelMatcher[]]> = [
  ['nothing', () => []],
  ['contract metrics get migration_id', (m) => (m?.startsWith('migration_') ? [eq('migration_id', 'orders-x'), re('env', 'prod|staging')] : [])],
  ['every selector gets a target', () => [eq('instance', 'db-1:9187'), eq('job', 'postgres "primary"')]],
];

describe('precomputed PromQL injection plans', () => {
  it('every shipped signal expression has a plan (the shipped library parses)', () => {
    expect(shipped.size).toBeGreaterThan(10);
    expect([...shipped].filter((e) => !PROMQL_PLANS.has(e))).toEqual([]);
  });

  it.each([...PROMQL_PLANS.keys()].map((e) => [e]))('the plan of %s is what parsing gives', (expr) => {
    const parsed = parsePromql(expr);
    expect(PROMQL_PLANS.get(expr)).toEqual(injectionPlan(parsed));
    for (const [, pick] of picks) expect(applyInjection(expr, PROMQL_PLANS.get(expr)!, pick)).toBe(injectMatchersBy(parsed, pick));
  });

  // test-plan.ts signalShape (for rule-test-cost and the synthesizer's packing) reads a planned
  // signal's selectors and windows from its plan, not from the injected expression: injecting
  // must change neither.
  it.each([...PROMQL_PLANS.keys()].map((e) => [e]))('injecting into %s keeps its selectors\' metrics and its windows', (expr) => {
    const plan = PROMQL_PLANS.get(expr)!;
    for (const [, pick] of picks) {
      const injected = parsePromql(applyInjection(expr, plan, pick));
      expect(selectors(injected).map((s) => s.metric)).toEqual(plan.selectors.map((s) => s.metric));
      expect(rangeWindows(injected).map((w) => w.ms)).toEqual(plan.windowsMs);
    }
  });

  it('applyInjection removes comments and keeps same-name matchers the user wrote', () => {
    const text = 'sum(rate(migration_rows_total{migration_id="mine"}[5m])) # comment\n';
    const parsed = parsePromql(text);
    expect(applyInjection(text, injectionPlan(parsed), () => [eq('migration_id', 'x'), eq('env', 'prod')])).toBe('sum(rate(migration_rows_total{env="prod", migration_id="mine"}[5m]))');
  });
});
