/**
 * Read everything the post-migration report shows from Prometheus, over one time grid, through the
 * bounded, fail-closed range queries of src/live/range-query.ts. Each part of the report is its own
 * query (or few): when one fails, that part is a `Missing` naming the reason and the rest is still
 * reported; nothing is interpolated or guessed. The expressions are the generated rules' own
 * (src/generate/rules/promql.ts), so the report shows what the rules and `migobs gate` computed.
 *
 * Episodes (shaded on the gate charts and listed as alerts) come from Prometheus' own `ALERTS`
 * series, i.e. from the generated alerts as Prometheus evaluated them (`for` included). Whether the
 * rules were loaded at all is checked through their recording rule `migration:gate:state`: without
 * it, "no alert fired" cannot be told from "nothing evaluated the alerts", and the part is missing.
 */
import { ALERT, RECORD } from '../generate/names';
import { currentPhaseExpr, gateValueExpr, progressExpr, regexAlternation, rowsRateExpr } from '../generate/rules/promql';
import { astMetrics, parseAst } from '../generate/rules/promql-ast';
import { badSideInfinity, classify } from '../live/gate';
import { PrometheusError } from '../live/prometheus';
import { queryRange, RangeTooLargeError, type RangeClient, type RangeSeries } from '../live/range-query';
import type { ResolvedGate, ResolvedMigration } from '../model/types';
import { eq, re, selector } from '../promql/matchers';
import { compare, counterSummary, grid, percentiles, runs, timeWhere } from './stats';
import {
  isMissing,
  type AlertEpisode,
  type AlertsData,
  type EpisodeKind,
  type GateData,
  type Missing,
  type Part,
  type PhaseTimeline,
  type ProgressData,
  type RegressionData,
  type RegressionRow,
  type ReportData,
  type Span,
  type StateTimes,
  type VerificationData,
} from './types';

export interface CollectOptions {
  fromMs: number;
  toMs: number;
  stepMs: number;
  /** Length of the before/after windows of the regression check. */
  compareWindowMs: number;
  compareStepMs: number;
  /** Flag a percentile worse by more than this many percent. */
  marginPercent: number;
  /** Bound on the samples of one range answer (steps x series). */
  maxPoints: number;
  /** "Now", to tell an after-window that has not ended yet. */
  nowMs: number;
  signal?: AbortSignal;
}

/** A fault that ends the whole report (a usage problem, never a partial report). */
export { RangeTooLargeError };

const own = (m: ResolvedMigration, metric: string): string => selector(metric, m.migrationMatchers);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Alert name -> episode kind for the gate alerts. */
const GATE_ALERT_KIND: Record<string, EpisodeKind> = { [ALERT.pause]: 'pause', [ALERT.rollback]: 'rollback', [ALERT.absent]: 'unknown' };

