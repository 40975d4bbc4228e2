/**
 * rules.test.yaml, lifecycle cases (docs/definition.md "Lifecycle"): every alert of the migration
 * is guarded by `migration:lifecycle:active`, so
 *
 * - no input series: no alert at all, not even pending, past the `for` of every alert on missing
 *   data (the rules may be loaded long before the migration starts);
 * - the runner exported its phase, then vanished without finishing: MigrationMetricsAbsent fires,
 *   and the gates whose signals went with it fire their absent-signal alerts (the last phase the
 *   runner reported is kept, so gate alerts keep their phase while it is gone);
 * - a runner that restarts within MigrationMetricsAbsent's `for` does not page;
 * - the runner reported `migration_finished 1`: nothing, while it still runs and after it is gone;
 *   a new run of the same migration (migration_finished 0 again) is watched again;
 * - with spec.schedule: nothing while the clock is outside [notBefore, notAfter).
 *
 * The expectations come from the same step-by-step simulation as the gate cases, with the
 * lifecycle, the current phase and the metrics-absent condition evaluated by promql-eval.ts from
 * the very expressions in rules.yaml. The number of cases does not depend on the number of gates,
 * and each lists every gate's alert at most a few times: the file stays linear in gates.
 *
 * promtool 2.x starts its clock at 1970-01-01T00:00:00Z and cannot move it, so a real schedule
 * (years later) is never open in a test: the other cases feed the recorded schedule state
 * (`migration:schedule:open`) where the rule itself is closed; the schedule case feeds nothing and
 * shows the rule closed; the boundaries are pinned by evaluating the rule's clause at fixed instants.
 */
import type { ResolvedMigration } from '../../model/types';
import { eq, selector } from '../../promql/matchers';
import { boundedCache } from '../../util/memo';
import { formatUtc } from '../../util/timestamp';
import { ALERT, RECORD } from '../names';
import { parseAst } from './promql-ast';
import { evaluate, type Db, type Series } from './promql-eval';
import { otherIdMatcher, withoutId } from './own-id';
import * as q from './promql';
import type { AlertingRule } from './rules';
import { labelsFor } from './test-inputs';
import {
  STEP,
  STEP_SECONDS,
  evalTime,
  expectedAlert,
  feedsGreen,
  greenGates,
  inputSeries,
  notPendingAt,
  sampleLabels,
  secondsOf,
  simulateGates,
  steps,
  type AlertTest,
  type ExprTest,
  type TestGroup,
} from './tests';

/** The lifecycle of one test case, step by step, as the recording rules compute it. */
export interface LifecycleSteps {
  /** migration:lifecycle:active has a sample. */
  active: boolean[];
  /** The phases of migration:phase:current (usually one; none before the runner is seen). */
  phases: string[][];
  /** `absent(migration_phase{...})`: the metrics-absent condition before the lifecycle guard. */
  phaseAbsent: boolean[];
}

const returnsSamples = (expr: string, db: Db, step: number): boolean => {
  const v = evaluate(parseAst(expr), db, step);
  return v.k === 'scalar' || v.v.length > 0;
};

/** Where the schedule rule (q.scheduleOpenExpr) is open at each step (always, without a schedule). */
function scheduleRuleOpen(rule: string | undefined, length: number): boolean[] {
  const empty: Db = { stepSeconds: STEP_SECONDS, series: [] };
  return Array.from({ length }, (_, i) => rule === undefined || returnsSamples(rule, empty, i));
}

/**
 * The recorded schedule state a case feeds so that the rest of the lifecycle can be tested: one
 * sample at every step where the rule is closed (promtool's 1970 clock is before any real
 * notBefore); nothing without a schedule or where the rule is open by itself.
 */
export function scheduleFeed(m: ResolvedMigration, length: number): Series[] {
  const open = scheduleRuleOpen(q.scheduleOpenExpr(m), length);
  if (open.every(Boolean)) return [];
  return [{ labels: { __name__: RECORD.scheduleOpen, migration_id: m.id }, samples: open.map((o) => (o ? undefined : 1)) }];
}

