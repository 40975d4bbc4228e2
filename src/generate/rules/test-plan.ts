/**
 * The shape of the generated promtool tests, as numbers: the one-minute step, when each gate case
 * switches into its phase, when its alerts fire, and how many steps each case runs. The
 * synthesizer (tests.ts) builds its cases from these, and validation (the rule-test-cost rule)
 * estimates from the same numbers what promtool will have to evaluate, so a definition whose
 * tests promtool could not run in a few minutes is refused before anything is generated.
 *
 * Kept free of heavy imports: `migobs validate` loads it (the PromQL parser and the build-time
 * plans below are in that bundle anyway).
 */
import { PROMQL_PLANS } from '../../generated/promql-plans';
import type { ResolvedSignal } from '../../model/types';
import { parsePromql, rangeWindows, selectors, syntaxProblems } from '../../promql/parse';

/** promtool evaluates the rules once per step. */
export const STEP_SECONDS = 60;
export const STEP = '1m';

export const steps = (seconds: number): number => Math.ceil(seconds / STEP_SECONDS);

export interface GateTimeline {
  /** Steps of the longest range window of the signal (rate(...[5m]) = 5). */
  windowSteps: number;
  /** The step the gate's phase starts: once every window is full. */
  start: number;
  /** The first step each alert fires when its condition holds from `start`. */
  fire: { pause: number; rollback: number };
  /** A step after both alerts fired. */
  late: number;
  /** Recovery case: rollback-level until `recoverFrom`, green again from then; checked at `recovered`. */
  recoverFrom: number;
  recovered: number;
}

/**
 * `windowMs`: the windows that must be full before the phase starts (a packed group's: every
 * member's); `ownWindowMs`: the gate's own, which its recovery must outwait.
 */
export function gateTimeline(windowMs: readonly number[], pauseForSeconds: number, rollbackForSeconds: number, ownWindowMs: readonly number[] = windowMs): GateTimeline {
  const windowSteps = Math.max(0, ...windowMs.map((ms) => steps(ms / 1000)));
  const ownSteps = Math.max(0, ...ownWindowMs.map((ms) => steps(ms / 1000)));
  const start = windowSteps + 1;
  const fire = { pause: start + steps(pauseForSeconds), rollback: start + steps(rollbackForSeconds) };
  const late = Math.max(fire.pause, fire.rollback) + 1;
  return { windowSteps, start, fire, late, recoverFrom: late, recovered: late + ownSteps + 2 };
}

/**
 * The cases of one gate (tests.ts gateTests), by slot: cases of the same slot of several gates
 * run in one test group (see packGates). In the order they are written.
 */
export const GATE_SLOTS = ['green', 'pause', 'at-pause', 'at-rollback', 'rollback', 'absent', 'outside', 'nan', 'drop', 'extra'] as const;
export type GateSlot = (typeof GATE_SLOTS)[number];

/**
 * Steps promtool evaluates for each case of one gate, at most: a case is evaluated at every step
 * from 0 to its last check (tests.ts gateCases): green, past pause (not yet, then held), at each
 * threshold, past rollback (not yet, held, then recovered), absent, outside the gate's phases,
 * and the gate value's guard cases (a NaN series; one series too few or too many). With full
 * windows: tests.ts starts a class's phase earlier when its values settle earlier, so this is an
 * upper bound.
 */
export function gateSlotSteps(t: GateTimeline, expectedSeries: number | undefined, bare: GateTimeline = t): Partial<Record<GateSlot, number>> {
  const upTo = (step: number): number => step + 1;
  const out: Partial<Record<GateSlot, number>> = {
    // "No alert" cases check that nothing is even pending, at the phase's start.
    green: upTo(t.start),
    pause: upTo(t.fire.pause),
    'at-pause': upTo(t.start),
    'at-rollback': upTo(t.start),
    rollback: upTo(t.recovered),
    // No inputs: the phase starts at once, whatever the windows (`bare`: the timeline without them).
    absent: upTo(bare.fire.pause),
    outside: upTo(t.start),
    nan: upTo(t.fire.pause),
  };
  if (expectedSeries !== undefined) {
    if (expectedSeries > 1) out.drop = upTo(t.fire.pause);
    out.extra = upTo(t.fire.pause);
  }
  return out;
}

export function gateCaseSteps(t: GateTimeline): number[] {
  const s = gateSlotSteps(t, undefined);
  return GATE_SLOTS.filter((k) => k !== 'nan' && s[k] !== undefined).map((k) => s[k]!);
}

