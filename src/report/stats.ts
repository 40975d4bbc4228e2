/**
 * The report's statistics, pure and deterministic: percentiles, spans and durations on the
 * report's time grid, counter summaries, the regression comparison. docs/report.md states each
 * definition and its caveats.
 */
import { quantileSorted } from '../history/stats';
import type { CounterSummary, Percentiles, RegressionRow, Span } from './types';

/**
 * p50, p95 and p99 of the values; undefined when there are none. Finite values only, unless
 * `badSide` names an infinity to keep: a gate's bad-side infinity (+Inf for `above`) is past every
 * threshold, so a window where it shows up must not look as good as one without it.
 */
export function percentiles(values: ReadonlyArray<number | null>, badSide?: number): Percentiles | undefined {
  const kept = values.filter((v): v is number => v !== null && (Number.isFinite(v) || (badSide !== undefined && v === badSide))).sort((a, b) => a - b);
  if (kept.length === 0) return undefined;
  return { p50: quantileSorted(kept, 0.5), p95: quantileSorted(kept, 0.95), p99: quantileSorted(kept, 0.99), samples: kept.length };
}

/**
 * The grid: fromMs, fromMs + step, ... up to and including toMs when it falls on the grid.
 * Grid point i stands for [t_i, t_i + step) clipped to toMs: the last point stands for nothing
 * when it is toMs itself.
 */
export function grid(fromMs: number, toMs: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) out.push(t);
  return out;
}

/** How long grid point i stands for. */
export function pointWeight(times: readonly number[], i: number, stepMs: number, toMs: number): number {
  return Math.max(0, Math.min(times[i]! + stepMs, toMs) - times[i]!);
}

/**
 * Runs of equal keys over the grid as spans: [first point, first point after the run). A run that
 * reaches the last point is `open` and ends at toMs. Points whose key is undefined start no span.
 */
export function runs<K>(times: readonly number[], keys: ReadonlyArray<K | undefined>, toMs: number): Array<Span & { key: K }> {
  const out: Array<Span & { key: K }> = [];
  let start = -1;
  const close = (endIndex: number): void => {
    const open = endIndex >= times.length;
    out.push({ key: keys[start] as K, startMs: times[start]!, endMs: open ? toMs : times[endIndex]!, open });
    start = -1;
  };
  for (let i = 0; i < times.length; i++) {
    const k = keys[i];
    if (start >= 0 && k !== keys[start]) close(i);
    if (k !== undefined && start < 0) start = i;
  }
  if (start >= 0) close(times.length);
  return out;
}

/** The sum of the weights of the points where `pred` holds. */
export function timeWhere(times: readonly number[], stepMs: number, toMs: number, pred: (i: number) => boolean): number {
  let total = 0;
  for (let i = 0; i < times.length; i++) if (pred(i)) total += pointWeight(times, i, stepMs, toMs);
  return total;
}

/** A counter over the grid: the last value and when, and where it went down (a reset). */
export function counterSummary(times: readonly number[], values: Array<number | null>): CounterSummary {
  let last: number | null = null;
  let lastMs: number | null = null;
  const resets: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (last !== null && v < last) resets.push(times[i]!);
    last = v;
    lastMs = times[i]!;
  }
  return { last, lastMs, resets, values };
}

/**
 * How much worse `after` is than `before` in the gate's bad direction, relative to |before|:
 * 0.25 = 25 % worse; negative = better. When before is 0 the relative change is undefined: a
 * worsening from 0 is +Infinity (always flagged), no change is 0. The bad side's infinity after a
 * finite value before is infinitely worse; the same infinity on both sides is no change.
 */
export function relativeWorsening(before: number, after: number, direction: 'above' | 'below'): number {
  if (before === after) return 0;
  const worse = direction === 'above' ? after - before : before - after;
  if (before === 0) return worse > 0 ? Infinity : worse < 0 ? -Infinity : 0;
  return worse / Math.abs(before);
}

/** Compare before/after percentiles: flagged where a percentile got worse by more than marginPercent. */
export function compare(before: Percentiles | undefined, after: Percentiles | undefined, direction: 'above' | 'below', marginPercent: number): Pick<RegressionRow, 'change' | 'flagged' | 'worse'> {
  if (!before || !after) return { change: null, flagged: false, worse: [] };
  const keys = ['p50', 'p95', 'p99'] as const;
  const change = { p50: relativeWorsening(before.p50, after.p50, direction), p95: relativeWorsening(before.p95, after.p95, direction), p99: relativeWorsening(before.p99, after.p99, direction) };
  const worse = keys.filter((k) => change[k] > marginPercent / 100);
  // JSON has no Infinity: "worse from 0" stays flagged, and its change is shown as "from 0".
  const json = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return { change: { p50: json(change.p50), p95: json(change.p95), p99: json(change.p99) }, flagged: worse.length > 0, worse };
}
