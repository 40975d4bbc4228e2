/**
 * The PromQL functions of the Prometheus migobs targets: 2.42, the version Debian 12 ships and
 * the one the test suite runs (promtool, prometheus). Names, arities and argument types are those
 * of Prometheus' promql/parser/functions.go at v2.42.0; the list was checked name by name with
 * `promtool check rules` 2.42 (test/unit/promql-check.test.ts keeps checking it). Functions added
 * later (sort_by_label, histogram_avg, info, ...) and the experimental ones of later versions are
 * refused, because a rule file using one stops a 2.42 Prometheus from loading any rule.
 */
export type ValueType = 'vector' | 'matrix' | 'scalar' | 'string';

export interface FunctionSignature {
  args: ValueType[];
  /** 0: exactly `args`; n > 0: the last argument may be left out or repeated up to n times in all; -1: repeated without limit. */
  variadic: number;
  returns: ValueType;
}

export const TARGET_PROMETHEUS = '2.42';

const v = 'vector' as const;
const m = 'matrix' as const;
const s = 'scalar' as const;
const str = 'string' as const;
const fn = (args: ValueType[], returns: ValueType = v, variadic = 0): FunctionSignature => ({ args, variadic, returns });

export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = {
  abs: fn([v]),
  absent: fn([v]),
  absent_over_time: fn([m]),
  acos: fn([v]),
  acosh: fn([v]),
  asin: fn([v]),
  asinh: fn([v]),
  atan: fn([v]),
  atanh: fn([v]),
  avg_over_time: fn([m]),
  ceil: fn([v]),
  changes: fn([m]),
  clamp: fn([v, s, s]),
  clamp_max: fn([v, s]),
  clamp_min: fn([v, s]),
  cos: fn([v]),
  cosh: fn([v]),
  count_over_time: fn([m]),
  days_in_month: fn([v], v, 1),
  day_of_month: fn([v], v, 1),
  day_of_week: fn([v], v, 1),
  day_of_year: fn([v], v, 1),
  deg: fn([v]),
  delta: fn([m]),
  deriv: fn([m]),
  exp: fn([v]),
  floor: fn([v]),
  histogram_count: fn([v]),
  histogram_sum: fn([v]),
  histogram_fraction: fn([s, s, v]),
  histogram_quantile: fn([s, v]),
  // Renamed double_exponential_smoothing in Prometheus 3.0; 2.42 knows only this name.
  holt_winters: fn([m, s, s]),
  hour: fn([v], v, 1),
  idelta: fn([m]),
  increase: fn([m]),
  irate: fn([m]),
  label_replace: fn([v, str, str, str, str]),
  label_join: fn([v, str, str, str], v, -1),
  last_over_time: fn([m]),
  ln: fn([v]),
  log10: fn([v]),
  log2: fn([v]),
  max_over_time: fn([m]),
  min_over_time: fn([m]),
  minute: fn([v], v, 1),
  month: fn([v], v, 1),
  pi: fn([], s),
  predict_linear: fn([m, s]),
  present_over_time: fn([m]),
  quantile_over_time: fn([s, m]),
  rad: fn([v]),
  rate: fn([m]),
  resets: fn([m]),
  round: fn([v, s], v, 1),
  scalar: fn([v], s),
  sgn: fn([v]),
  sin: fn([v]),
  sinh: fn([v]),
  sort: fn([v]),
  sort_desc: fn([v]),
  sqrt: fn([v]),
  stddev_over_time: fn([m]),
  stdvar_over_time: fn([m]),
  sum_over_time: fn([m]),
  tan: fn([v]),
  tanh: fn([v]),
  time: fn([], s),
  timestamp: fn([v]),
  vector: fn([s]),
  year: fn([v], v, 1),
};

/** Aggregation operators of 2.42 and whether they take a parameter (and of which type). */
export const AGGREGATIONS: Readonly<Record<string, ValueType | undefined>> = {
  sum: undefined,
  avg: undefined,
  count: undefined,
  min: undefined,
  max: undefined,
  group: undefined,
  stddev: undefined,
  stdvar: undefined,
  topk: s,
  bottomk: s,
  quantile: s,
  count_values: str,
};

/** How Prometheus names value types in its messages. */
export function documentedType(t: ValueType | 'none'): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}
