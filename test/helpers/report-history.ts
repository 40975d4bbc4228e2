/**
 * Synthetic history of one migration (test/e2e/fixtures/report.yaml) as OpenMetrics text, for
 * `promtool tsdb create-blocks-from openmetrics`: the metric contract of the runner, two safety
 * signals, and the series Prometheus itself would have written while evaluating migobs' rules
 * (`migration:gate:state` and `ALERTS`), every 15 s. Everything is a function of the time t, and the
 * expected numbers of the report are derived from the same timeline below (EXPECT), so a test reads
 * them from one place.
 *
 * Timeline (minutes from the migration's start T0; the range reported is [T0, T0 + 120m]):
 *   -60..0   before the migration (phase preflight): lag 1..2 s, free 0.50
 *     0..20  canary
 *    20..60  ramp: lag 20 s (pause) from 30 to 40
 *    60..100 full: lag 80 s (rollback) from 70 to 75; no lag series at all (absent) from 85 to 90
 *   100..120 verify: 10,000 rows verified, 3 mismatched
 *   120..180 after (closeout): lag 3..4 s (worse than before), free 0.49
 * The runner reports itself throttled (migration_throttled 1) while the lag is past pause.
 * An application error ratio, read only by test/e2e/fixtures/report-inf.yaml: 0.01, but +Inf
 * (errors over no traffic) from 50 to 53 and from 150 to 152 (after), and -Inf from 56 to 58.
 */
const STEP_S = 15;

export const PHASES = ['preflight', 'canary', 'ramp', 'full', 'verify', 'closeout'] as const;

/** Phase at minute m from T0. */
export function phaseAt(m: number): (typeof PHASES)[number] {
  if (m < 0) return 'preflight';
  if (m < 20) return 'canary';
  if (m < 60) return 'ramp';
  if (m < 100) return 'full';
  if (m < 120) return 'verify';
  return 'closeout';
}

/** Replica lag at minute m, or undefined (no series: the exporter is gone). */
export function lagAt(m: number): number | undefined {
  if (m >= 85 && m < 90) return undefined;
  if (m >= 30 && m < 40) return 20;
  if (m >= 70 && m < 75) return 80;
  // Deterministic wobble: before, 1..2 s; after the migration, 3..4 s.
  const wobble = ((((Math.round(m * 4) % 5) + 5) % 5) / 4);
  return m >= 120 ? 3 + wobble : 1 + wobble;
}

export function freeAt(m: number): number {
  return m >= 120 ? 0.49 : 0.5;
}

/** The application error ratio at minute m: past every threshold as +Inf, then the good side's -Inf (no value). */
export function errorRatioAt(m: number): number {
  if ((m >= 50 && m < 53) || (m >= 150 && m < 152)) return Infinity;
  if (m >= 56 && m < 58) return -Infinity;
  return 0.01;
}

const ROWS_TOTAL = 1_000_000;
/** Rows processed: linear over canary..full (0..100 min), none while throttled. */
export function rowsAt(m: number): number {
  if (m <= 0) return 0;
  const end = Math.min(m, 100);
  // rows per minute outside throttled minutes; throttled minutes (30..40, 70..75) add nothing
  const throttled = Math.max(0, Math.min(end, 40) - 30) + Math.max(0, Math.min(end, 75) - 70);
  return Math.round(((end - throttled) / 85) * ROWS_TOTAL);
}

/** The numbers the report must show for the range [T0, T0 + 120m] at a 15 s step. */
export const EXPECT = {
  phaseMinutes: { canary: 20, ramp: 40, full: 40, verify: 20 },
  /** Gate replica-lag: minutes per state while it applied (canary, ramp, full). */
  lagStates: { green: 100 - 10 - 5 - 5, pause: 10, rollback: 5, unknown: 5 },
  /** Gate error-ratio (report-inf.yaml): +Inf is rollback, -Inf (its good side) unknown. */
  errorRatioStates: { green: 100 - 3 - 2, pause: 0, rollback: 3, unknown: 2 },
  rowsTotal: ROWS_TOTAL,
  verified: 10_000,
  mismatched: 3,
};

/** A sample value as OpenMetrics writes it (`+Inf`, not JavaScript's `Infinity`). */
const omNumber = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