/** The series the lifecycle expressions read; nothing else changes their result. */
const LIFECYCLE_METRICS = new Set<string>(['migration_phase', 'migration_finished', RECORD.scheduleOpen]);

/**
 * Every gate case of a migration feeds the same phase series (only the signal's inputs differ),
 * and migrations with the same phases, runner labels and schedule differ only in their id: the
 * lifecycle is evaluated once per distinct lifecycle input in the run, keyed without the id
 * (lifecycleKey). The steps say nothing of the id, and the evaluator treats a label value as an
 * opaque string (own-id.ts): where every series carrying `migration_id` has this migration's id
 * and the expressions name it only in `migration_id="<id>"` matchers, another id in both places
 * gives the same steps; grouping `by (migration_id)` or joining `on (migration_id)` sees one value
 * either way. An id found anywhere else stays in the key, so such migrations share nothing.
 */
const sharedLifecycles = boundedCache<LifecycleSteps>(500);

/** How many lifecycles this run evaluated and how many it found made (tests check the sharing happens). */
export const sharedLifecycleCounts = { evaluated: 0, reused: 0 };

/** Forget every lifecycle evaluated so far (tests.ts forgetSharedCases: a run that shares nothing). */
export function forgetSharedLifecycles(): void {
  sharedLifecycles.clear();
}

/**
 * migration:lifecycle:active, and (`full`) migration:phase:current and absent(migration_phase),
 * per step. The gate cases give the phase themselves and need only `active`. Never changed once
 * made: callers share it.
 */
export function lifecycleSteps(m: ResolvedMigration, series: Series[], length: number, full = true): LifecycleSteps {
  const relevant = series.filter((s) => LIFECYCLE_METRICS.has(s.labels.__name__!));
  const exprs = lifecycleExprs(m);
  const key = lifecycleKey(m.id, exprs, relevant, length, full);
  let steps = sharedLifecycles.get(key);
  if (steps) sharedLifecycleCounts.reused++;
  else {
    sharedLifecycleCounts.evaluated++;
    sharedLifecycles.set(key, (steps = evaluateLifecycle(exprs, relevant, length, full)));
  }
  return steps;
}

/** What the lifecycle over `relevant` depends on, with the migration's `id` left out where it is only a label value (sharedLifecycles). */
function lifecycleKey(id: string, exprs: LifecycleExprs, relevant: Series[], length: number, full: boolean): string {
  const texts = exprs.map((t) => (t === undefined ? null : withoutId(t, id)));
  // Another matcher on the label could tell two ids apart (the selector may not set one, so this
  // does not happen today): then the id stays in the key and nothing is shared.
  if (texts.some((t) => t !== null && otherIdMatcher(t))) return JSON.stringify([length, full, exprs, relevant]);
  const series = relevant.map((s) => (s.labels.migration_id === id ? { ...s, labels: { ...s.labels, migration_id: null } } : s));
  return JSON.stringify([length, full, texts, series]);
}

type LifecycleExprs = [schedule: string | undefined, fedOpen: string, seen: string, finished: string, current: string, absent: string];

/** The expressions evaluateLifecycle reads: the key (lifecycleKey) is made of the very texts evaluated. */
function lifecycleExprs(m: ResolvedMigration): LifecycleExprs {
  return [q.scheduleOpenExpr(m), selector(RECORD.scheduleOpen, [eq('migration_id', m.id)]), q.runnerSeenExpr(m), q.runnerFinishedExpr(m), q.currentPhaseExpr(m), q.metricsAbsentExpr(m)];
}

