/**
 * prometheus/tests/<id>.test.yaml: promtool unit tests, generated from the model, run against the real rules file.
 *
 * Per gate, in its own direction: just green of pause, just past pause (held past `for`, and
 * not yet), just past rollback (held past `for`, and not yet), exactly at each threshold (pins
 * the strict comparison), signal absent, outside the gate's phases, and recovery. Plus the
 * stalled, ETA-overrun and metrics-absent alerts, and the lifecycle cases (lifecycle-tests.ts). Each case feeds the signal's raw metrics
 * (synthesized by test-inputs.ts) and switches `migration_phase` into a gate phase only once the
 * signal's value has settled (at the latest once its rate windows are full), so `for` is counted
 * from a known step. A case that shows "no alert" checks that nothing is even pending.
 */
import type { ResolvedGate, ResolvedMigration } from '../../model/types';
import { eq, selector, type LabelMatcher } from '../../promql/matchers';
import { parseDurationSeconds } from '../../util/duration';
import { ALERT, FILES, GATE_STATE, RECORD, groupName, relativeLink, type GateAction, type GateStateName } from '../names';
import { expandTemplate } from './go-template';
import { astMetrics, parseAst, Unsupported } from './promql-ast';
import type { Db, Series } from './promql-eval';
import { progressPhases, promNumber } from './promql';
import { buildRules, gateThreshold, type AlertingRule, type RulesFile } from './rules';
import { gateValueOf as gateValueParts } from '../../promql/gate-value';
import { addMember, dropMember, forgetSharedGateValues, gateValue, gateValueOf, innerSeries, labelsFor, nanMember, synthesizeSignal, type Check, type GateInput, type Synthesized, type Timeline } from './test-inputs';
import { forgetSharedLifecycles, lifecycleSteps, lifecycleTests, scheduleFeed } from './lifecycle-tests';
import { GATE_SLOTS, gateTimeline, packGates, packMetrics, phaseKeyOf, signalShape, stallTimeline, STEP, STEP_SECONDS, steps, type GateSlot, type GateTimeline } from './test-plan';
import { boundedCache, boundedMemo } from '../../util/memo';
import { originalSeries, renameKey, renamedFrom, seriesForId, textForId } from './own-id';

export { STEP, STEP_SECONDS, steps };

export interface InputSeries {
  series: string;
  values: string;
}
export interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
export interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
export interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: Array<{ labels: string; value: number }>;
}
export interface TestGroup {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test?: AlertTest[];
  promql_expr_test?: ExprTest[];
}
export interface RulesTestFile {
  rule_files: string[];
  evaluation_interval: string;
  group_eval_order: string[];
  tests: TestGroup[];
}

export interface RuleTests {
  file: RulesTestFile;
  /** YAML comment lines naming the cases that could not be built, and why (empty if none). */
  notes: string;
  skipped: Array<{ gate?: string; test: string; reason: string }>;
}

export const evalTime = (step: number): string => `${step}m`;

/** `ALERTS{alertname, migration_id[, gate]}`: one alert's series, pending or firing. */
export const alertsOf = (m: ResolvedMigration, alertname: string, gate?: string): string =>
  selector('ALERTS', [eq('alertname', alertname), eq('migration_id', m.id), ...(gate === undefined ? [] : [eq('gate', gate)])]);

/** A check that the alert is neither pending nor firing at `step`. */
export const notPendingAt = (m: ResolvedMigration, alertname: string, step: number, gate?: string): ExprTest => ({ expr: alertsOf(m, alertname, gate), eval_time: evalTime(step), exp_samples: [] });

/** Values in promtool's series notation, runs compressed exactly as promtool expands them. */
export function seriesValues(samples: Timeline): string {
  const out: string[] = [];
  let i = 0;
  while (i < samples.length) {
    const v = samples[i];
    if (Number.isNaN(v)) {
      // promtool reads `NaN` as a value, but not in a run (`NaNx3` is one unknown word).
      out.push('NaN');
      i++;
      continue;
    }
    if (v === undefined) {
      let j = i;
      while (j < samples.length && samples[j] === undefined) j++;
      out.push(j - i === 1 ? '_' : `_x${j - i}`);
      i = j;
      continue;
    }
    // Longest run that promtool's `a+bxN` (repeated float addition) reproduces exactly.
    let j = i + 1;
    const next = samples[i + 1];
    if (next !== undefined) {
      const b = next - v;
      let acc = v;
      while (j < samples.length && samples[j] !== undefined && acc + b === samples[j]) {
        acc += b;
        j++;
      }
      const n = j - i - 1;
      if (n >= 1) {
        out.push(b === 0 ? `${promNumber(v)}x${n}` : `${promNumber(v)}${b < 0 ? '-' : '+'}${promNumber(Math.abs(b))}x${n}`);
        i = j;
        continue;
      }
    }
    out.push(promNumber(v));
    i++;
  }
  return out.join(' ');
}

/** The label string promtool prints for a sample, e.g. `name{a="b"}` with sorted labels. */
export function sampleLabels(metric: string, labels: Record<string, string>): string {
  return selector(metric, Object.keys(labels).sort().map((k): LabelMatcher => ({ name: k, op: '=', value: labels[k]! })));
}

export function inputSeries(s: Series, length: number): InputSeries {
  const { __name__: name, ...rest } = s.labels;
  const samples = Array.from({ length }, (_, i) => s.samples[i]);
  return { series: sampleLabels(name!, rest), values: seriesValues(samples) };
}

interface GateCaseSpec {
  name: string;
  /** Target gate value per step (undefined = no data). */
  targets: Timeline;
  /** Exact gate value required at every check (the at-threshold cases). */
  exact?: number;
  phase: string;
  /**
   * The checks: the gate state, the alerts firing, and the alerts not even pending (`quiet`): an
   * alert whose condition does not hold while the value is held cannot fire later, so a case that
   * shows "no alert" needs no steps beyond its phase's start.
   */
  evals: Array<{ step: number; state: GateStateName; firing: Array<GateAction | 'absent'>; quiet?: GateAction[] }>;
  /** Tried when this case cannot be built (e.g. "just green" of a 0 threshold on a ratio that cannot go negative). */
  fallback?: GateCaseSpec;
  /**
   * A guard case: inputs built green (every target value healthy), then one member changed so
   * that only the gate value's guards stand between them and green: a member's series turned
   * NaN, a member dropped, or one member too many.
   */
  guard?: { kind: 'nan' | 'drop' | 'extra'; members: number };
}

/** What the gate reads and the value the recording rule computes from it (src/promql/gate-value.ts). */
const inputCache = new WeakMap<ResolvedGate, GateInput>();
function gateInput(m: ResolvedMigration, g: ResolvedGate): GateInput {
  // A gate belongs to one model; every group's simulation asks for it again.
  let input = inputCache.get(g);
  if (!input) {
    const v = gateValueParts(m, g);
    input = { signal: m.signals[g.signal]!.expr, value: v.value, inner: v.inner, aggregation: v.aggregation, direction: g.direction, ...(v.expectedSeries !== undefined ? { expectedSeries: v.expectedSeries } : {}) };
    // A gate on the migration's own metrics, keyed without its id (own-id.ts): its cases and values are shared.
    const key = renameKey(input, m.id);
    if (key !== undefined) input = { ...input, renameKey: key };
    inputCache.set(g, input);
  }
  return input;
}

