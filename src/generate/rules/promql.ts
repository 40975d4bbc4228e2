/**
 * PromQL of every rule in rules.yaml, built from the model. The recording rules, the alerts,
 * the unit tests and alerts.md all take their expressions from here, so they cannot disagree.
 * User values only ever enter as matcher values (quoted by formatMatchers) or as numbers
 * (formatted by promNumber).
 */
import type { ResolvedGate, ResolvedMigration } from '../../model/types';
import { gateValueOf } from '../../promql/gate-value';
import { eq, re, selector, type LabelMatcher } from '../../promql/matchers';
import { LIFECYCLE_LOOKBACK, RECORD } from '../names';

/**
 * A number as PromQL and promtool's series notation read it back to the same float64: JS's
 * shortest round-trip form (`10`, `0.05`, `1e-9`, `1e+21`), which Go's ParseFloat also accepts.
 */
export function promNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return Object.is(n, -0) ? '0' : String(n);
}

/** An RE2 regex matching exactly one of the given literal values. */
export function regexAlternation(values: string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`)).join('|');
}

const byId = (m: ResolvedMigration): LabelMatcher[] => [eq('migration_id', m.id)];
/** The migration's own matchers: migration_id plus the definition's selector. */
const own = (m: ResolvedMigration): LabelMatcher[] => m.migrationMatchers;

/** Selectors of the recording rules' outputs. */
export const gateValueSelector = (m: ResolvedMigration, g: ResolvedGate): string =>
  selector(RECORD.gateValue, [...byId(m), eq('gate', g.id)]);
export const gateStateSelector = (m: ResolvedMigration, g: ResolvedGate): string =>
  selector(RECORD.gateState, [...byId(m), eq('gate', g.id)]);
/** The current phase, restricted to the given phases (all phases when omitted). */
export const currentPhaseSelector = (m: ResolvedMigration, phases?: string[]): string =>
  selector(RECORD.currentPhase, phases ? [...byId(m), re('phase', regexAlternation(phases))] : byId(m));

/** `>` for above, `<` for below: strictly past the threshold (a value at the threshold is green). */
export const pastOp = (g: ResolvedGate): '>' | '<' => (g.direction === 'above' ? '>' : '<');

// Recording rules -------------------------------------------------------------------------

export function rowsRateExpr(m: ResolvedMigration): string {
  return `sum by (migration_id) (rate(${selector('migration_rows_processed_total', own(m))}[5m]))`;
}

export function progressExpr(m: ResolvedMigration): string {
  const processed = `max by (migration_id) (${selector('migration_rows_processed_total', own(m))})`;
  const total = `max by (migration_id) (${selector('migration_rows_total', own(m))})`;
  return `clamp_max(clamp_min(${processed} / (${total} > 0), 0), 1)`;
}

/** Remaining rows over the current rate; absent while nothing moves (no infinite ETA). */
export function etaExpr(m: ResolvedMigration): string {
  const processed = `max by (migration_id) (${selector('migration_rows_processed_total', own(m))})`;
  const total = `max by (migration_id) (${selector('migration_rows_total', own(m))})`;
  return `clamp_min(${total} - ${processed}, 0) / (${selector(RECORD.rowsRate, byId(m))} > 0)`;
}

/** Failed batches over all batches; 0 (not absent) while batches succeed. */
export function batchErrorRatioExpr(m: ResolvedMigration): string {
  const all = `sum by (migration_id) (rate(${selector('migration_batches_total', own(m))}[5m]))`;
  const errors = `sum by (migration_id) (rate(${selector('migration_batches_total', [...own(m), eq('outcome', 'error')])}[5m]))`;
  return `(${errors} or ${all} * 0) / (${all} > 0)`;
}

/**
 * The phase whose migration_phase is 1; while the runner exports none (it crashed, or restarts),
 * the last phase it reported within the lifecycle lookback, so gate alerts keep their phase and a
 * gate past rollback keeps firing while the runner is gone.
 */
export function currentPhaseExpr(m: ResolvedMigration): string {
  const phase = selector('migration_phase', own(m));
  return `max by (migration_id, phase) (${phase} == 1) or on (migration_id) max by (migration_id, phase) (last_over_time(${phase}[${LIFECYCLE_LOOKBACK}]) == 1)`;
}

/**
 * The gate value: the worst series of the signal, absent (gate unknown) when the result is NaN,
 * when any input series is NaN, or when the signal has not exactly the series count its target
 * expects. Shared with `migobs gate`: see src/promql/gate-value.ts.
 */
export function gateValueExpr(m: ResolvedMigration, g: ResolvedGate): string {
  return gateValueOf(m, g).value;
}

/** 0 green, 1 pause, 2 rollback, 3 unknown (no gate value). */
export function gateStateExpr(m: ResolvedMigration, g: ResolvedGate): string {
  const v = gateValueSelector(m, g);
  const op = pastOp(g);
  return `(${v} ${op} bool ${promNumber(g.pause)}) + (${v} ${op} bool ${promNumber(g.rollback)}) or on () vector(3)`;
}

/**
 * The gate state computed from the signal itself, without the recording rules, for
 * Grafana-managed alert rules (the grafana-alerting flavour). While the migration is active (the
 * lifecycle of the Prometheus rules, inlined: lifecycleActiveStandaloneExpr): like
 * migration:gate:state (0 green, 1 pause, 2 rollback, 3 unknown) in one of the gate's phases, 0 in
 * its other phases, and nothing at all when the migration exports no phase right now (the rule's
 * noDataState decides then: a runner that vanished mid-migration is never green). While it is not
 * active (not seen for the lookback, finished, outside spec.schedule): 0, so a migration that is
 * over or has not started leaves its rules quiet, as the Prometheus alerts are
 * (docs/deploy.md#grafana-alerting).
 */
export function gateStateStandaloneExpr(m: ResolvedMigration, g: ResolvedGate): string {
  const v = `(${gateValueExpr(m, g)})`;
  const op = pastOp(g);
  const state = `(${v} ${op} bool ${promNumber(g.pause)}) + (${v} ${op} bool ${promNumber(g.rollback)}) or on () vector(3)`;
  const inPhases = `max(${selector('migration_phase', [...own(m), re('phase', regexAlternation(g.phases))])} == 1)`;
  const anyPhase = `max(${selector('migration_phase', own(m))} == 1)`;
  const active = lifecycleActiveStandaloneExpr(m);
  return `(((${state}) and on () ${inPhases}) or on () (0 * ${anyPhase})) and on () (${active}) or on () (vector(0) unless on () (${active}))`;
}

// Alerts ------------------------------------------------------------------------------------

/**
 * A gate alert: the gate value strictly past the threshold, joined to the current phase so the
 * alert only exists in the gate's phases and carries the `phase` label. The phase is the "many"
 * side, so two phases exported at once during a switch cannot break the join.
 */
export function gateAlertExpr(m: ResolvedMigration, g: ResolvedGate, threshold: number): string {
  return `${currentPhaseSelector(m, g.phases)} * on (migration_id) group_left (gate) (${gateValueSelector(m, g)} ${pastOp(g)} ${promNumber(threshold)})`;
}

/** The gate has no value (its signal returned nothing), in one of its phases. */
export function gateAbsentExpr(m: ResolvedMigration, g: ResolvedGate): string {
  return `${currentPhaseSelector(m, g.phases)} * on (migration_id) group_left (gate) absent(${gateValueSelector(m, g)})`;
}

/**
 * Phases in which the runner is expected to make progress: those where any gate applies. Preflight
 * (hours of baselining before the first batch) and closeout have no gates, so a runner that is
 * idle there by design does not page as stalled. Every phase when no gate names one.
 */
export function progressPhases(m: ResolvedMigration): string[] {
  const ids = m.phases.map((p) => p.id).filter((id) => m.gates.some((g) => g.phases.includes(id)));
  return ids.length ? ids : m.phases.map((p) => p.id);
}

/**
 * No progress for stalledAfter, in a progress phase, while the runner is neither throttled nor
 * done. The value is the seconds since the last progress; the phase join adds the `phase` label.
 */
export function stalledExpr(m: ResolvedMigration): string {
  const since = `time() - max by (migration_id) (${selector('migration_last_progress_timestamp_seconds', own(m))})`;
  const throttled = `max by (migration_id) (${selector('migration_throttled', own(m))}) == 1`;
  const done = `max by (migration_id) (${selector('migration_rows_processed_total', own(m))}) >= max by (migration_id) (${selector('migration_rows_total', own(m))})`;
  return `${currentPhaseSelector(m, progressPhases(m))} * on (migration_id) group_left () ((${since} > ${promNumber(m.stalledAfterSeconds)}) unless on (migration_id) (${throttled}) unless on (migration_id) (${done}))`;
}

export function etaOverrunExpr(m: ResolvedMigration, expectedSeconds: number): string {
  return `${currentPhaseSelector(m)} * on (migration_id) group_left () (${selector(RECORD.eta, byId(m))} > ${promNumber(expectedSeconds)})`;
}

/** No migration_phase now (the alert is guarded by the lifecycle: only after the runner was seen). */
export function metricsAbsentExpr(m: ResolvedMigration): string {
  return `absent(${selector('migration_phase', own(m))})`;
}

// Lifecycle (docs/definition.md "Lifecycle") ---------------------------------------------------

/** The runner exported migration_phase at least once within the lifecycle lookback. */
export function runnerSeenExpr(m: ResolvedMigration): string {
  return `max by (migration_id) (present_over_time(${selector('migration_phase', own(m))}[${LIFECYCLE_LOOKBACK}]))`;
}

/**
 * The runner reported the run over: the last migration_finished sample within the lookback is 1,
 * and no runner exports 0 right now (a new run after a finished one, a pod that restarted).
 */
export function runnerFinishedExpr(m: ResolvedMigration): string {
  const finished = selector('migration_finished', own(m));
  return `max by (migration_id) (last_over_time(${finished}[${LIFECYCLE_LOOKBACK}])) == 1 unless on (migration_id) (${finished} == 0)`;
}

/**
 * 1 while the clock is inside spec.schedule ([notBefore, notAfter), unix seconds); undefined
 * without a schedule. `at` replaces time() with a fixed instant (the rule tests pin the boundaries
 * with it: promtool's clock starts at 1970 and cannot reach a real schedule).
 */
export function scheduleOpenExpr(m: ResolvedMigration, at?: number): string | undefined {
  const s = m.schedule;
  if (!s || (!s.notBefore && !s.notAfter)) return undefined;
  let clock = `vector(${at === undefined ? 'time()' : promNumber(at)})`;
  if (s.notBefore) clock += ` >= ${promNumber(s.notBefore.seconds)}`;
  if (s.notAfter) clock += ` < ${promNumber(s.notAfter.seconds)}`;
  return `vector(1) and (${clock})`;
}

/**
 * lifecycleActiveExpr without the migration:schedule:open recording rule (the schedule inlined),
 * for queries that cannot read recording rules (Grafana-managed alert rules).
 */
export function lifecycleActiveStandaloneExpr(m: ResolvedMigration): string {
  const running = `${runnerSeenExpr(m)} unless on (migration_id) (${runnerFinishedExpr(m)})`;
  const open = scheduleOpenExpr(m);
  return open === undefined ? running : `(${running}) and on () (${open})`;
}

/** Started (seen), not finished, and inside the schedule when there is one. */
export function lifecycleActiveExpr(m: ResolvedMigration): string {
  const running = `${runnerSeenExpr(m)} unless on (migration_id) (${runnerFinishedExpr(m)})`;
  return scheduleOpenExpr(m) === undefined ? running : `(${running}) and on (migration_id) ${selector(RECORD.scheduleOpen, byId(m))}`;
}

/** An alert expression that only returns samples while the migration is active. */
export function whileActive(m: ResolvedMigration, alertExpr: string): string {
  return `${alertExpr} and on (migration_id) ${lifecycleGuardSelector(m)}`;
}

export const lifecycleGuardSelector = (m: ResolvedMigration): string => selector(RECORD.lifecycleActive, byId(m));
