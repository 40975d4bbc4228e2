/**
 * Statistics of a gate's history. Quantiles use Prometheus' own method (quantile_over_time and
 * quantile: linear interpolation between the two closest ranks, rank = q * (n - 1)), so a user can
 * reproduce every number with `quantile_over_time(q, (<gate value>)[7d:1m])`.
 */

/** The q-quantile (0..1) of values sorted ascending; NaN for none. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (q <= 0) return sorted[0]!;
  if (q >= 1) return sorted[n - 1]!;
  const rank = q * (n - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - lower;
  // On a sample itself, that sample: the interpolation would give NaN next to an infinity (Inf * 0).
  if (weight === 0) return sorted[lower]!;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

export interface Summary {
  /** Steps with a value. */
  samples: number;
  min: number;
  p1: number;
  p5: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Summary of finite values (callers filter out ±Inf; the gate value drops NaN itself). */
export function summarize(values: number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    min: sorted[0]!,
    p1: quantileSorted(sorted, 0.01),
    p5: quantileSorted(sorted, 0.05),
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
  };
}