function evaluateLifecycle(exprs: LifecycleExprs, series: Series[], length: number, full: boolean): LifecycleSteps {
  const db: Db = { stepSeconds: STEP_SECONDS, series };
  const [schedule, fedOpen, seen, finished, currentText, absent] = exprs;
  const ruleOpen = scheduleRuleOpen(schedule, length);
  const current = parseAst(currentText);
  const out: LifecycleSteps = { active: [], phases: [], phaseAbsent: [] };
  for (let i = 0; i < length; i++) {
    // The rule's own output and a fed series of the same name are one series to the next rule.
    const open = ruleOpen[i]! || returnsSamples(fedOpen, db, i);
    out.active.push(open && returnsSamples(seen, db, i) && !returnsSamples(finished, db, i));
    if (!full) continue;
    const phases = evaluate(current, db, i);
    out.phases.push(phases.k === 'vector' ? [...new Set(phases.v.map((s) => s.labels.phase!))].sort() : []);
    out.phaseAbsent.push(returnsSamples(absent, db, i));
  }
  return out;
}

/** Pending-or-firing and firing, for a condition held for `forSeconds` (Prometheus' `for`). */
function hold(cond: boolean[], forSeconds: number): { pending: boolean[]; firing: boolean[] } {
  let since: number | undefined;
  const firing = cond.map((c, i) => {
    if (!c) {
      since = undefined;
      return false;
    }
    since ??= i;
    return (i - since) * STEP_SECONDS >= forSeconds;
  });
  return { pending: cond, firing };
}

interface Alert {
  labels: Record<string, string>;
  pending: boolean[];
  firing: boolean[];
}

