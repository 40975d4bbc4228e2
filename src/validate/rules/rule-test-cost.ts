import type { Diagnostic } from '../../diagnostics';
import { testCost, gateCaseSteps, gateTimeline, packMetrics, phaseKeyOf, signalShape, type SignalShape, type TestCost, type TestCostGate } from '../../generate/rules/test-plan';
import type { ResolvedGate, ResolvedMigration } from '../../model/types';
import { forSource } from '../../lint/locate';
import { errorAt, type SemanticRule } from '../rule';
import { durationsSane } from './durations-sane';
import { gateCount } from './gate-count';

/**
 * promtool evaluates every rule of the file at every one-minute step of every test group. The gate
 * cases are packed (test-plan.ts packGates: one group per case slot for all gates that read
 * disjoint metrics), so the work is (groups x steps) x (rules per gate x gates), linear in the
 * gates for the usual definition. Measured with promtool 2.42: about 80 us of CPU per rule
 * evaluation on an idle 2-core machine, 0.25 to 0.4 ms on a heavily loaded one; the budget keeps
 * `promtool test rules` around a minute idle (a few minutes loaded). The shipped examples need
 * 25,000 to 62,000; the example with 100 gates about 650,000. test/e2e/rule-test-budget.test.ts
 * runs the largest accepted definition through promtool.
 */
export const MAX_RULE_TEST_COST = 750_000;
/** Selectors in one gate's signal: each is synthesised for every generated case. */
export const MAX_SIGNAL_SELECTORS = 20;

// Thousands separators by hand: the first toLocaleString of a process loads ICU's locale data,
// which cost ~30 ms of every `migobs validate` because the rule's doc calls it at load time.
const fmt = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** What the cost estimate needs of one gate (the synthesizer packs and times its cases from the same). */
function costGateOf(m: ResolvedMigration, g: ResolvedGate, shape: SignalShape): TestCostGate {
  const expected = m.signals[g.signal]!.expectedSeries;
  const metrics = packMetrics(shape.metrics);
  return {
    id: g.id,
    windowMs: shape.windowsMs,
    pauseForSeconds: g.pauseForSeconds,
    rollbackForSeconds: g.rollbackForSeconds,
    selectors: shape.metrics.length,
    ...(expected !== undefined ? { expectedSeries: expected } : {}),
    phaseKey: phaseKeyOf(g.phases, m.phases.map((p) => p.id)),
    ...(metrics ? { metrics } : {}),
  };
}

/** The estimate for a valid migration (tests and benchmarks). */
export const ruleTestCostOf = (m: ResolvedMigration, opts: { settledAtOnce?: boolean } = {}): TestCost =>
  testCost(m.gates.map((g) => costGateOf(m, g, signalShape(m.signals[g.signal]!)!)), m.stalledAfterSeconds, m.scrapeIntervalSeconds, opts);

export const ruleTestCost: SemanticRule = {
  name: 'rule-test-cost',
  doc: `The generated promtool tests stay cheap enough to run in minutes: a gate's signal has at most ${MAX_SIGNAL_SELECTORS} selectors, and gates x cases x steps x rules stays within ${fmt(MAX_RULE_TEST_COST)} evaluations (long for/rollbackFor/stalledAfter and many gates cost most).`,
  check(ctx) {
    const m = ctx.model;
    // A duration out of range, or more gates than gate-count allows, is reported once, there.
    if (durationsSane.check(ctx).length || gateCount.check(ctx).length) return [];
    const out: Diagnostic[] = [];
    const gates: TestCostGate[] = [];
    const seen = new Set<string>();
    for (const g of m.gates) {
      const sig = m.signals[g.signal];
      if (!sig) return []; // gate-signal-exists reports it
      const shape = signalShape(sig);
      if (!shape) return []; // signal-expr-valid reports it
      const gate = costGateOf(m, g, shape);
      if (gate.selectors > MAX_SIGNAL_SELECTORS && !seen.has(sig.name)) {
        seen.add(sig.name);
        const own = ctx.def.spec.signals?.[sig.name] !== undefined;
        out.push(
          errorAt(ctx, this.name, own ? ['spec', 'signals', sig.name, 'expr'] : ['spec', 'type'], `signal \`${sig.name}\` reads ${gate.selectors} series selectors; a gate's signal may read at most ${MAX_SIGNAL_SELECTORS} (the rule-test generator synthesises input series for each one)`, 'record the combination with a Prometheus recording rule of your own and read that one series here, or split the signal across gates'),
        );
      }
      gates.push(gate);
    }
    if (out.length) return out;
    const cost = testCost(gates, m.stalledAfterSeconds, m.scrapeIntervalSeconds);
    if (cost.total <= MAX_RULE_TEST_COST) return [];

    const need = `the generated rule tests need about ${fmt(cost.total)} rule evaluations (${fmt(cost.steps)} test steps x ${fmt(cost.perStep)} per step), more than the limit of ${fmt(MAX_RULE_TEST_COST)} that keeps \`promtool test rules\` within minutes`;
    // Blame what costs most: one gate's long cases, or the number of gates. (The stalled-alert
    // cases no longer grow with stalledAfter: test-plan.ts stallTimeline.)
    let worst: { gate: TestCostGate; steps: number } | undefined;
    for (const g of gates) {
      const s = gateCaseSteps(gateTimeline(g.windowMs, g.pauseForSeconds, g.rollbackForSeconds)).reduce((a, b) => a + b, 0);
      if (!worst || s > worst.steps) worst = { gate: g, steps: s };
    }
    if (worst && worst.steps >= cost.steps / 2) {
      const g = m.gates.find((x) => x.id === worst!.gate.id)!;
      const t = gateTimeline(worst.gate.windowMs, g.pauseForSeconds, g.rollbackForSeconds);
      const caseSteps = Math.max(...gateCaseSteps(t));
      const longest = `each of its rule-test cases up to ${fmt(caseSteps)} one-minute steps long`;
      if (t.windowSteps * 60 >= Math.max(g.pauseForSeconds, g.rollbackForSeconds)) {
        const own = ctx.def.spec.signals?.[g.signal] !== undefined;
        return [
          errorAt(ctx, this.name, own ? ['spec', 'signals', g.signal, 'expr'] : ['spec', 'type'], `gate \`${g.id}\`: the ${fmt(t.windowSteps)}-minute range window of signal \`${g.signal}\` makes ${longest}: ${need}`, 'use a shorter range window (the tests first fill every window with data) or fewer gates; see docs/definition.md#limits'),
        ];
      }
      const field = g.rollbackForSeconds > g.pauseForSeconds ? 'rollbackFor' : 'for';
      const src = forSource(ctx, g.id, field);
      const text = field === 'for' ? g.pauseFor : g.rollbackFor;
      return [
        errorAt(ctx, this.name, src.path, `gate \`${g.id}\`: ${field} ${text}${src.note} makes ${longest}: ${need}`, 'a gate that waits many hours before it pauses or rolls back acts too late anyway: use a shorter hold, or fewer gates; see docs/definition.md#limits'),
      ];
    }
    return [
      errorAt(ctx, this.name, ['spec', 'gates'], `${m.gates.length} enabled gates (the ${m.type} preset's included): every step of every test group evaluates the rules of every gate, so ${need}${cost.longest ? `; the longest cases: gate \`${cost.longest.id}\`, ${fmt(cost.longest.steps)} one-minute steps` : ''}`, 'disable gates nobody acts on (`enabled: false`), shorten the longest for/rollbackFor, or split the migration into several definitions; see docs/definition.md#limits', 'key'),
    ];
  },
};