export function buildRuleTests(m: ResolvedMigration, rules: RulesFile = buildRules(m)): RuleTests {
  const alerts = rules.groups[1].rules;
  const skipped: RuleTests['skipped'] = [];
  const tests: TestGroup[] = [];
  tests.push(...gateTests(m, alerts, skipped));
  tests.push(...metaTests(m, alerts));
  tests.push(...lifecycleTests(m, alerts));
  const notes = skipped.length
    ? ['', '# Cases not generated (the signal shape is outside what the test-input synthesizer can build):', ...skipped.map((s) => `#   ${s.gate ? `gate ${s.gate}, ` : ''}${s.test}: ${s.reason.replace(/[\r\n]+/g, ' ')}`), ''].join('\n')
    : '';
  return {
    file: {
      // promtool resolves rule_files relative to the test file: ../rules/<id>.yaml.
      rule_files: [relativeLink(FILES.rulesTest(m.id), FILES.rules(m.id))],
      evaluation_interval: STEP,
      // promtool evaluates groups in map order unless told: recording rules first, like one Prometheus eval cycle.
      group_eval_order: [groupName(m.id, 'recording'), groupName(m.id, 'alerts')],
      tests,
    },
    notes,
    skipped,
  };
}

// Gate cases -------------------------------------------------------------------------------

/** A gate's case whose inputs were built: its signal's series, for the group it runs in. */
interface BuiltCase {
  g: ResolvedGate;
  spec: GateCaseSpec;
  series: Series[];
  /**
   * The first step from which the gate value stays in the state of the case's first check until
   * its targets first change: the case means what it says (an alert's `for` counted from the
   * phase's start) only if its phase starts no earlier.
   */
  settled: number;
  /**
   * A recovery case's inputs before recoveredEarly cut them, and the steps after which their
   * increments repeat: gateGroup continues them to the group's end, so the gate stays green
   * instead of going absent (an absent signal's alert would be active at every later step, and
   * promtool expands every active alert's annotations at every step).
   */
  tail?: { series: Series[]; period: number };
}

/**
 * Every gate's cases, packed: gates that read disjoint metrics and run in the same phases form a
 * class (test-plan.ts packGates), and the cases of one slot (just past pause, absent, ...) of every
 * gate of a class run in one test group. promtool evaluates every rule at every step of every
 * group, so this keeps its work linear in the gates. Each gate's inputs only move its own value;
 * every gate's alerts are simulated on the group's inputs, and the expectations come from that.
 */
function gateTests(m: ResolvedMigration, alerts: AlertingRule[], skipped: RuleTests['skipped']): TestGroup[] {
  const phaseIds = m.phases.map((p) => p.id);
  const plans: GatePlan[] = m.gates.map((g) => {
    // The same shape rule-test-cost estimated from (a generated migration passed validation, so it parses).
    const shape = signalShape(m.signals[g.signal]!)!;
    const metrics = packMetrics(shape.metrics);
    return { id: g.id, g, windowMs: shape.windowsMs, phaseKey: phaseKeyOf(g.phases, phaseIds), ...(metrics ? { metrics } : {}) };
  });
  // `covered`: gate and phase pairs whose absent-signal alert an earlier case listed in full.
  let covered = new Set<string>();
  const out: TestGroup[] = [];
  for (const cls of packGates(plans)) {
    // The phase begins once every rate window of the class is full (test-plan.ts: validation
    // estimates the cost from the same numbers), unless the gates with windows settle earlier.
    const fullStart = gateTimeline(cls.flatMap((p) => p.windowMs), 0, 0).start;
    const early = fullStart > 1 ? earlyStart(m, cls, fullStart) : undefined;
    const built = (early && classGroups(m, alerts, cls, early.start, early.cases, covered, true)) || classGroups(m, alerts, cls, fullStart, new Map(), covered, false)!;
    for (const c of built.cases) skipped.push(...c.skipped);
    out.push(...built.groups);
    covered = built.covered;
  }
  return out;
}

interface GatePlan {
  id: string;
  g: ResolvedGate;
  windowMs: number[];
  phaseKey: string;
  metrics?: string[];
}

/** One gate's cases, by slot (gateCases). */
interface GateCases {
  built: Map<GateSlot, BuiltCase>;
  /** Per slot, which spec of its fallback chain was built (0: the first; Infinity: none). */
  rank: Map<GateSlot, number>;
  skipped: RuleTests['skipped'];
}

/** A gate's timeline with its class's phase starting at `start`; its recovery outwaits its own windows. */
const timelineAt = (start: number, p: GatePlan): GateTimeline => gateTimeline([(start - 1) * STEP_SECONDS * 1000], p.g.pauseForSeconds, p.g.rollbackForSeconds, p.windowMs);

/** The latest step a case of these gates settled at (BuiltCase.settled); absent-signal cases have no inputs. */
const settledOf = (cases: Iterable<GateCases>): number => Math.max(0, ...[...cases].flatMap((c) => [...c.built].filter(([slot]) => slot !== 'absent').map(([, b]) => b.settled)));

/**
 * An earlier start for a class's phase than "every window full", with the cases of its gates that
 * have windows built for it. Full windows are often not needed: a ratio of two rates over the
 * same window is exact from its second sample, and an increase() built of one jump per window
 * from step 1 (test-inputs.ts). So the gates with windows are built with the phase starting at
 * step 1, then from the latest step their gate values settled at, until every case settled by its
 * start. That start is kept only if no case needed a weaker fallback (or was skipped) where full
 * windows build a stronger one. promtool evaluates every rule at every step, so a 1h window costs
 * 60 steps in every group of its class; gates without windows are built once, for the start found.
 */
function earlyStart(m: ResolvedMigration, cls: readonly GatePlan[], fullStart: number): { start: number; cases: Map<ResolvedGate, GateCases> } | undefined {
  const windowed = cls.filter((p) => gateTimeline(p.windowMs, 0, 0).start > 1);
  // Whether full windows build a stronger spec of a slot's fallback chain than rank `r`, asked only
  // where an early start fell back (specs of rank r or weaker are not built: only the answer counts).
  const strongerWithFull = new Map<string, boolean>();
  const fullBuildsStronger = (p: GatePlan, slot: GateSlot, r: number): boolean => {
    const key = `${p.id}\u0000${slot}\u0000${r}`;
    if (!strongerWithFull.has(key)) strongerWithFull.set(key, (gateCases(m, p.g, timelineAt(fullStart, p), new Set([slot]), r).rank.get(slot) ?? Infinity) < r);
    return strongerWithFull.get(key)!;
  };
  for (let start = 1, tries = 0; start < fullStart && tries < 5; tries++) {
    const cases = new Map(windowed.map((p) => [p.g, gateCases(m, p.g, timelineAt(start, p))] as const));
    const settled = settledOf(cases.values());
    if (settled > start) {
      // Rounding can keep a value off its target at one more step: double the start at least.
      start = Math.max(settled, 2 * start);
      continue;
    }
    const worse = windowed.some((p) => {
      const early = cases.get(p.g)!;
      return [...early.rank].some(([slot, r]) => r > 0 && fullBuildsStronger(p, slot, r));
    });
    if (!worse) return { start, cases };
    start *= 2; // a case that needs more of its window: try a later start
  }
  return undefined;
}