interface Series {
  name: string;
  labels: Record<string, string>;
  value: (m: number) => number | undefined;
}

const labelText = (l: Record<string, string>): string =>
  Object.keys(l).length ? `{${Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}` : '';

/**
 * Alert intervals with Prometheus' semantics for a condition sampled every step: pending from the
 * first step it holds, firing from the first step at least `forS` later, gone at the first step it
 * does not hold. Returns the minutes at which the alert is firing.
 */
function firing(cond: (m: number) => boolean, forS: number): (m: number) => boolean {
  return (m: number): boolean => {
    if (!cond(m)) return false;
    // walk back to the start of this run of the condition
    let start = m;
    while (cond(start - STEP_S / 60)) start -= STEP_S / 60;
    return (m - start) * 60 >= forS;
  };
}

/** OpenMetrics text for minutes [fromM, toM) relative to t0 (seconds). */
export function openMetrics(t0: number, fromM = -60, toM = 180): string {
  const id = 'report-e2e';
  const runner = { job: 'report-runner', migration_id: id };
  const inGatePhases = (m: number): boolean => ['canary', 'ramp', 'full'].includes(phaseAt(m));
  const lagState = (m: number): number => {
    const v = lagAt(m);
    if (v === undefined) return 3;
    return (v > 10 ? 1 : 0) + (v > 60 ? 1 : 0);
  };
  const series: Series[] = [
    ...PHASES.map((p) => ({ name: 'migration_phase', labels: { ...runner, phase: p }, value: (m: number) => (phaseAt(m) === p ? 1 : 0) })),
    { name: 'migration_rows_processed_total', labels: runner, value: (m) => (m >= -60 ? rowsAt(m) : undefined) },
    { name: 'migration_rows_total', labels: runner, value: () => ROWS_TOTAL },
    { name: 'migration_throttled', labels: runner, value: (m) => (lagState(m) === 1 || lagState(m) === 2 ? 1 : 0) },
    { name: 'migration_rows_verified_total', labels: runner, value: (m) => (m < 100 ? 0 : m >= 120 ? 10_000 : Math.round(((m - 100) / 20) * 10_000)) },
    { name: 'migration_rows_mismatched_total', labels: runner, value: (m) => (m < 110 ? 0 : 3) },
    { name: 'replica_lag_seconds', labels: { instance: 'replica-1' }, value: lagAt },
    { name: 'disk_free_ratio', labels: { instance: 'db-1' }, value: freeAt },
    { name: 'app_error_ratio', labels: { instance: 'app-1' }, value: errorRatioAt },
    // What Prometheus writes while evaluating the generated rules (recording rule and ALERTS).
    { name: 'migration:gate:state', labels: { migration_id: id, gate: 'replica-lag' }, value: lagState },
    { name: 'migration:gate:state', labels: { migration_id: id, gate: 'free-disk' }, value: () => 0 },
  ];
  const alert = (alertname: string, action: string, severity: string, phase: string, cond: (m: number) => boolean, forS: number): Series => ({
    name: 'ALERTS',
    labels: { alertname, alertstate: 'firing', migration_id: id, gate: 'replica-lag', action, severity, phase },
    value: (m) => (phaseAt(m) === phase && firing((x) => phaseAt(x) === phase && inGatePhases(x) && cond(x), forS)(m) ? 1 : undefined),
  });
  for (const phase of ['canary', 'ramp', 'full']) {
    series.push(alert('MigrationGatePause', 'pause', 'warning', phase, (m) => (lagAt(m) ?? -1) > 10, 120));
    series.push(alert('MigrationGateRollback', 'rollback', 'critical', phase, (m) => (lagAt(m) ?? -1) > 60, 60));
    series.push(alert('MigrationGateSignalAbsent', 'pause', 'warning', phase, (m) => lagAt(m) === undefined, 120));
  }

  const lines: string[] = [];
  const families = [...new Set(series.map((s) => s.name))];
  for (const name of families) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of series.filter((x) => x.name === name)) {
      for (let t = fromM * 60; t < toM * 60; t += STEP_S) {
        const v = s.value(t / 60);
        if (v !== undefined) lines.push(`${name}${labelText(s.labels)} ${omNumber(v)} ${t0 + t}`);
      }
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