export async function collectReport(client: RangeClient, model: ResolvedMigration, opts: CollectOptions): Promise<ReportData> {
  const { fromMs, toMs, stepMs } = opts;
  const times = grid(fromMs, toMs, stepMs);
  const index = (t: number): number => Math.round((t - fromMs) / stepMs);

  /** One range query over the report's grid; a Prometheus failure becomes a Missing for the part. */
  const series = async (expr: string, range: { startMs: number; endMs: number; stepMs: number } = { startMs: fromMs, endMs: toMs, stepMs }): Promise<RangeSeries[] | Missing> => {
    try {
      const answer = await queryRange(client, expr, { ...range, maxPoints: opts.maxPoints, ...(opts.signal ? { signal: opts.signal } : {}) });
      return answer.series;
    } catch (e) {
      if (e instanceof PrometheusError) return { missing: e.message };
      throw e; // RangeTooLargeError and programming errors end the report
    }
  };
  /** One series on the grid (an aggregated expression has at most one); null where there is no sample (or NaN; ±Inf too unless kept). */
  const onGrid = (s: RangeSeries | undefined, keepInfinity = false): Array<number | null> => {
    const out: Array<number | null> = times.map(() => null);
    for (const [t, v] of s?.points ?? []) {
      const i = index(t);
      if (i >= 0 && i < out.length) out[i] = Number.isFinite(v) || (keepInfinity && !Number.isNaN(v)) ? v : null;
    }
    return out;
  };
  const single = async (what: string, expr: string, keepInfinity = false): Promise<Part<Array<number | null>>> => {
    const r = await series(expr);
    if (isMissing(r)) return { missing: `${what}: ${r.missing}` };
    if (r.length > 1) return { missing: `${what}: the query returned ${r.length} series where one was expected` };
    return onGrid(r[0], keepInfinity);
  };

  const phases = await collectPhases(model, times, opts, series, single);
  const progress = await collectProgress(model, times, single);
  const alerts = await collectAlerts(model, times, opts, series);
  const gates: GateData[] = [];
  for (const g of model.gates) gates.push(await collectGate(model, g, times, opts, single, phases, alerts));
  const verification = await collectVerification(model, times, single);
  const regression = await collectRegression(model, opts, series);

  const missing: string[] = [];
  const note = (part: string, p: Part<unknown>): void => {
    if (isMissing(p)) missing.push(`${part}: ${p.missing}`);
  };
  note('phase timeline', phases);
  if (!isMissing(phases) && phases.throttledMissing) missing.push(`runner throttled time: ${phases.throttledMissing}`);
  note('progress and throughput', progress);
  for (const g of gates) {
    note(`gate ${g.id} signal`, g.values);
    if (!isMissing(g.values)) note(`gate ${g.id} episodes`, g.episodes);
  }
  note('alerts', alerts);
  note('verification counters', verification);
  note('performance regression check', regression);
  if (!isMissing(regression)) for (const r of regression.rows) {
    note(`regression ${r.gate} before`, r.before);
    note(`regression ${r.gate} after`, r.after);
  }

  return {
    migration: { id: model.id, title: model.title, owner: model.owner, type: model.type, engine: model.engine, ...(model.description ? { description: model.description } : {}) },
    range: { fromMs, toMs, stepMs, scrapeIntervalMs: model.scrapeIntervalSeconds * 1000 },
    times,
    prometheusUrl: client.url,
    phases,
    progress,
    gates,
    alerts,
    verification,
    regression,
    missing,
  };
}

type SeriesFn = (expr: string, range?: { startMs: number; endMs: number; stepMs: number }) => Promise<RangeSeries[] | Missing>;
type SingleFn = (what: string, expr: string, keepInfinity?: boolean) => Promise<Part<Array<number | null>>>;

async function collectPhases(model: ResolvedMigration, times: number[], opts: CollectOptions, series: SeriesFn, single: SingleFn): Promise<Part<PhaseTimeline>> {
  const { fromMs, toMs, stepMs } = opts;
  const r = await series(currentPhaseExpr(model));
  if (isMissing(r)) return r;
  const declared = model.phases.map((p) => p.id);
  const seen = [...new Set(r.map((s) => s.metric.phase ?? ''))].sort();
  const undeclared = seen.filter((p) => !declared.includes(p));
  const axis = [...declared, ...undeclared];
  const byPoint: Array<number | null> = times.map(() => null);
  for (const s of r) {
    const k = axis.indexOf(s.metric.phase ?? '');
    for (const [t] of s.points) {
      const i = Math.round((t - fromMs) / stepMs);
      if (i < 0 || i >= times.length) continue;
      byPoint[i] = byPoint[i] === null ? k : byPoint[i] === k ? k : -1;
    }
  }
  // A phase seen only at the range's last instant lasted no time inside the range: not listed.
  const spans = runs(times, byPoint.map((k) => (k === null || k < 0 ? undefined : k)), toMs).filter((s) => s.endMs > s.startMs).map((s) => ({ phase: axis[s.key]!, startMs: s.startMs, endMs: s.endMs, open: s.open }));
  const throttled = await single('migration_throttled', `max(${own(model, 'migration_throttled')})`);
  const perPhase = axis
    .map((phase, k) => {
      const mine = spans.filter((s) => s.phase === phase);
      if (!mine.length) return undefined;
      return {
        phase,
        durationMs: timeWhere(times, stepMs, toMs, (i) => byPoint[i] === k),
        firstMs: mine[0]!.startMs,
        lastMs: mine[mine.length - 1]!.endMs,
        throttledMs: isMissing(throttled) ? null : timeWhere(times, stepMs, toMs, (i) => byPoint[i] === k && throttled[i] === 1),
      };
    })
    .filter((p): p is NonNullable<typeof p> => p !== undefined);
  return {
    declared: axis,
    byPoint,
    spans,
    perPhase,
    noPhaseMs: timeWhere(times, stepMs, toMs, (i) => byPoint[i] === null),
    ambiguousMs: timeWhere(times, stepMs, toMs, (i) => byPoint[i] === -1),
    undeclared,
    ...(isMissing(throttled) ? { throttledMissing: throttled.missing } : {}),
  };
}