/**
 * The groups of one class of packed gates, their phase starting at step `start` (the absent-signal
 * cases, with no inputs, at once); `ready` holds cases already built for that start. A `trial`
 * build returns undefined instead of failing when the simulated alerts disagree with a case's
 * intent, or a case has not settled by `start`.
 */
function classGroups(
  m: ResolvedMigration,
  alerts: AlertingRule[],
  cls: readonly GatePlan[],
  start: number,
  ready: Map<ResolvedGate, GateCases>,
  coveredBefore: Set<string>,
  trial: boolean,
): { groups: TestGroup[]; cases: GateCases[]; covered: Set<string> } | undefined {
  const cases = cls.map((p) => ready.get(p.g) ?? gateCases(m, p.g, timelineAt(start, p)));
  if (trial && settledOf(cases) > start) return undefined;
  const covered = new Set(coveredBefore);
  const groups: TestGroup[] = [];
  try {
    for (const slot of GATE_SLOTS) {
      const members = cases.flatMap((c) => c.built.get(slot) ?? []);
      if (members.length) groups.push(gateGroup(m, alerts, members, slot === 'absent' ? 1 : start, covered));
    }
  } catch (e) {
    if (trial && e instanceof CaseMismatch) return undefined;
    throw e;
  }
  return { groups, cases, covered };
}

/** The simulated alerts of a built case disagree with what the case means to show. */
class CaseMismatch extends Error {}

/**
 * One gate's cases, by slot, with their inputs built (a case that cannot be built is noted in
 * `skipped`). `only`: just these slots. `below`: only specs of a rank below it are tried, for a
 * caller that asks whether a stronger spec than one it has builds (a slot with none stays at rank
 * Infinity).
 *
 * Built once per run for each distinct gate (casesBuilt): every migration on one database has the
 * same replication-lag gate, and a platform team's definitions share their presets' gates, so a
 * bulk run would synthesise the same inputs hundreds of times. The cases are a pure function of
 * what caseKey lists; what they hold is never changed once built, so one copy serves every
 * migration, each with its own gate object (and, for a gate on the migration's own metrics, its own
 * id: own-id.ts).
 */
function gateCases(m: ResolvedMigration, g: ResolvedGate, timeline: GateTimeline, only?: ReadonlySet<GateSlot>, below = Infinity): GateCases {
  const input = gateInput(m, g);
  const key = caseKey(m, g, input, timeline, only, below);
  let known = casesBuilt.get(key);
  sharedCases[known ? 'reused' : 'built']++;
  if (!known) casesBuilt.set(key, (known = { cases: buildGateCases(m, g, input, timeline, only, below), id: m.id }));
  // A gate on the migration's own metrics (keyed without its id) gets its own id in the shared cases.
  return casesFor(known.cases, g, input.renameKey !== undefined && known.id !== m.id ? { from: known.id, to: m.id } : undefined);
}

/** Shared cases for gate `g`; `rename`: built for another migration (own-id.ts), its id in place of that one's. */
function casesFor(cases: GateCases, g: ResolvedGate, rename?: { from: string; to: string }): GateCases {
  const built = new Map<GateSlot, BuiltCase>();
  for (const [slot, b] of cases.built) {
    if (!rename) built.set(slot, { ...b, g });
    else {
      const series = (list: Series[]): Series[] => seriesForId(list, rename.from, rename.to);
      built.set(slot, { ...b, g, series: series(b.series), ...(b.tail ? { tail: { ...b.tail, series: series(b.tail.series) } } : {}) });
    }
  }
  const skipped = rename ? cases.skipped.map((s) => ({ ...s, reason: textForId(s.reason, rename.from, rename.to) })) : [...cases.skipped];
  return { built, rank: new Map(cases.rank), skipped };
}

/**
 * Gate cases built in this run, by caseKey, with the id of the migration they were built for: the
 * 64 used last (a migration asks for about 15, the shared ones again in every migration), so memory
 * does not grow with the number of definitions.
 */
const casesBuilt = boundedCache<{ cases: GateCases; id: string }>(64);
/** How often gateCases built and reused cases (read by the tests that prove sharing is exact). */
export const sharedCases = { built: 0, reused: 0 };

/**
 * Everything buildGateCases reads: the gate's value expression and guards (gateInput), its
 * thresholds, `for`, direction, id (in the notes of skipped cases) and phases, the migration's
 * phases (the out-of-phase case), the timeline and the slot choice. A field read there and not
 * listed here would let two gates share cases they should not: test/unit/rule-test-sharing.test.ts
 * generates migrations that differ in each of these and compares with a run that shares nothing.
 */
function caseKey(m: ResolvedMigration, g: ResolvedGate, gate: GateInput, timeline: GateTimeline, only: ReadonlySet<GateSlot> | undefined, below: number): string {
  return JSON.stringify([
    // A gate on the migration's own metrics: its expressions without the id (own-id.ts renameKey).
    [gate.renameKey ?? [gate.signal, gate.value, gate.inner], gate.aggregation, gate.direction, gate.expectedSeries ?? null],
    // (the direction is the gate input's)
    [g.id, g.pause, g.rollback, g.pauseFor, g.rollbackFor, g.pauseForSeconds, g.rollbackForSeconds, g.phases],
    m.phases.map((p) => p.id),
    timeline,
    only ? [...only] : null,
    below === Infinity ? 'all' : below,
  ]);
}

/** Forget every gate case built so far, the gate values and lifecycles shared with them (tests compare a run that shares nothing). */
export function forgetSharedCases(): void {
  casesBuilt.clear();
  forgetSharedGateValues();
  forgetSharedLifecycles();
}

