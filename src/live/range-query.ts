/**
 * Range queries for history commands (`migobs baseline`, `backtest`, `report`): one PromQL
 * expression evaluated at every step of a past range, fetched in chunks through the same client as
 * `migobs gate` (TLS verification, auth from the environment, per-request timeout, size limit).
 *
 * Fail-closed, like the instant client: a range is either answered completely or not at all. Any
 * chunk that fails (unreachable, timeout, HTTP error, `warnings` = partial data, not a Prometheus
 * answer, a sample off the evaluation grid asked for) ends the whole query in a PrometheusError
 * naming the chunk; nothing is interpolated, guessed or returned from a partial range.
 *
 * Size is bounded twice: each request asks for at most `pointsPerRequest` steps (Prometheus
 * itself refuses more than 11,000 points per series, and small requests keep its memory and ours
 * low), and the whole answer holds at most `maxPoints` samples (steps x series). A range that would
 * need more is refused before the first request with a RangeTooLargeError saying which step fits.
 *
 * One answer body is limited to 8 MB by the client (about 250 series of 1,000 points): an expression
 * returning many series needs a smaller `pointsPerRequest`.
 *
 * Evaluation times are exactly `startMs + k * stepMs` (k = 0, 1, ...) up to `endMs` inclusive, as
 * Prometheus' own query_range evaluates them; the caller chooses the grid (see `alignToStep`).
 */
import { formatDuration } from '../util/duration';
import { parseEnvelope, parseMetric, parseSampleValue, PrometheusError, type PrometheusClient } from './prometheus';

/** What range queries need of a client (tests and wrappers may stand in). */
export type RangeClient = Pick<PrometheusClient, 'getApi' | 'deadline' | 'url'>;

/** Default bound on the samples one range answer may hold (steps x series). */
export const DEFAULT_MAX_POINTS = 200_000;
/** Default steps per request; Prometheus' own limit is 11,000 points per series. */
export const DEFAULT_POINTS_PER_REQUEST = 1_000;

export interface RangeQueryOptions {
  /** First evaluation time, ms since the epoch. */
  startMs: number;
  /** Last evaluation time is the last grid point at or before this, ms since the epoch. */
  endMs: number;
  /** Resolution, ms (> 0, whole milliseconds). */
  stepMs: number;
  /** Refuse (RangeTooLargeError) an answer of more samples than this, steps x series. Default DEFAULT_MAX_POINTS. */
  maxPoints?: number;
  /** Steps per request. Default DEFAULT_POINTS_PER_REQUEST. */
  pointsPerRequest?: number;
  signal?: AbortSignal;
  /** Called after each chunk (progress display). */
  onChunk?: (done: number, total: number) => void;
}

/** One series over the range: its labels and its points in time order. Steps without a sample are absent (no point). */
export interface RangeSeries {
  metric: Record<string, string>;
  /** `[timeMs, value]`; value may be NaN or ±Inf exactly as Prometheus answered it. */
  points: [number, number][];
}

export interface RangeAnswer {
  series: RangeSeries[];
  startMs: number;
  /** The last evaluation time (on the grid, <= the endMs asked). */
  endMs: number;
  stepMs: number;
  /** Number of evaluation times in the range. */
  steps: number;
  /** Requests made. */
  requests: number;
  /** Prometheus' `infos` notes, deduplicated (never blocking). */
  infos: string[];
}

/** The range would need more points than allowed. A usage problem (exit 1), raised before any request. */
export class RangeTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RangeTooLargeError';
  }
}

/** Number of evaluation times `start, start+step, ... <= end`. */
export function stepCount(startMs: number, endMs: number, stepMs: number): number {
  return endMs < startMs ? 0 : Math.floor((endMs - startMs) / stepMs) + 1;
}

/** `ms` rounded down to a multiple of `stepMs` since the epoch (what query frontends align to). */
export function alignToStep(ms: number, stepMs: number): number {
  return Math.floor(ms / stepMs) * stepMs;
}

/** Steps a user can read, smallest first; `pickStep` chooses among them. */
const NICE_STEPS_MS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/**
 * The smallest readable step of at least `minStepMs` that covers `rangeMs` in at most `maxSteps`
 * evaluation times (a multiple of a day beyond the table).
 */