async function collectProgress(model: ResolvedMigration, times: number[], single: SingleFn): Promise<Part<ProgressData>> {
  const processed = await single('rows processed', `max(${own(model, 'migration_rows_processed_total')})`);
  if (isMissing(processed)) return processed;
  const total = await single('rows total', `max(${own(model, 'migration_rows_total')})`);
  if (isMissing(total)) return total;
  const ratio = await single('progress ratio', progressExpr(model));
  if (isMissing(ratio)) return ratio;
  const rate = await single('rows per second', rowsRateExpr(model));
  if (isMissing(rate)) return rate;
  if (![processed, total, ratio, rate].some((a) => a.some((v) => v !== null))) {
    return { missing: `no ${'migration_rows_processed_total'} or migration_rows_total samples for this migration in the range (is the runner exporting the metric contract?)` };
  }
  const last = (a: Array<number | null>): number | null => [...a].reverse().find((v) => v !== null) ?? null;
  const rates = rate.filter((v): v is number => v !== null);
  return {
    processed,
    total,
    ratio,
    rate,
    lastProcessed: last(processed),
    lastTotal: last(total),
    lastRatio: last(ratio),
    // reduce, not Math.max(...rates): a raised --max-points can exceed what a call takes as arguments.
    peakRate: rates.length ? rates.reduce((a, b) => (b > a ? b : a)) : null,
    meanRate: rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null,
  };
}

async function collectAlerts(model: ResolvedMigration, times: number[], opts: CollectOptions, series: SeriesFn): Promise<Part<AlertsData>> {
  const { toMs, stepMs } = opts;
  // The rules must have been evaluated here for "no alert" to mean "nothing fired".
  const rules = await series(`count(${selector(RECORD.gateState, [eq('migration_id', model.id)])})`);
  if (isMissing(rules)) return { missing: rules.missing };
  const covered = new Set((rules[0]?.points ?? []).map(([t]) => t));
  if (model.gates.length > 0 && covered.size === 0) {
    return { missing: `no ${RECORD.gateState} series for migration_id ${JSON.stringify(model.id)} in the range: this Prometheus did not evaluate migobs' rules for it, so which alerts fired cannot be known (load the generated rules file)` };
  }
  const names = Object.values(ALERT);
  const r = await series(selector('ALERTS', [eq('alertstate', 'firing'), eq('migration_id', model.id), re('alertname', regexAlternation(names))]));
  if (isMissing(r)) return r;
  const episodes: AlertEpisode[] = [];
  for (const s of r) {
    const present = new Set(s.points.map(([t]) => t));
    for (const span of runs(times, times.map((t) => (present.has(t) ? true : undefined)), toMs)) {
      episodes.push({
        alertname: s.metric.alertname ?? '',
        ...(s.metric.gate !== undefined ? { gate: s.metric.gate } : {}),
        ...(s.metric.severity !== undefined ? { severity: s.metric.severity } : {}),
        ...(s.metric.phase !== undefined ? { phase: s.metric.phase } : {}),
        startMs: span.startMs,
        endMs: span.endMs,
        open: span.open,
      });
    }
  }
  // Deterministic order whatever order Prometheus listed the series in.
  episodes.sort((a, b) => a.startMs - b.startMs || a.alertname.localeCompare(b.alertname) || (a.gate ?? '').localeCompare(b.gate ?? '') || (a.phase ?? '').localeCompare(b.phase ?? ''));
  // Where the rules were not evaluated (Prometheus down, rules loaded late), "no alert" is not known.
  const notEvaluatedMs = model.gates.length ? timeWhere(times, stepMs, toMs, (i) => !covered.has(times[i]!)) : 0;
  return { episodes, notEvaluatedMs };
}