function buildGateCases(m: ResolvedMigration, g: ResolvedGate, gate: GateInput, timeline: GateTimeline, only?: ReadonlySet<GateSlot>, below = Infinity): GateCases {
  const skipped: RuleTests['skipped'] = [];
  const { start, fire, late, recoverFrom, recovered } = timeline;
  const bare = gateTimeline([], g.pauseForSeconds, g.rollbackForSeconds);
  const sign = g.direction === 'above' ? 1 : -1;
  const past = (v: number, th: number): boolean => (g.direction === 'above' ? v > th : v < th);
  const stateOf = (v: number | undefined): GateStateName => (v === undefined ? 'unknown' : past(v, g.rollback) ? 'rollback' : past(v, g.pause) ? 'pause' : 'green');
  const nudge = (th: number): number => (th === 0 ? 0.01 : Math.abs(th) * 0.01);
  const gap = Math.abs(g.rollback - g.pause);
  const pauseValue = g.pause + sign * Math.min(nudge(g.pause), gap / 2);
  const greenValue = g.pause - sign * nudge(g.pause);
  const rollbackValue = g.rollback + sign * nudge(g.rollback);
  const inPhase = g.phases[0] ?? m.phases[0]?.id;
  const outPhase = m.phases.find((p) => !g.phases.includes(p.id))?.id;
  const hold = (v: number | undefined, length: number): Timeline => Array.from({ length }, () => v);
  const firingAt = (v: number, step: number): Array<GateAction | 'absent'> => firingIn(stateOf(v), step);
  const firingIn = (s: GateStateName, step: number): Array<GateAction | 'absent'> => {
    const out: Array<GateAction | 'absent'> = [];
    if ((s === 'pause' || s === 'rollback') && step >= fire.pause) out.push('pause');
    if (s === 'rollback' && step >= fire.rollback) out.push('rollback');
    return out;
  };

  const specs: Array<[GateSlot, GateCaseSpec]> = [];
  const out = new Map<GateSlot, BuiltCase>();
  const skip = (test: string, reason: string): void => void skipped.push({ gate: g.id, test, reason });
  const rank = new Map<GateSlot, number>();
  if (!inPhase) {
    skip('all', 'the gate applies in no phase');
    return { built: out, rank, skipped };
  }
  // The green side of a threshold may be out of the signal's reach (below 0 for a ratio): the
  // threshold itself is then the greenest value that still tests something.
  const green = (name: string, targets: (v: number) => Timeline, evals: GateCaseSpec['evals']): GateCaseSpec => ({
    name,
    targets: targets(greenValue),
    phase: inPhase!,
    evals,
    fallback: { name: `${name} (at the pause threshold: nothing greener is reachable)`, targets: targets(g.pause), phase: inPhase!, evals },
  });
  // Held on the green side: no alert pending from the phase's start, so none can fire later.
  const quietAtStart = (state: GateStateName, quiet: GateAction[]): GateCaseSpec['evals'] => [{ step: start, state, firing: firingIn(state, start), quiet }];
  specs.push(['green', green('just green of pause: no alert, not even pending', (v) => hold(v, start + 1), quietAtStart('green', ['pause', 'rollback']))]);
  // Held past pause: quiet one step before its `for` has passed (when it has one), firing from then.
  if (gap > 0) {
    const before: GateCaseSpec['evals'] = fire.pause > start ? [{ step: fire.pause - 1, state: 'pause', firing: [] }] : [];
    specs.push(['pause', { name: `just past pause: ${fire.pause > start ? `no alert before ${g.pauseFor}, ` : ''}pause fires after ${g.pauseFor}, rollback not even pending`, targets: hold(pauseValue, fire.pause + 1), phase: inPhase, evals: [...before, { step: fire.pause, state: 'pause', firing: ['pause'], quiet: ['rollback'] }] }]);
  } else skip('just past pause', 'pause and rollback thresholds are equal: no value pauses without rolling back');
  specs.push(['at-pause', { name: `exactly at pause (${promNumber(g.pause)}): green, no alert, not even pending`, targets: hold(g.pause, start + 1), exact: g.pause, phase: inPhase, evals: quietAtStart('green', ['pause', 'rollback']) }]);
  specs.push(['at-rollback', { name: `exactly at rollback (${promNumber(g.rollback)}): no rollback alert, not even pending`, targets: hold(g.rollback, start + 1), exact: g.rollback, phase: inPhase, evals: quietAtStart(stateOf(g.rollback), ['rollback']) }]);
  // Held past rollback (quiet one step before its `for`, firing from then), then green again: alerts clear.
  const beforeRollback: GateCaseSpec['evals'] = fire.rollback > start ? [{ step: fire.rollback - 1, state: 'rollback', firing: firingAt(rollbackValue, fire.rollback - 1) }] : [];
  specs.push([
    'rollback',
    green(`just past rollback: ${fire.rollback > start ? `no rollback alert before ${g.rollbackFor}, ` : ''}rollback fires after ${g.rollbackFor}; recovery: green again, alerts clear`, (v) => [...hold(rollbackValue, recoverFrom + 1), ...hold(v, recovered - recoverFrom)], [
      ...beforeRollback,
      { step: fire.rollback, state: 'rollback', firing: firingAt(rollbackValue, fire.rollback) },
      { step: recoverFrom, state: 'rollback', firing: firingAt(rollbackValue, recoverFrom) },
      { step: recovered, state: 'green', firing: [] },
    ]),
  ]);
  // No inputs at all: no window to fill, so the phase starts at once (bare).
  specs.push(['absent', { name: 'signal absent: absent-signal alert, gate state unknown', targets: hold(undefined, bare.fire.pause + 1), phase: inPhase, evals: [{ step: bare.fire.pause, state: 'unknown', firing: ['absent'] }] }]);
  if (outPhase) specs.push(['outside', { name: `past rollback outside the gate's phases (${outPhase}): no alert, not even pending`, targets: hold(rollbackValue, start + 1), phase: outPhase, evals: [{ step: start, state: 'rollback', firing: [], quiet: ['pause', 'rollback'] }] }]);
  else skip('outside phases', 'the gate applies in every phase');
  // The gate value's guards (src/promql/gate-value.ts): a NaN input series must not hide behind
  // a healthy one (max/min skip NaN), and with an expected series count a vanished or an extra
  // member is unknown, not green.
  const expected = gate.expectedSeries;
  const unknownEval: GateCaseSpec['evals'] = [{ step: fire.pause, state: 'unknown', firing: ['absent'] }];
  // Two members where the signal allows it; a signal with one series (a target pinned to one
  // instance, an aggregation inside X) proves the single NaN series instead.
  const nanCase = (members: number, value: number, at: string): GateCaseSpec => ({
    name: `${members > 1 ? `one of ${members} input series reports NaN, the others green` : 'its one input series reports NaN'}${at}: gate unknown, absent-signal alert`,
    targets: hold(value, late + 1),
    phase: inPhase,
    evals: unknownEval,
    guard: { kind: 'nan', members },
  });
  const nanChain = [...new Set([expected ?? 2, expected ?? 1])].flatMap((n) => [nanCase(n, greenValue, ''), nanCase(n, g.pause, ' (healthy at the pause threshold)')]);
  specs.push(['nan', nanChain.reduceRight<GateCaseSpec | undefined>((next, c) => (next ? { ...c, fallback: next } : c), undefined)!]);
  if (expected !== undefined) {
    if (expected > 1) {
      specs.push([
        'drop',
        {
          name: `${expected - 1} of the ${expected} expected series, all green: gate unknown, absent-signal alert`,
          targets: hold(greenValue, late + 1),
          phase: inPhase,
          evals: unknownEval,
          guard: { kind: 'drop', members: expected },
          fallback: { name: `${expected - 1} of the ${expected} expected series (at the pause threshold)`, targets: hold(g.pause, late + 1), phase: inPhase, evals: unknownEval, guard: { kind: 'drop', members: expected } },
        },
      ]);
    }
    specs.push([
      'extra',
      {
        name: `${expected + 1} series where ${expected} are expected, all green: gate unknown, absent-signal alert`,
        targets: hold(greenValue, late + 1),
        phase: inPhase,
        evals: unknownEval,
        guard: { kind: 'extra', members: expected },
        fallback: { name: `${expected + 1} series where ${expected} are expected (at the pause threshold)`, targets: hold(g.pause, late + 1), phase: inPhase, evals: unknownEval, guard: { kind: 'extra', members: expected } },
      },
    ]);
  }

  for (const [slot, spec] of specs) {
    if (only && !only.has(slot)) continue;
    let reason = '';
    let applies = true;
    let r = 0;
    rank.set(slot, Infinity);
    for (let s: GateCaseSpec | undefined = spec; s && r < below; s = s.fallback, r++) {
      try {
        const series = caseInputs(gate, s, stateOf);
        out.set(slot, { g, spec: s, series, settled: settledAt(gate, s, series, stateOf) });
        rank.set(slot, r);
        reason = '';
        break;
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        reason ||= e.message;
        if (e instanceof NotApplicable) applies = false;
      }
    }
    // A guard case the signal's own shape rules out (it drops NaN itself, its selector admits no
    // further member) is not a gap in the tests: nothing to note.
    if (reason && applies) skip(spec.name, reason);
  }
  const rollback = out.get('rollback');
  if (rollback) out.set('rollback', recoveredEarly(gate, rollback, recoverFrom, stateOf));
  return { built: out, rank, skipped };
}