/** What packGates needs of a gate. */
export interface PackableGate {
  id: string;
  /** The phases its cases run in (in and outside its phases): only gates that agree share a group. */
  phaseKey: string;
  /** The metrics its signal reads; undefined when not known exactly (it then shares nothing). */
  metrics?: readonly string[];
}

/** The phases a gate's cases run in: its first phase, and the first phase outside its own (the "outside" case). */
export function phaseKeyOf(gatePhases: readonly string[], migrationPhases: readonly string[]): string {
  return `${gatePhases[0] ?? migrationPhases[0] ?? ''}\u0000${migrationPhases.find((p) => !gatePhases.includes(p)) ?? ''}`;
}

/**
 * The metrics a gate's signal reads, for packGates (`undefined` for a selector without a metric
 * name); undefined when one is unknown or is read by the lifecycle rules too (migration_phase,
 * migration_finished, recorded migration:* series): such a gate keeps groups of its own.
 */
export function packMetrics(metrics: ReadonlyArray<string | undefined>): string[] | undefined {
  if (metrics.some((x) => x === undefined || x === 'migration_phase' || x === 'migration_finished' || x.startsWith('migration:'))) return undefined;
  return [...new Set(metrics as string[])];
}

/** What packing and timing read of a gate's signal: the metric of each selector, and the range windows. */
export interface SignalShape {
  metrics: Array<string | undefined>;
  windowsMs: number[];
}

/**
 * The shape of a signal: from the build-time plan of a shipped library expression (injecting
 * matchers changes neither its selectors' metrics nor its windows), else parsed. Undefined when
 * the expression does not parse (signal-expr-valid reports it).
 */
export function signalShape(sig: ResolvedSignal): SignalShape | undefined {
  const plan = PROMQL_PLANS.get(sig.rawExpr);
  if (plan) return { metrics: plan.selectors.map((x) => x.metric), windowsMs: plan.windowsMs };
  const parsed = parsePromql(sig.expr);
  if (syntaxProblems(parsed).length) return undefined;
  return { metrics: selectors(parsed).map((x) => x.metric), windowsMs: rangeWindows(parsed).map((w) => w.ms) };
}

/**
 * Gates whose cases can share test groups: promtool evaluates every rule of the file at every step
 * of every group, so one group per case and gate makes the run quadratic in gates. Gates that read
 * disjoint metrics and run their cases in the same phases do not see each other's inputs, so case
 * k of each runs in one group (a greedy colouring: a gate joins the first class it shares no
 * metric with). The number of groups then grows with the classes, not the gates.
 */
export function packGates<T extends PackableGate>(gates: readonly T[]): T[][] {
  const classes: Array<{ key: string; metrics: Set<string>; open: boolean; members: T[] }> = [];
  for (const g of gates) {
    const fit = g.metrics === undefined ? undefined : classes.find((c) => c.open && c.key === g.phaseKey && g.metrics!.every((x) => !c.metrics.has(x)));
    if (fit) {
      fit.members.push(g);
      for (const x of g.metrics!) fit.metrics.add(x);
    } else classes.push({ key: g.phaseKey, metrics: new Set(g.metrics ?? []), open: g.metrics !== undefined, members: [g] });
  }
  return classes.map((c) => c.members);
}

/** The stalled alert's hold: stalledAfter already waits; this only rides out one late scrape. */
export const stalledForSeconds = (scrapeIntervalSeconds: number): number => Math.max(60, 2 * scrapeIntervalSeconds);

/** Holds of the ETA-overrun and metrics-absent alerts (rules.ts META; a unit test keeps them equal). */
export const ETA_OVERRUN_FOR_SECONDS = 15 * 60;
export const METRICS_ABSENT_FOR_SECONDS = 10 * 60;

/**
 * The stalled cases' clock. The alert reads `time() - last progress timestamp`, so the last
 * progress is put before the test's start (`progressAt`, a negative timestamp) by as much as
 * brings the first step strictly past stalledAfter (`stallStep`) to step 2: step 1 then holds the
 * exact boundary, and a stalledAfter of hours or days costs no more steps than one of minutes.
 */
export function stallTimeline(stalledAfterSeconds: number, scrapeIntervalSeconds: number): { stallStep: number; stallFire: number; progressAt: number } {
  const pastAfter = Math.floor(stalledAfterSeconds / STEP_SECONDS) + 1; // steps from the last progress to strictly past stalledAfter
  const shift = Math.max(0, pastAfter - 2);
  const stallStep = pastAfter - shift;
  return { stallStep, stallFire: stallStep + steps(stalledForSeconds(scrapeIntervalSeconds)), progressAt: -shift * STEP_SECONDS };
}