async function collectGate(
  model: ResolvedMigration,
  g: ResolvedGate,
  times: number[],
  opts: CollectOptions,
  single: SingleFn,
  phases: Part<PhaseTimeline>,
  alerts: Part<AlertsData>,
): Promise<GateData> {
  const { stepMs, toMs } = opts;
  const signal = model.signals[g.signal]!;
  // The gate value keeps the bad side's infinity (the rule keeps it: past every threshold, rollback)
  // for classifying; the values shown and stored are finite or null (JSON has no infinity).
  const rawValues = await single(`signal ${g.signal}`, gateValueExpr(model, g), true);
  const values = isMissing(rawValues) ? rawValues : rawValues.map((v) => (v !== null && Number.isFinite(v) ? v : null));
  const badSide = badSideInfinity(g.direction);
  const badSideAt = isMissing(rawValues) ? [] : rawValues.flatMap((v, i) => (v === badSide ? [i] : []));
  const base = {
    id: g.id,
    title: g.title,
    signal: g.signal,
    unit: signal.unit,
    direction: g.direction,
    pause: g.pause,
    rollback: g.rollback,
    pauseFor: g.pauseFor,
    rollbackFor: g.rollbackFor,
    phases: [...g.phases],
  };
  // The worst value the gate compared: the bad side's infinity included (a +Inf of an `above`
  // gate is past every threshold, and a finite peak in its place would hide it); NaN and the good
  // side's infinity are no value (classify: unknown).
  let worst: number | null = null;
  if (!isMissing(rawValues)) {
    for (const v of rawValues) {
      if (v === null || classify(v, g).state === 'unknown') continue;
      if (worst === null || (g.direction === 'above' ? v > worst : v < worst)) worst = v;
    }
  }
  let stateTimes: Part<StateTimes>;
  if (isMissing(values)) stateTimes = values;
  else if (isMissing(phases)) stateTimes = { missing: `needs the phase timeline: ${phases.missing}` };
  else {
    const applies = new Set(g.phases.map((p) => phases.declared.indexOf(p)).filter((k) => k >= 0));
    const st: StateTimes = { green: 0, pause: 0, rollback: 0, unknown: 0 };
    for (const state of ['green', 'pause', 'rollback', 'unknown'] as const) {
      st[state] = timeWhere(times, stepMs, toMs, (i) => {
        const k = phases.byPoint[i];
        if (k === null || k === undefined || !applies.has(k)) return false;
        const v = (rawValues as Array<number | null>)[i];
        return (v === null || v === undefined ? 'unknown' : classify(v, g).state) === state;
      });
    }
    stateTimes = st;
  }
  let episodes: GateData['episodes'];
  if (isMissing(alerts)) episodes = { missing: `alerts unavailable: ${alerts.missing}` };
  else {
    episodes = alerts.episodes
      .filter((e) => e.gate === g.id && GATE_ALERT_KIND[e.alertname] !== undefined)
      .map((e) => ({ kind: GATE_ALERT_KIND[e.alertname]!, startMs: e.startMs, endMs: e.endMs, open: e.open }));
    episodes = mergeEpisodes(episodes);
  }
  return { ...base, values, badSideAt, worst, stateTimes, episodes };
}