/**
 * The recovery case checked at the first step from which its value is green for good, not after
 * the gate's whole window (the timeline's `recovered`, an upper bound): the inputs are cut there
 * (a value never depends on later samples), and the group is as long as its longest case.
 */
function recoveredEarly(gate: GateInput, b: BuiltCase, recoverFrom: number, stateOf: (v: number | undefined) => GateStateName): BuiltCase {
  const last = b.spec.evals.at(-1)!;
  if (last.state !== 'green') return b;
  const r = heldSince(gate, b.series, 'green', recoverFrom + 1, last.step, stateOf);
  if (!(r < last.step)) return b;
  return {
    ...b,
    spec: { ...b.spec, targets: b.spec.targets.slice(0, r + 1), evals: [...b.spec.evals.slice(0, -1), { ...last, step: r }] },
    series: b.series.map((s) => ({ ...s, samples: s.samples.slice(0, r + 1) })),
    // Green from recoverFrom + 1 to the last check (gateTimeline: recoverFrom + the gate's own
    // window + 2): the window's worth of increments before the end is what keeps it green.
    tail: { series: b.series, period: Math.max(1, last.step - recoverFrom - 2) },
  };
}

/**
 * A recovery case's inputs continued to `length` steps: each series repeats the increments of the
 * `period` steps before it ends (a counter keeps its rate, a gauge holds), so every window sees
 * what the last one saw. Not trusted blindly: gateGroup simulates every gate on the inputs it
 * writes, and the expectations come from that simulation.
 */
function continued(tail: { series: Series[]; period: number }, length: number): Series[] {
  return tail.series.map((s) => {
    const from = originalSeries(s);
    const base = continuedSeries(from, tail.period, length);
    if (from === s) return base;
    // A renamed case's tail (own-id.ts): the same samples as the one it was renamed from, its own labels.
    const renamed = { ...s, samples: base.samples };
    renamedFrom(renamed, base);
    return renamed;
  });
}

/**
 * One series continued to `length` steps, the same object each time it is asked for: the gate
 * values remembered for a group's inputs (test-inputs.ts memoOf) then serve every migration whose
 * recovery group continues the same shared case.
 */
function continuedSeries(s: Series, period: number, length: number): Series {
  let byLength = continuedCache.get(s);
  if (!byLength) continuedCache.set(s, (byLength = new Map()));
  const key = `${period}:${length}`;
  let out = byLength.get(key);
  if (!out) {
    const samples = s.samples.slice(0, length);
    for (let i = samples.length; i < length; i++) {
      const [prev, a, b] = [samples[i - 1], samples[i - period], samples[i - period - 1]];
      if (prev === undefined || a === undefined || b === undefined) break;
      samples.push(prev + (a - b));
    }
    byLength.set(key, (out = { ...s, samples }));
  }
  return out;
}
const continuedCache = new WeakMap<Series, Map<string, Series>>();

/** BuiltCase.settled: scanned back from the end of the targets' first run. */
function settledAt(gate: GateInput, spec: GateCaseSpec, series: Series[], stateOf: (v: number | undefined) => GateStateName): number {
  const first = spec.evals[0];
  if (!first) return 0;
  let end = 0;
  while (end + 1 < spec.targets.length && spec.targets[end + 1] === spec.targets[0]) end++;
  return heldSince(gate, series, first.state, 0, end, stateOf);
}

/**
 * The first step of the run that ends at `to` (and starts no earlier than `from`) in which the
 * gate value is in `state` at every step; `to + 1` when it is not even at `to`, Infinity when the
 * value is beyond the evaluator (then only full windows are trusted).
 */
function heldSince(gate: GateInput, series: Series[], state: GateStateName, from: number, to: number, stateOf: (v: number | undefined) => GateStateName): number {
  const db: Db = { stepSeconds: STEP_SECONDS, series };
  let i = to;
  try {
    while (i >= from && stateOf(gateValueOf(gate, db, i)) === state) i--;
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return Infinity;
  }
  return i + 1;
}

/** A case's signal inputs, checked against the gate's own value with the evaluator (throws Unsupported). */
function caseInputs(gate: GateInput, spec: GateCaseSpec, stateOf: (v: number | undefined) => GateStateName): Series[] {
  const checks: Check[] = spec.evals.map((e) => ({
    step: e.step,
    accept: (v) => stateOf(v) === e.state && (spec.exact === undefined || v === spec.exact),
  }));
  return spec.guard
    ? guardInputs(gate, spec, stateOf)
    : spec.targets.every((t) => t === undefined)
      ? absentInputs(gate, checks)
      : synthesizeSignal(gate, spec.targets, checks, STEP_SECONDS).series;
}

/** The test name of one gate's case; a packed group's name lists those of its members. */
const caseName = (c: BuiltCase): string => `gate ${c.g.id} (${c.g.direction}, pause ${promNumber(c.g.pause)}, rollback ${promNumber(c.g.rollback)}): ${c.spec.name}`;

/**
 * One test group: the cases of one slot of several gates (reading disjoint metrics), side by
 * side. The phase switches on at `start` (every window of the class full) for all of them.
 */