/**
 * Steps of the migration-wide cases, at most: the stalled alert (fires; idle phase; throttled then
 * finished, one group), the ETA overrun (both cases in one group), and the current phase with
 * metrics absent. The "no alert" cases check that nothing is even pending, early.
 */
export function metaCaseSteps(stalledAfterSeconds: number, scrapeIntervalSeconds: number): number {
  const { stallStep, stallFire } = stallTimeline(stalledAfterSeconds, scrapeIntervalSeconds);
  const stalled = stallFire + 1 + (stallStep + 1) + (stallStep + 2);
  const eta = 6 + 1 + steps(ETA_OVERRUN_FOR_SECONDS) + 1;
  return stalled + eta + 2;
}

export interface TestCostGate {
  id: string;
  windowMs: readonly number[];
  pauseForSeconds: number;
  rollbackForSeconds: number;
  /** Vector selectors in the signal: each is a series lookup in every evaluation of the gate's rules. */
  selectors: number;
  /** Series the gate value expects (its target's `count`), when set: adds the count guard cases. */
  expectedSeries?: number;
  /** packGates: the phases its cases run in, and the metrics its signal reads (undefined: packs with no other gate). */
  phaseKey?: string;
  metrics?: readonly string[];
}

/**
 * Steps of the lifecycle cases (lifecycle-tests.ts) other than "no input": a crash, a restart,
 * finished, the schedule; the "no input" case runs past the `for` of the alerts on missing data.
 */
export const LIFECYCLE_CASE_STEPS = 60;

export interface TestCost {
  /** Steps promtool evaluates over all cases. */
  steps: number;
  /** Rule evaluations per step: every gate's rules and the migration's own (see GATE_RULE_WEIGHT). */
  perStep: number;
  /** steps x perStep: rule evaluations, the unit of the budget. */
  total: number;
  /** The gate whose cases run longest, and their length. */
  longest?: { id: string; steps: number };
}

/**
 * Work per step, in rule evaluations: each gate's value, state and three alerts, plus a quarter of
 * a rule per selector of its signal (series that hold no data in a case are cheap to look up:
 * 20 selectors per signal cost promtool 15 % more than 1, measured), and the migration's own
 * recording rules and alerts.
 */
export const GATE_RULE_WEIGHT = 5;
export const SELECTOR_WEIGHT = 0.25;
export const META_RULE_WEIGHT = 10;

/**
 * What promtool will evaluate for a migration's generated tests: every group evaluates every rule
 * at every step. Gate cases are packed (packGates): per class of gates, one group per slot, as
 * long as the longest case of that slot in the class, whose timeline starts once the longest
 * range window of the class is full: an upper bound, since tests.ts starts a class earlier when
 * its values settle earlier (`settledAtOnce` gives the lower bound).
 */
export function testCost(gates: readonly TestCostGate[], stalledAfterSeconds: number, scrapeIntervalSeconds: number, opts: { settledAtOnce?: boolean } = {}): TestCost {
  // The lifecycle case with no input runs past the `for` of the alerts on missing data.
  const missingFor = Math.max(steps(METRICS_ABSENT_FOR_SECONDS), ...gates.map((g) => steps(g.pauseForSeconds)));
  let total = metaCaseSteps(stalledAfterSeconds, scrapeIntervalSeconds) + LIFECYCLE_CASE_STEPS + missingFor + 3;
  let longest: TestCost['longest'];
  for (const cls of packGates(gates.map((g) => ({ ...g, phaseKey: g.phaseKey ?? '' })))) {
    // `settledAtOnce`: the lower bound, every class's phase starting at step 1 (tests.ts earlyStart)
    // and every recovery green at once (tests.ts recoveredEarly).
    const windowMs = opts.settledAtOnce ? [] : cls.flatMap((g) => g.windowMs);
    const slots = new Map<GateSlot, number>();
    for (const g of cls) {
      const s = gateSlotSteps(gateTimeline(windowMs, g.pauseForSeconds, g.rollbackForSeconds, opts.settledAtOnce ? [] : g.windowMs), g.expectedSeries, gateTimeline([], g.pauseForSeconds, g.rollbackForSeconds));
      for (const k of GATE_SLOTS) if (s[k] !== undefined) slots.set(k, Math.max(slots.get(k) ?? 0, s[k]!));
      const max = Math.max(...Object.values(s));
      if (!longest || max > longest.steps) longest = { id: g.id, steps: max };
    }
    for (const n of slots.values()) total += n;
  }
  const perStep = META_RULE_WEIGHT + gates.reduce((a, g) => a + GATE_RULE_WEIGHT + SELECTOR_WEIGHT * g.selectors, 0);
  return { steps: total, perStep, total: total * perStep, ...(longest ? { longest } : {}) };
}