/** One kind's episodes merged where they touch or overlap (a phase change splits an ALERTS series). */
export function mergeEpisodes(list: Array<Span & { kind: EpisodeKind }>): Array<Span & { kind: EpisodeKind }> {
  const out: Array<Span & { kind: EpisodeKind }> = [];
  for (const kind of ['pause', 'unknown', 'rollback'] as const) {
    const mine = list.filter((e) => e.kind === kind).sort((a, b) => a.startMs - b.startMs);
    for (const e of mine) {
      const prev = out[out.length - 1];
      if (prev && prev.kind === kind && e.startMs <= prev.endMs) {
        prev.endMs = Math.max(prev.endMs, e.endMs);
        prev.open = prev.open || e.open;
      } else out.push({ ...e });
    }
  }
  return out;
}

async function collectVerification(model: ResolvedMigration, times: number[], single: SingleFn): Promise<Part<VerificationData>> {
  const verified = await single('rows verified', `sum(${own(model, 'migration_rows_verified_total')})`);
  if (isMissing(verified)) return verified;
  const mismatched = await single('rows mismatched', `sum(${own(model, 'migration_rows_mismatched_total')})`);
  if (isMissing(mismatched)) return mismatched;
  return { verified: counterSummary(times, verified), mismatched: counterSummary(times, mismatched) };
}

/** Whether a signal reads only the migration's own metrics (which do not exist before it starts). */
function ownMetricsOnly(expr: string): boolean {
  try {
    const metrics = [...astMetrics(parseAst(expr))];
    return metrics.length > 0 && metrics.every((n) => n.startsWith('migration_'));
  } catch {
    return false; // the synthesizer's subset does not cover it: compare it, and let "no data" say so
  }
}

async function collectRegression(model: ResolvedMigration, opts: CollectOptions, series: SeriesFn): Promise<Part<RegressionData>> {
  const w = opts.compareWindowMs;
  const step = opts.compareStepMs;
  const before = { startMs: opts.fromMs - w, endMs: opts.fromMs };
  const after = { startMs: opts.toMs, endMs: opts.toMs + w };
  const rows: RegressionRow[] = [];
  const skipped: string[] = [];
  // `badSide`: the gate's infinity that counts (past every threshold); NaN and the other one are no value.
  const window = async (expr: string, win: { startMs: number; endMs: number }, name: string, badSide: number): Promise<Part<ReturnType<typeof percentiles> & object>> => {
    if (win.endMs > opts.nowMs) return { missing: `the ${name} window ends at ${iso(win.endMs)}, which is later than now (${iso(opts.nowMs)}): re-run the report after it` };
    const r = await series(expr, { startMs: win.startMs, endMs: win.endMs, stepMs: step });
    if (isMissing(r)) return r;
    if (r.length > 1) return { missing: `the query returned ${r.length} series where one was expected` };
    const p = percentiles((r[0]?.points ?? []).map(([, v]) => v), badSide);
    if (!p) return { missing: `no samples in the ${name} window (${iso(win.startMs)} to ${iso(win.endMs)})` };
    return p;
  };
  for (const g of model.gates) {
    const signal = model.signals[g.signal]!;
    if (ownMetricsOnly(signal.expr)) {
      skipped.push(g.id);
      continue;
    }
    const expr = gateValueExpr(model, g);
    const badSide = badSideInfinity(g.direction);
    const b = await window(expr, before, 'before', badSide);
    const a = await window(expr, after, 'after', badSide);
    rows.push({
      gate: g.id,
      signal: g.signal,
      title: g.title,
      unit: signal.unit,
      direction: g.direction,
      before: b,
      after: a,
      ...compare(isMissing(b) ? undefined : b, isMissing(a) ? undefined : a, g.direction, opts.marginPercent),
    });
  }
  return { windowMs: w, marginPercent: opts.marginPercent, before, after, rows, skipped };
}