function gateGroup(m: ResolvedMigration, alerts: AlertingRule[], members: BuiltCase[], start: number, covered: Set<string>): TestGroup {
  const phaseId = members[0]!.spec.phase;
  if (members.some((c) => c.spec.phase !== phaseId)) throw new Error('rules.test.yaml generator: a packed group mixes phases');
  const length = Math.max(...members.map((c) => c.spec.targets.length));
  const signalSeries = members.flatMap((c) => (c.tail ? continued(c.tail, length) : c.series));
  const phaseLabels = { ...labelsFor(m.migrationMatchers), phase: phaseId };
  const phase: Series = { labels: { __name__: 'migration_phase', ...phaseLabels }, samples: Array.from({ length }, (_, i) => (i >= start ? 1 : undefined)) };
  const phaseAt = (i: number): string | undefined => (i >= start ? phaseId : undefined);
  const feed = scheduleFeed(m, length);
  const life = lifecycleSteps(m, [...signalSeries, phase, ...feed], length, false);
  // Every gate sees the group's inputs (gates outside the group see nothing: their absent alerts
  // fire too), so every gate's alerts are simulated and expected, not only the members'.
  const sim = simulateGates(m, { stepSeconds: STEP_SECONDS, series: signalSeries }, phaseAt, (i) => life.active[i]!, length);

  const alertTests: AlertTest[] = [];
  const exprTests: ExprTest[] = [];
  const written = new Set<string>();
  const listed: string[] = [];
  const coverKey = (gate: string): string => `${gate}\u0000${phaseId}`;
  const gateSelector = (metric: string, g: ResolvedGate): string => selector(metric, [{ name: 'migration_id', op: '=', value: m.id }, { name: 'gate', op: '=', value: g.id }]);
  for (const { g, spec } of members) {
    const own = sim.get(g.id)!;
    // promtool checks an alert_rule_test against every alert of that name, and a group leaves
    // the other gates' inputs out, so their absent-signal alerts fire too. Listing them all in
    // every case would make the file quadratic in the number of gates. Instead: outside the
    // absence cases one ALERTS query proves this gate's absent alert is neither pending nor
    // firing; in an absence case the full list (labels and annotations) is written only while it
    // covers a gate and phase no earlier case listed, and otherwise an ALERTS query proves this
    // gate's alert fires.
    const absentCase = spec.evals.some((e) => e.firing.includes('absent'));
    const ownAlertsQuery = alertsOf(m, ALERT.absent, g.id);
    for (const e of spec.evals) {
      for (const kind of ['pause', 'rollback', 'absent'] as const) {
        // The case's own intent must agree with the simulation, or the inputs are not what we meant.
        if (own.firing(kind, e.step) !== e.firing.includes(kind)) {
          throw new CaseMismatch(`rules.test.yaml generator: gate ${g.id}, case "${spec.name}": ${kind} expected ${e.firing.includes(kind) ? 'firing' : 'quiet'} at ${e.step}m`);
        }
        if (kind === 'absent' && !absentCase) {
          if (own.pending('absent', e.step)) throw new CaseMismatch(`rules.test.yaml generator: gate ${g.id}, case "${spec.name}": absent alert pending at ${e.step}m`);
          exprTests.push({ expr: ownAlertsQuery, eval_time: evalTime(e.step), exp_samples: [] });
          continue;
        }
        const name = kind === 'pause' ? ALERT.pause : kind === 'rollback' ? ALERT.rollback : ALERT.absent;
        const key = `${name}\u0000${e.step}`;
        const firing = m.gates.filter((other) => sim.get(other.id)!.firing(kind, e.step));
        if (kind === 'absent' && !written.has(key) && firing.every((other) => covered.has(coverKey(other.id)))) {
          const rule = alerts.find((a) => a.alert === name && a.labels.gate === g.id)!;
          const labels = { alertname: name, alertstate: 'firing', ...rule.labels, phase: phaseId };
          exprTests.push({ expr: ownAlertsQuery, eval_time: evalTime(e.step), exp_samples: own.firing('absent', e.step) ? [{ labels: sampleLabels('ALERTS', labels), value: 1 }] : [] });
          continue;
        }
        // One full list per alert name and time: it holds every member (and every other gate) firing then.
        if (written.has(key)) continue;
        written.add(key);
        const expected: ExpAlert[] = [];
        for (const other of firing) {
          const rule = alerts.find((a) => a.alert === name && a.labels.gate === other.id)!;
          expected.push(expectedAlert(rule, { ...rule.labels, phase: phaseId }, kind === 'absent' ? 1 : sim.get(other.id)!.value(e.step)!));
          if (kind === 'absent') listed.push(coverKey(other.id));
        }
        alertTests.push({ eval_time: evalTime(e.step), alertname: name, exp_alerts: expected });
      }
      // Not even pending: its ALERTS series (pending or firing) is empty.
      for (const kind of e.quiet ?? []) {
        if (own.pending(kind, e.step)) throw new CaseMismatch(`rules.test.yaml generator: gate ${g.id}, case "${spec.name}": ${kind} alert pending at ${e.step}m`);
        exprTests.push(notPendingAt(m, kind === 'pause' ? ALERT.pause : ALERT.rollback, e.step, g.id));
      }
      exprTests.push({
        expr: gateSelector(RECORD.gateState, g),
        eval_time: evalTime(e.step),
        exp_samples: [{ labels: sampleLabels(RECORD.gateState, { gate: g.id, migration_id: m.id }), value: GATE_STATE[e.state] }],
      });
      if (spec.exact !== undefined) {
        exprTests.push({
          expr: gateSelector(RECORD.gateValue, g),
          eval_time: evalTime(e.step),
          exp_samples: [{ labels: sampleLabels(RECORD.gateValue, { gate: g.id, migration_id: m.id }), value: spec.exact }],
        });
      }
    }
  }
  for (const key of listed) covered.add(key);
  return {
    name: members.map(caseName).join('; '),
    interval: STEP,
    input_series: [...signalSeries, phase, ...feed].map((s) => inputSeries(s, length)),
    alert_rule_test: alertTests,
    promql_expr_test: exprTests,
  };
}

/**
 * One gate's simulated value and alert states at any step, computed when first asked for: a
 * group's checks ask about a handful of steps, and an alert whose condition does not hold at a
 * step needs no earlier one (most of a long group's steps are never evaluated).
 */
export interface GateSimulation {
  value(step: number): number | undefined;
  /** The alert's condition holds (pending or firing). */
  pending(kind: GateAction | 'absent', step: number): boolean;
  firing(kind: GateAction | 'absent', step: number): boolean;
  /** Both at every step of the case, in one pass (for callers that need them all). */
  everyStep(kind: GateAction | 'absent'): { pending: boolean[]; firing: boolean[] };
}

/**
 * Every gate's value and alert states, as Prometheus evaluates them step by step: an alert is
 * pending from the first step its condition holds and fires once it held for its `for`, i.e. at
 * step i when its condition held at every step from i - ceil(for / step) to i.
 */
export function simulateGates(m: ResolvedMigration, db: Db, phaseAt: (step: number) => string | undefined, active: (step: number) => boolean, length: number): Map<string, GateSimulation> {
  const out = new Map<string, GateSimulation>();
  const fed = new Set(db.series.map((s) => s.labels.__name__));
  // A gate whose recorded value a case feeds (greenGates) reads that, not its signal.
  const recorded = new Map(db.series.filter((s) => s.labels.__name__ === RECORD.gateValue).map((s) => [s.labels.gate, s.samples]));
  for (const g of m.gates) {
    const expr = m.signals[g.signal]!.expr;
    const gate = gateInput(m, g);
    // A gate reads only its own metrics: in a packed group, the other members' series are skipped up front.
    const reads = metricsOf(gate.value);
    const own: Db = reads ? { stepSeconds: db.stepSeconds, series: db.series.filter((s) => reads.has(s.labels.__name__!)) } : db;
    // Every alert is guarded by migration:lifecycle:active.
    const inPhase = (i: number): boolean => {
      const p = phaseAt(i);
      return p !== undefined && g.phases.includes(p) && active(i);
    };
    // Outside its phases no alert of the gate can hold, so its value is not needed there (a packed
    // group waits for the longest window of all its members before the phase starts).
    const fedValues = recorded.get(g.id);
    const unfed = fedValues || readsAny(expr, fed) ? undefined : unfedValues(m, g, length);
    const known = new Map<number, number | undefined>();
    const value = (i: number): number | undefined => {
      if (i < 0 || i >= length) return undefined;
      if (fedValues) return fedValues[i];
      if (unfed) return unfed[i];
      if (!known.has(i)) known.set(i, inPhase(i) ? gateValueOf(gate, own, i) : undefined);
      return known.get(i);
    };
    const past = (v: number | undefined, th: number): boolean => v !== undefined && (g.direction === 'above' ? v > th : v < th);
    const pending = (kind: GateAction | 'absent', i: number): boolean => {
      if (i < 0 || i >= length || !inPhase(i)) return false;
      const v = value(i);
      return kind === 'absent' ? v === undefined : past(v, kind === 'pause' ? g.pause : g.rollback);
    };
    const holdSteps = { pause: Math.ceil(g.pauseForSeconds / STEP_SECONDS), rollback: Math.ceil(g.rollbackForSeconds / STEP_SECONDS), absent: Math.ceil(g.pauseForSeconds / STEP_SECONDS) };
    out.set(g.id, {
      value,
      pending,
      firing: (kind, i) => firesAt((j) => pending(kind, j), holdSteps[kind], i),
      everyStep: (kind) => {
        const held = Array.from({ length }, (_, i) => pending(kind, i));
        return { pending: held, firing: firingSteps(held, holdSteps[kind]) };
      },
    });
  }
  return out;
}

