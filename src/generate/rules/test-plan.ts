/**
 * The shape of the generated promtool tests, as numbers: the one-minute step, when each gate case
 * switches into its phase, when its alerts fire, and how many steps each case runs. The
 * synthesizer (tests.ts) builds its cases from these, and validation (the rule-test-cost rule)
 * estimates from the same numbers what promtool will have to evaluate, so a definition whose
 * tests promtool could not run in a few minutes is refused before anything is generated.
 *
 * Kept free of heavy imports: `migobs validate` loads it.
 */

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

export function gateTimeline(windowMs: readonly number[], pauseForSeconds: number, rollbackForSeconds: number): GateTimeline {
  const windowSteps = Math.max(0, ...windowMs.map((ms) => steps(ms / 1000)));
  const start = windowSteps + 1;
  const fire = { pause: start + steps(pauseForSeconds), rollback: start + steps(rollbackForSeconds) };
  const late = Math.max(fire.pause, fire.rollback) + 1;
  return { windowSteps, start, fire, late, recoverFrom: late, recovered: late + windowSteps + 2 };
}

/**
 * Evaluations promtool runs for each case of one gate, at most: a case is evaluated at every step
 * from 0 to its last check (tests.ts gateTests): green, pause held, pause not yet, rollback held,
 * rollback not yet, at each threshold, absent, outside the gate's phases, recovery.
 */
export function gateCaseSteps(t: GateTimeline): number[] {
  const upTo = (step: number): number => step + 1;
  return [upTo(t.late), upTo(t.late), upTo(t.fire.pause - 1), upTo(t.fire.rollback), upTo(t.fire.rollback - 1), upTo(t.late), upTo(t.late), upTo(t.fire.pause), upTo(t.late), upTo(t.recovered)];
}

/** The stalled alert's hold: stalledAfter already waits; this only rides out one late scrape. */
export const stalledForSeconds = (scrapeIntervalSeconds: number): number => Math.max(60, 2 * scrapeIntervalSeconds);

/** Holds of the ETA-overrun and metrics-absent alerts (rules.ts META; a unit test keeps them equal). */
export const ETA_OVERRUN_FOR_SECONDS = 15 * 60;
export const METRICS_ABSENT_FOR_SECONDS = 10 * 60;

export function stallTimeline(stalledAfterSeconds: number, scrapeIntervalSeconds: number): { stallStep: number; stallFire: number } {
  const stallStep = Math.floor(stalledAfterSeconds / STEP_SECONDS) + 1; // first step strictly past stalledAfter
  return { stallStep, stallFire: stallStep + steps(stalledForSeconds(scrapeIntervalSeconds)) };
}

/** Steps of the migration-wide cases (stalled x4, ETA overrun x2, metrics absent x2, current phase), at most. */
export function metaCaseSteps(stalledAfterSeconds: number, scrapeIntervalSeconds: number): number[] {
  const stall = stallTimeline(stalledAfterSeconds, scrapeIntervalSeconds).stallFire + 1;
  const eta = 6 + steps(ETA_OVERRUN_FOR_SECONDS) + 1;
  const absent = steps(METRICS_ABSENT_FOR_SECONDS) + 1;
  return [stall, stall, stall, stall, eta, eta, absent, absent, 2];
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
}

/**
 * The gate value's guard cases (tests.ts): a NaN input series always; with an expected series
 * count also one series too many, and one too few when more than one is expected. Each runs until
 * the pause alert's `for` has passed.
 */
export function guardCaseSteps(t: GateTimeline, expectedSeries: number | undefined): number[] {
  const cases = 1 + (expectedSeries === undefined ? 0 : 1 + (expectedSeries > 1 ? 1 : 0));
  return Array.from({ length: cases }, () => t.fire.pause + 1);
}

/** Steps of the lifecycle cases (lifecycle-tests.ts: 2h with no runner, a crash, a restart, finished, the schedule), at most: fixed per migration. */
export const LIFECYCLE_CASE_STEPS = 200;

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

/** What promtool will evaluate for a migration's generated tests: every case evaluates every rule at every step. */
export function testCost(gates: readonly TestCostGate[], stalledAfterSeconds: number, scrapeIntervalSeconds: number): TestCost {
  let total = metaCaseSteps(stalledAfterSeconds, scrapeIntervalSeconds).reduce((a, b) => a + b, 0) + LIFECYCLE_CASE_STEPS;
  let longest: TestCost['longest'];
  for (const g of gates) {
    const timeline = gateTimeline(g.windowMs, g.pauseForSeconds, g.rollbackForSeconds);
    const caseSteps = [...gateCaseSteps(timeline), ...guardCaseSteps(timeline, g.expectedSeries)];
    total += caseSteps.reduce((a, b) => a + b, 0);
    const max = Math.max(...caseSteps);
    if (!longest || max > longest.steps) longest = { id: g.id, steps: max };
  }
  const perStep = META_RULE_WEIGHT + gates.reduce((a, g) => a + GATE_RULE_WEIGHT + SELECTOR_WEIGHT * g.selectors, 0);
  return { steps: total, perStep, total: total * perStep, ...(longest ? { longest } : {}) };
}