export function pickStep(rangeMs: number, maxSteps: number, minStepMs = 1000): number {
  const fits = (s: number): boolean => s >= minStepMs && Math.floor(rangeMs / s) + 1 <= maxSteps;
  const nice = NICE_STEPS_MS.find(fits);
  if (nice !== undefined) return nice;
  const day = 86_400_000;
  return Math.max(Math.ceil(minStepMs / day), Math.ceil(rangeMs / Math.max(1, maxSteps - 1) / day)) * day;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Check the size of a range before asking: throws RangeTooLargeError when `steps x expectedSeries`
 * exceeds `maxPoints`, saying which step would fit.
 */
export function checkRangeSize(startMs: number, endMs: number, stepMs: number, maxPoints = DEFAULT_MAX_POINTS, expectedSeries = 1): number {
  const steps = stepCount(startMs, endMs, stepMs);
  if (steps * expectedSeries > maxPoints) {
    const fits = pickStep(endMs - startMs, Math.floor(maxPoints / expectedSeries), stepMs);
    const per = expectedSeries > 1 ? ` x ${expectedSeries} series` : '';
    throw new RangeTooLargeError(
      `${iso(startMs)} to ${iso(endMs)} at step ${formatDuration(stepMs)} needs ${steps} points${per}, more than the limit of ${maxPoints}: use a step of at least ${formatDuration(fits)} or a shorter range`,
    );
  }
  return steps;
}

const labelKey = (metric: Record<string, string>): string => JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Evaluate `expr` over the range, chunk by chunk (sequentially: one request at a time, gentle on
 * Prometheus). Throws RangeTooLargeError (before any request, or as soon as the series seen make
 * the answer too large) or PrometheusError (a chunk failed or was doubtful; the message names it).
 */
export async function queryRange(client: RangeClient, expr: string, opts: RangeQueryOptions): Promise<RangeAnswer> {
  const { startMs, stepMs } = opts;
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const perRequest = Math.max(1, Math.floor(opts.pointsPerRequest ?? DEFAULT_POINTS_PER_REQUEST));
  if (!Number.isInteger(stepMs) || stepMs <= 0) throw new RangeTooLargeError(`step must be a whole number of milliseconds greater than 0, got ${stepMs}`);
  if (!Number.isFinite(startMs) || !Number.isFinite(opts.endMs) || opts.endMs < startMs) throw new RangeTooLargeError(`the range must end after it starts (${Number.isFinite(startMs) ? iso(startMs) : startMs} to ${Number.isFinite(opts.endMs) ? iso(opts.endMs) : opts.endMs})`);
  const steps = checkRangeSize(startMs, opts.endMs, stepMs, maxPoints);
  const lastMs = startMs + (steps - 1) * stepMs;
  const chunks = Math.ceil(steps / perRequest);

  const byKey = new Map<string, RangeSeries>();
  const infos = new Set<string>();
  for (let c = 0; c < chunks; c++) {
    const fromStep = c * perRequest;
    const toStep = Math.min(steps, fromStep + perRequest) - 1;
    const fromMs = startMs + fromStep * stepMs;
    const toMs = startMs + toStep * stepMs;
    const where = chunks > 1 ? ` (chunk ${c + 1} of ${chunks}, ${iso(fromMs)} to ${iso(toMs)})` : '';
    let parsed: { metric: Record<string, string>; points: [number, number][] }[];
    try {
      const params = { query: expr, start: (fromMs / 1000).toFixed(3), end: (toMs / 1000).toFixed(3), step: (stepMs / 1000).toFixed(3) };
      const { status, contentType, body } = await client.getApi('query_range', params, { deadline: client.deadline(), ...(opts.signal ? { signal: opts.signal } : {}) });
      const { data, infos: notes } = parseEnvelope(status, contentType, body);
      for (const n of notes) infos.add(n);
      parsed = parseMatrix(data, { startMs, stepMs, fromMs, toMs });
    } catch (e) {
      if (e instanceof PrometheusError) throw new PrometheusError(`range query failed${where}: ${e.message}; nothing is reported from a partial range`);
      throw e;
    }
    for (const s of parsed) {
      const key = labelKey(s.metric);
      let series = byKey.get(key);
      if (!series) {
        series = { metric: s.metric, points: [] };
        byKey.set(key, series);
        // A new series can need as many points as the whole range: refuse as soon as that cannot fit.
        if (byKey.size * steps > maxPoints) {
          throw new RangeTooLargeError(`${iso(startMs)} to ${iso(lastMs)} at step ${formatDuration(stepMs)} returns ${byKey.size} or more series of ${steps} points, more than the limit of ${maxPoints} points: use a larger step or a shorter range`);
        }
      }
      for (const p of s.points) series.points.push(p);
    }
    opts.onChunk?.(c + 1, chunks);
  }
  return { series: [...byKey.values()], startMs, endMs: lastMs, stepMs, steps, requests: chunks, infos: [...infos] };
}

/**
 * A `matrix` result, every point on the grid `startMs + k*stepMs` within the chunk asked, in
 * strictly increasing time, one entry per label set. Anything else is a doubtful answer.
 */
function parseMatrix(data: { resultType?: unknown; result?: unknown }, grid: { startMs: number; stepMs: number; fromMs: number; toMs: number }): RangeSeries[] {
  if (data.resultType !== 'matrix' || !Array.isArray(data.result)) throw new PrometheusError(`expected a range vector (matrix), got resultType ${JSON.stringify(data.resultType)}`);
  const seen = new Set<string>();
  return data.result.map((entry: unknown): RangeSeries => {
    const metric = parseMetric(entry);
    const key = labelKey(metric);
    if (seen.has(key)) throw new PrometheusError('not a Prometheus answer (the same series twice in one answer)');
    seen.add(key);
    const values = (entry as { values?: unknown }).values;
    if (!Array.isArray(values)) throw new PrometheusError('not a Prometheus answer (matrix series without values)');
    let last = -Infinity;
    const points = values.map((pair: unknown): [number, number] => {
      const { value } = parseSampleValue(pair, undefined);
      const t = Math.round((pair as [number, string])[0] * 1000);
      if (t < grid.fromMs || t > grid.toMs || (t - grid.startMs) % grid.stepMs !== 0) {
        throw new PrometheusError(`a sample evaluated at ${iso(t)}, not on the evaluation grid asked (every ${formatDuration(grid.stepMs)} from ${iso(grid.fromMs)} to ${iso(grid.toMs)}); a query frontend aligning steps or a cache?`);
      }
      if (t <= last) throw new PrometheusError('not a Prometheus answer (matrix points out of time order)');
      last = t;
      return [t, value];
    });
    return { metric, points };
  });
}