/**
 * Whether an alert fires at step `i`: its condition held at every step from `i - hold` to `i`
 * (`hold` = ceil(for / step); Prometheus counts `for` from the first evaluation that found it
 * true). Asks only as far back as it must: one step when the condition does not hold.
 */
export function firesAt(holds: (step: number) => boolean, hold: number, i: number): boolean {
  for (let j = i; j >= i - hold; j--) if (j < 0 || !holds(j)) return false;
  return true;
}

/** firesAt at every step, in one pass over the steps the condition held at. */
export function firingSteps(held: readonly boolean[], hold: number): boolean[] {
  let run = 0; // steps the condition has held for, this one included
  return held.map((h) => (run = h ? run + 1 : 0) > hold);
}

/** Every metric an expression reads; undefined when it is beyond the evaluator. Bounded like parseAst (promql-ast.ts), for the same reason. */
const metricsOf = boundedMemo(1000, (expr): Set<string> | undefined => {
  try {
    return astMetrics(parseAst(expr));
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return undefined;
  }
});

/** Whether a signal may read any of the fed metrics (always, if it is beyond the evaluator). */
function readsAny(expr: string, fed: Set<string | undefined>): boolean {
  try {
    for (const metric of astMetrics(parseAst(expr))) if (fed.has(metric)) return true;
    return false;
  } catch (e) {
    if (e instanceof Unsupported) return true;
    throw e;
  }
}

/**
 * A gate's values when none of its metrics are fed (usually nothing; `or vector(0)` gives 0).
 * The same for every case of a migration, so evaluated once per length, not once per case.
 */
const unfedCache = new WeakMap<ResolvedMigration, Map<string, Array<number | undefined>>>();
function unfedValues(m: ResolvedMigration, g: ResolvedGate, length: number): Array<number | undefined> {
  let cache = unfedCache.get(m);
  if (!cache) unfedCache.set(m, (cache = new Map()));
  // The value at a step does not depend on the case length: one growing array per gate.
  let values = cache.get(g.id) ?? [];
  if (values.length < length) {
    const empty: Db = { stepSeconds: STEP_SECONDS, series: [] };
    const gate = gateInput(m, g);
    const have = values.length;
    values = [...values, ...Array.from({ length: length - have }, (_, k) => gateValueOf(gate, empty, have + k))];
    cache.set(g.id, values);
  }
  return values.slice(0, length);
}

/**
 * Whether a case about other alerts may feed gate `g`'s recorded value directly: only when its
 * value rule returns nothing in such a case (a fed series must not meet the rule's own output),
 * i.e. it returns nothing without inputs over `length` steps and reads none of the migration's own
 * series, which those cases feed.
 */
export function feedsGreen(m: ResolvedMigration, g: ResolvedGate, length: number): boolean {
  const own = (metric: string): boolean => metric.startsWith('migration_') || metric.startsWith('migration:');
  const reads = metricsOf(gateInput(m, g).value);
  return reads !== undefined && ![...reads].some(own) && unfedValues(m, g, length).every((v) => v === undefined);
}

/** The recorded value of every gate that may be fed (feedsGreen), but `except`, held at its pause threshold (green). */
export function greenGates(m: ResolvedMigration, length: number, except?: string): Series[] {
  return m.gates
    .filter((g) => g.id !== except && feedsGreen(m, g, length))
    .map((g) => ({ labels: { __name__: RECORD.gateValue, gate: g.id, migration_id: m.id }, samples: Array.from({ length }, () => g.pause) }));
}

/** No inputs at all; checked to really leave the signal empty (`or vector(0)` would not). */
function absentInputs(gate: GateInput, checks: Check[]): Series[] {
  const db: Db = { stepSeconds: STEP_SECONDS, series: [] };
  for (const c of checks) if (!c.accept(gateValueOf(gate, db, c.step))) throw new Unsupported('the signal returns a value even without any input series');
  return [];
}

/** A guard case that cannot arise for this signal (not a limit of the synthesizer): not noted as skipped. */
class NotApplicable extends Unsupported {}

/**
 * A guard case's inputs: built healthy (green at every check, with `members` series in X), then
 * changed by one member. Checked twice with the evaluator: the change must leave the gate value
 * absent, and it must be what the case says (a NaN series in X, one series fewer, one more), so
 * the case proves the guard and not some other way of getting no value.
 */
function guardInputs(gate: GateInput, spec: GateCaseSpec, stateOf: (v: number | undefined) => GateStateName): Series[] {
  const { kind, members } = spec.guard!;
  const green: Check[] = spec.evals.map((e) => ({ step: e.step, accept: (v) => stateOf(v) === 'green' }));
  let healthy: Synthesized;
  try {
    healthy = synthesizeSignal(gate, spec.targets, green, STEP_SECONDS, members, { spare: kind === 'extra' });
  } catch (e) {
    if (!(e instanceof Unsupported) || kind !== 'extra') throw e;
    throw new NotApplicable(`no input series beyond ${members} both passes the target's selector and stays apart in the signal`);
  }
  const allNaN = (x: Synthesized): Synthesized => ({ series: x.series.map((s) => ({ labels: s.labels, samples: s.samples.map((v) => (v === undefined ? v : NaN)) })) });
  const changed = kind === 'nan' ? (healthy.members ? nanMember(healthy, members - 1, 0) : allNaN(healthy)) : kind === 'drop' ? dropMember(healthy, members - 1) : addMember(healthy);
  const db: Db = { stepSeconds: STEP_SECONDS, series: changed.series };
  for (const e of spec.evals) {
    const x = innerSeries(gate, db, e.step);
    const what =
      kind === 'nan' ? x.nan >= 1 && (members === 1 || x.count - x.nan >= 1) : kind === 'drop' ? x.count === members - 1 && x.nan === 0 : x.count === members + 1 && x.nan === 0;
    if (!what) {
      throw new NotApplicable(
        kind === 'nan'
          ? 'the signal drops NaN series itself, so a NaN input never reaches the gate value'
          : `no input series beyond ${members} stays apart in the signal (its aggregation merges what the target's selector lets through)`,
      );
    }
    // The full gate value expression itself, not the shortcut: this case is what proves the guard.
    if (gateValue(parseAst(gate.value), db, e.step) !== undefined || gateValueOf(gate, db, e.step) !== undefined) {
      throw new Error(`rules.test.yaml generator: the ${kind} guard case still has a gate value at ${e.step}m`);
    }
  }
  return changed.series;
}

export function expectedAlert(rule: AlertingRule, labels: Record<string, string>, value: number): ExpAlert {
  const a = rule.annotations;
  return {
    exp_labels: labels,
    exp_annotations: {
      summary: expandTemplate(a.summary, labels, value),
      description: expandTemplate(a.description, labels, value),
      runbook_url: expandTemplate(a.runbook_url, labels, value),
      dashboard_url: expandTemplate(a.dashboard_url, labels, value),
    },
  };
}

// Meta alerts ------------------------------------------------------------------------------