export function lifecycleTests(m: ResolvedMigration, alerts: AlertingRule[]): TestGroup[] {
  const own = labelsFor(m.migrationMatchers);
  const byId = [eq('migration_id', m.id)];
  const rule = (name: string): AlertingRule => alerts.find((a) => a.alert === name)!;
  const metricsAbsent = rule(ALERT.metricsAbsent);
  // absent() labels: the equality matchers of the selector (migration_id and e.g. job).
  const absentLabels = { ...Object.fromEntries(m.migrationMatchers.filter((x) => x.op === '=').map((x) => [x.name, x.value])), ...metricsAbsent.labels };
  // A phase where gates apply (their absent-signal alerts show the runner is being watched).
  const phase = q.progressPhases(m)[0] ?? m.phases[0]?.id ?? 'run';
  const phaseGates = m.gates.filter((g) => g.phases.includes(phase));
  const gateFire = Math.max(0, ...phaseGates.map((g) => steps(g.pauseForSeconds)));
  const absentFire = steps(secondsOf(metricsAbsent.for));
  // The crash, restart and finished cases feed every gate's recorded value green but one (the
  // witness: of the gates of the phase, the one with the shortest hold), so that few alerts are
  // active: promtool expands every active alert's annotations at every step. The witness and
  // any gate that cannot be fed (tests.ts feedsGreen) show the gate alerts' lifecycle.
  const eligible = new Set(m.gates.filter((g) => feedsGreen(m, g, 1)).map((g) => g.id));
  const witness = phaseGates.filter((g) => eligible.has(g.id)).reduce<(typeof phaseGates)[number] | undefined>((a, g) => (!a || g.pauseForSeconds < a.pauseForSeconds ? g : a), undefined)?.id;
  const watchedFire = Math.max(0, ...phaseGates.filter((g) => g.id === witness || !eligible.has(g.id)).map((g) => steps(g.pauseForSeconds)));

  const phaseSeries = (samples: Array<number | undefined>): Series => ({ labels: { __name__: 'migration_phase', ...own, phase }, samples });
  const finishedSeries = (samples: Array<number | undefined>): Series => ({ labels: { __name__: 'migration_finished', ...own }, samples });
  const allAlerts = selector('ALERTS', byId);
  const firingAlerts = selector('ALERTS', [...byId, eq('alertstate', 'firing')]);

  /** Every alert of the migration over the case's inputs, from the simulation. */
  const simulate = (series: Series[], length: number): { life: LifecycleSteps; alerts: Alert[] } => {
    const life = lifecycleSteps(m, series, length);
    const phaseAt = (i: number): string | undefined => (life.phases[i]!.length === 1 ? life.phases[i]![0] : undefined);
    if (life.phases.some((p) => p.length > 1)) throw new Error('rules.test.yaml generator: a lifecycle case with two current phases');
    const sims = simulateGates(m, { stepSeconds: STEP_SECONDS, series }, phaseAt, (i) => life.active[i]!, length);
    const out: Alert[] = [];
    for (const g of m.gates) {
      const sim = sims.get(g.id)!;
      for (const [kind, name] of [['pause', ALERT.pause], ['rollback', ALERT.rollback], ['absent', ALERT.absent]] as const) {
        const r = alerts.find((a) => a.alert === name && a.labels.gate === g.id)!;
        // Gate alerts carry the phase of the join (a lifecycle case has one phase throughout).
        out.push({ labels: { alertname: name, ...r.labels, phase }, ...sim.everyStep(kind) });
      }
    }
    const absentHold = hold(life.phaseAbsent.map((a, i) => a && life.active[i]!), secondsOf(metricsAbsent.for));
    out.push({ labels: { alertname: ALERT.metricsAbsent, ...absentLabels }, ...absentHold });
    // Stalled and ETA overrun read progress metrics that no lifecycle case feeds: never pending.
    return { life, alerts: out };
  };

  /** `ALERTS{migration_id}` is empty at `step`: nothing pending, nothing firing. */
  const nothingAt = (sim: { alerts: Alert[] }, step: number, caseName: string): ExprTest => {
    const busy = sim.alerts.filter((a) => a.pending[step]);
    if (busy.length) throw new Error(`rules.test.yaml generator: lifecycle case "${caseName}": ${busy.map((a) => a.labels.alertname).join(', ')} pending at ${step}m`);
    return { expr: allAlerts, eval_time: evalTime(step), exp_samples: [] };
  };
  /** `ALERTS{alertname="MigrationMetricsAbsent"}` is empty at `step`: not pending, not firing. */
  const metricsAbsentQuiet = (sim: { alerts: Alert[] }, step: number, caseName: string): ExprTest => {
    if (sim.alerts.at(-1)!.pending[step]) throw new Error(`rules.test.yaml generator: lifecycle case "${caseName}": ${ALERT.metricsAbsent} pending at ${step}m`);
    return notPendingAt(m, ALERT.metricsAbsent, step);
  };
  /** Exactly the simulated firing alerts at `step`. */
  const firingAt = (sim: { alerts: Alert[] }, step: number): ExprTest => ({
    expr: firingAlerts,
    eval_time: evalTime(step),
    exp_samples: sim.alerts.filter((a) => a.firing[step]).map((a) => ({ labels: sampleLabels('ALERTS', { ...a.labels, alertstate: 'firing' }), value: 1 })),
  });
  const activeAt = (sim: { life: LifecycleSteps }, step: number): ExprTest => ({
    expr: selector(RECORD.lifecycleActive, byId),
    eval_time: evalTime(step),
    exp_samples: sim.life.active[step] ? [{ labels: sampleLabels(RECORD.lifecycleActive, { migration_id: m.id }), value: 1 }] : [],
  });
  const group = (name: string, series: Series[], length: number, tests: { alert?: AlertTest[]; expr?: ExprTest[] }): TestGroup => ({
    name: `lifecycle: ${name}`,
    interval: STEP,
    input_series: series.map((s) => inputSeries(s, length)),
    ...(tests.alert?.length ? { alert_rule_test: tests.alert } : {}),
    ...(tests.expr?.length ? { promql_expr_test: tests.expr } : {}),
  });
  const out: TestGroup[] = [];

  // 1. Rules loaded, migration not started: no input at all.
  {
    // Until the alerts that fire on missing data (absent signal, metrics absent) would have fired,
    // and one step more. With no input series nothing a rule reads changes from one step to the
    // next (no rule reads the clock but the schedule's, which promtool's 1970 clock keeps closed),
    // so nothing pending now is nothing pending for hours; promtool evaluates every rule at every
    // minute, so a longer case only costs time.
    const end = Math.max(absentFire, ...m.gates.map((g) => steps(g.pauseForSeconds))) + 2;
    const name = `no input series for ${end}m, past the \`for\` of every alert on missing data (rules loaded before the migration starts): no alert at all`;
    const sim = simulate([], end + 1);
    out.push(
      group(name, [], end + 1, {
        alert: [{ eval_time: evalTime(end), alertname: ALERT.metricsAbsent, exp_alerts: [] }],
        expr: [nothingAt(sim, absentFire + 1, name), nothingAt(sim, end, name), activeAt(sim, end)],
      }),
    );
  }

  // 2. The runner ran, then vanished without finishing (a crash).
  {
    const name = `runner seen, then gone without finishing: ${ALERT.metricsAbsent} fires after ${metricsAbsent.for}, and the absent-signal alerts of phase ${phase}${witness ? ` (of gate ${witness}; the other gates read green)` : ''}`;
    const alive = 5; // runner samples at steps 0..4
    let length = alive + 5 + absentFire + 3;
    const inputs = (n: number): Series[] => [
      ...scheduleFeed(m, n),
      ...greenGates(m, n, witness),
      phaseSeries(Array.from({ length: n }, (_, i) => (i < alive ? 1 : undefined))),
      finishedSeries(Array.from({ length: n }, (_, i) => (i < alive ? 0 : undefined))),
    ];
    // Gates with a long `for` fire late: wait for them too.
    length = Math.max(length, watchedFire + 2);
    const sim = simulate(inputs(length), length);
    const fire = sim.alerts.at(-1)!.firing.indexOf(true);
    if (fire < 0) throw new Error('rules.test.yaml generator: MigrationMetricsAbsent never fires after the runner is gone');
    const last = Math.max(fire, watchedFire + 1);
    out.push(
      group(name, inputs(last + 1), last + 1, {
        alert: [
          { eval_time: evalTime(fire - 1), alertname: ALERT.metricsAbsent, exp_alerts: [] },
          { eval_time: evalTime(fire), alertname: ALERT.metricsAbsent, exp_alerts: [expectedAlert(metricsAbsent, absentLabels, 1)] },
        ],
        expr: [
          firingAt(sim, last),
          activeAt(sim, last),
          // The runner is gone; the phase it last reported is kept for the gate alerts.
          {
            expr: selector(RECORD.currentPhase, byId),
            eval_time: evalTime(last),
            exp_samples: [{ labels: sampleLabels(RECORD.currentPhase, { migration_id: m.id, phase }), value: 1 }],
          },
        ],
      }),
    );
  }

  // 3. The runner restarts: gone for 8 minutes (absent for 3 after the 5m lookback), then back.
  {
    const name = `runner restarts (no samples for 8m): ${ALERT.metricsAbsent} stays quiet`;
    const back = 13; // samples at 0..4, none at 5..12, again from 13
    // Pending while gone (after the lookback), not even pending once back: it never fires.
    const length = back + 1;
    const series = [...scheduleFeed(m, length), ...greenGates(m, length), phaseSeries(Array.from({ length }, (_, i) => (i < 5 || i >= back ? 1 : undefined))), finishedSeries(Array.from({ length }, (_, i) => (i < 5 || i >= back ? 0 : undefined)))];
    const sim = simulate(series, length);
    if (!sim.alerts.at(-1)!.pending.some(Boolean)) throw new Error('rules.test.yaml generator: the restart case never makes MigrationMetricsAbsent pending');
    out.push(
      group(name, series, length, {
        alert: [{ eval_time: evalTime(back - 1), alertname: ALERT.metricsAbsent, exp_alerts: [] }],
        expr: [activeAt(sim, back - 1), metricsAbsentQuiet(sim, back, name)],
      }),
    );
  }

  // 4. Finished: migration_finished 1, the runner stops; later a new run starts.
  {
    const name = 'runner reports migration_finished 1, then stops: nothing fires; a new run (migration_finished 0) is watched again';
    const finishAt = Math.max(3, watchedFire + 1); // the absent-signal alerts fire before it
    const stopAt = finishAt + 3;
    // Gone past the 5m lookback, where MetricsAbsent would be pending: nothing is (nothingAt below).
    const restartAt = stopAt + 5 + 2;
    const length = restartAt + Math.max(3, watchedFire + 1) + 1;
    const running = (i: number): boolean => i < stopAt || i >= restartAt;
    const series = [
      ...scheduleFeed(m, length),
      ...greenGates(m, length, witness),
      phaseSeries(Array.from({ length }, (_, i) => (running(i) ? 1 : undefined))),
      finishedSeries(Array.from({ length }, (_, i) => (!running(i) ? undefined : i >= finishAt && i < stopAt ? 1 : 0))),
    ];
    const sim = simulate(series, length);
    out.push(
      group(name, series, length, {
        expr: [
          firingAt(sim, finishAt - 1),
          nothingAt(sim, finishAt, name),
          activeAt(sim, finishAt),
          nothingAt(sim, restartAt - 1, name),
          firingAt(sim, length - 1),
          activeAt(sim, length - 1),
        ],
      }),
    );
  }

  // 5. The schedule: the runner is active, but the clock is outside [notBefore, notAfter).
  const open = q.scheduleOpenExpr(m);
  if (open !== undefined && m.schedule) {
    const s = m.schedule;
    const warm = Math.max(3, gateFire + 1);
    const horizon = 6 * 60;
    const ruleOpen = scheduleRuleOpen(q.scheduleOpenExpr(m), horizon + 1);
    const evals = new Set<number>([warm]);
    ruleOpen.forEach((o, i) => {
      if (i > 0 && o !== ruleOpen[i - 1] && i + warm <= horizon) evals.add(i + warm);
    });
    const evalSteps = [...evals].sort((a, b) => a - b);
    const length = evalSteps.at(-1)! + 1;
    const series = [phaseSeries(Array.from({ length }, () => 1)), finishedSeries(Array.from({ length }, () => 0))];
    const sim = simulate(series, length);
    const bounds = [s.notBefore ? `notBefore ${s.notBefore.text}` : '', s.notAfter ? `notAfter ${s.notAfter.text}` : ''].filter(Boolean).join(', ');
    const name = `spec.schedule (${bounds}): runner active, every signal absent: alerts only while the clock is inside the schedule (promtool's clock starts at ${formatUtc(0)})`;
    const exprs: ExprTest[] = [];
    for (const step of evalSteps) {
      exprs.push(sim.life.active[step] ? firingAt(sim, step) : nothingAt(sim, step, name));
      exprs.push({
        expr: selector(RECORD.scheduleOpen, byId),
        eval_time: evalTime(step),
        exp_samples: ruleOpen[step] ? [{ labels: sampleLabels(RECORD.scheduleOpen, { migration_id: m.id }), value: 1 }] : [],
      });
    }
    // The boundaries at the real instants, through the rule's own clause with time() fixed:
    // [notBefore, notAfter) is half-open.
    const at = (seconds: number, isOpen: boolean): ExprTest => ({ expr: q.scheduleOpenExpr(m, seconds)!, eval_time: evalTime(0), exp_samples: isOpen ? [{ labels: '{}', value: 1 }] : [] });
    const nb = s.notBefore?.seconds;
    const na = s.notAfter?.seconds;
    const inside = nb !== undefined && na !== undefined ? nb + (na - nb) / 2 : nb !== undefined ? nb + 1 : na! - 1;
    if (nb !== undefined) exprs.push(at(nb - 1, false), at(nb, true));
    exprs.push(at(inside, true));
    if (na !== undefined) exprs.push(at(na - 1 >= (nb ?? -Infinity) ? na - 1 : inside, true), at(na, false));
    out.push(group(name, series, length, { expr: exprs }));
  }
  return out;
}