function metaTests(m: ResolvedMigration, alerts: AlertingRule[]): TestGroup[] {
  const own = labelsFor(m.migrationMatchers);
  const phase = m.phases.find((p) => m.gates.some((g) => g.phases.includes(p.id)))?.id ?? m.phases[0]?.id ?? 'run';
  const series = (metric: string, samples: Timeline, extra: Record<string, string> = {}): InputSeries => ({
    series: sampleLabels(metric, { ...own, ...extra }),
    values: seriesValues(samples),
  });
  const rule = (name: string): AlertingRule => alerts.find((a) => a.alert === name)!;
  // With a schedule the test clock (1970) may be outside it: these cases feed its recorded state.
  // And every gate reads green: its recorded value is fed at its pause threshold (green, the
  // comparison is strict), so only the alert under test is active. Otherwise every gate's
  // absent-signal alert would be pending or firing at every step, and promtool expands each active
  // alert's annotations at every step (most of its time with many gates).
  const feed = (length: number): InputSeries[] => [...scheduleFeed(m, length), ...greenGates(m, length)].map((f) => inputSeries(f, length));
  const out: TestGroup[] = [];

  // Stalled: the last progress at `progressAt` (before the test's start, test-plan.ts
  // stallTimeline), so at step i the value is i minutes minus progressAt.
  const stalled = rule(ALERT.stalled);
  const { stallStep, stallFire, progressAt } = stallTimeline(m.stalledAfterSeconds, m.scrapeIntervalSeconds);
  const hold = (v: number | undefined, n: number): Timeline => Array.from({ length: n }, () => v);
  const stallInputs = (throttled: number, processed: number, n: number, phaseId = phase): InputSeries[] => [
    ...feed(n),
    series('migration_phase', hold(1, n), { phase: phaseId }),
    series('migration_last_progress_timestamp_seconds', hold(progressAt, n)),
    series('migration_throttled', hold(throttled, n)),
    series('migration_rows_processed_total', hold(processed, n)),
    series('migration_rows_total', hold(1000, n)),
  ];
  const stalledLabels = { ...stalled.labels, phase };
  out.push({
    name: `${ALERT.stalled}: no progress for more than ${m.stalledAfter} fires after ${stalled.for}, not before`,
    interval: STEP,
    input_series: stallInputs(0, 100, stallFire + 1),
    alert_rule_test: [
      { eval_time: evalTime(stallFire - 1), alertname: ALERT.stalled, exp_alerts: [] },
      { eval_time: evalTime(stallFire), alertname: ALERT.stalled, exp_alerts: [expectedAlert(stalled, stalledLabels, stallFire * STEP_SECONDS - progressAt)] },
    ],
  });
  // The exceptions: at the first step past stalledAfter (where the case above is pending) the
  // alert is not even pending, and nothing the exception rests on changes later.
  const idle = m.phases.find((p) => !progressPhases(m).includes(p.id))?.id;
  if (idle !== undefined) {
    out.push({
      name: `${ALERT.stalled}: no alert in phase ${idle}, where no progress is expected (not even pending)`,
      interval: STEP,
      input_series: stallInputs(0, 100, stallStep + 1, idle),
      promql_expr_test: [notPendingAt(m, ALERT.stalled, stallStep)],
    });
  }
  // Throttled, then (one step later, the guards read instant values) every row processed: one
  // group, each guard alone between the alert and pending at its step.
  const chained = stallStep + 2;
  const throttledUntil = (v: number, later: number): Timeline => Array.from({ length: chained }, (_, i) => (i <= stallStep ? v : later));
  out.push({
    name: `${ALERT.stalled}: no alert while throttled (${evalTime(stallStep)}), nor once every row is processed (${evalTime(stallStep + 1)}): not even pending`,
    interval: STEP,
    input_series: [
      ...feed(chained),
      series('migration_phase', hold(1, chained), { phase }),
      series('migration_last_progress_timestamp_seconds', hold(progressAt, chained)),
      series('migration_throttled', throttledUntil(1, 0)),
      series('migration_rows_processed_total', throttledUntil(100, 1000)),
      series('migration_rows_total', hold(1000, chained)),
    ],
    promql_expr_test: [notPendingAt(m, ALERT.stalled, stallStep), notPendingAt(m, ALERT.stalled, stallStep + 1)],
  });

  // ETA overrun: 1 row/s (60 per step, rate exactly 1 once the 5m window is full); the phase
  // starts after the window so the warm-up (ETA too high) is never seen. At the phase's start
  // exactly the planned window is left (the comparison is strict: not even pending); from the next
  // step the total is raised past it (the ETA reads instant values), and the alert fires after
  // its `for`, not before.
  const eta = alerts.find((a) => a.alert === ALERT.etaOverrun);
  if (eta && m.expectedDurationSeconds !== undefined) {
    const start = 6;
    const fireStep = start + 1 + steps(secondsOf(eta.for));
    const n = fireStep + 1;
    const overrunRemaining = m.expectedDurationSeconds + 600;
    const etaLabels = { ...eta.labels, phase };
    const total = (i: number): number => (i <= start ? 60 * start + m.expectedDurationSeconds! : 60 * fireStep + overrunRemaining);
    out.push({
      name: `${ALERT.etaOverrun}: exactly the planned ${m.expectedDuration ?? ''} left: not even pending; beyond it: fires after ${eta.for}, not before`,
      interval: STEP,
      input_series: [
        ...feed(n),
        series('migration_phase', Array.from({ length: n }, (_, i) => (i >= start ? 1 : undefined)), { phase }),
        series('migration_rows_processed_total', Array.from({ length: n }, (_, i) => 60 * i)),
        series('migration_rows_total', Array.from({ length: n }, (_, i) => total(i))),
      ],
      alert_rule_test: [
        { eval_time: evalTime(fireStep - 1), alertname: ALERT.etaOverrun, exp_alerts: [] },
        { eval_time: evalTime(fireStep), alertname: ALERT.etaOverrun, exp_alerts: [expectedAlert(eta, etaLabels, overrunRemaining)] },
      ],
      promql_expr_test: [
        notPendingAt(m, ALERT.etaOverrun, start),
        { expr: selector(RECORD.eta, [{ name: 'migration_id', op: '=', value: m.id }]), eval_time: evalTime(fireStep), exp_samples: [{ labels: sampleLabels(RECORD.eta, { migration_id: m.id }), value: overrunRemaining }] },
      ],
    });
  }

  // The current-phase recording rule; and MetricsAbsent quiet while the runner exports its phase
  // (not even pending, so it cannot fire after its `for`; it firing once the runner is gone, and
  // never before it was seen, is proven by the lifecycle cases).
  out.push({
    name: `${RECORD.currentPhase}: the phase whose migration_phase is 1; ${ALERT.metricsAbsent} not even pending while migration_phase is exported`,
    interval: STEP,
    input_series: [...feed(2), ...m.phases.slice(0, 2).map((p, i) => series('migration_phase', [i === 0 ? 0 : 1, i === 0 ? 0 : 1], { phase: p.id }))],
    promql_expr_test: [
      { expr: selector(RECORD.currentPhase, [{ name: 'migration_id', op: '=', value: m.id }]), eval_time: '1m', exp_samples: m.phases.length > 1 ? [{ labels: sampleLabels(RECORD.currentPhase, { migration_id: m.id, phase: m.phases[1]!.id }), value: 1 }] : [] },
      notPendingAt(m, ALERT.metricsAbsent, 1),
    ],
  });
  return out;
}

export const secondsOf = (duration: string): number => parseDurationSeconds(duration) ?? 0;
