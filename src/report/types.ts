/**
 * The post-migration report as data: what `collect` read from Prometheus, before any rendering.
 * Every number here was read or counted from Prometheus' answers; a part that could not be read is
 * a `Missing` with the reason, never a guessed value. Times are milliseconds since the epoch (UTC).
 */
import type { GateStateName } from '../generate/names';

/** A part of the report that could not be read, and why (shown where the part would be, and at the top). */
export interface Missing {
  missing: string;
}

export type Part<T> = T | Missing;

export const isMissing = <T>(p: Part<T>): p is Missing => typeof p === 'object' && p !== null && 'missing' in p && typeof (p as Missing).missing === 'string';

/** A time span [startMs, endMs) on the report's grid; `open` when it lasted to the end of the range. */
export interface Span {
  startMs: number;
  endMs: number;
  /** Still going at the end of the range (its true end is later). */
  open: boolean;
}

export interface PhaseSpan extends Span {
  phase: string;
}

/** One row of "time per phase". */
export interface PhaseTime {
  phase: string;
  /** Sum of the phase's spans within the range. */
  durationMs: number;
  firstMs: number;
  lastMs: number;
  /** Time the runner reported itself throttled (migration_throttled == 1) in this phase; null when unreadable. */
  throttledMs: number | null;
}

export interface PhaseTimeline {
  /** Declared phases, in order (the y axis of the timeline). */
  declared: string[];
  /** Phase index per grid point (into `declared`); null = no phase (nothing exported), -1 = more than one phase at once. */
  byPoint: Array<number | null>;
  spans: PhaseSpan[];
  perPhase: PhaseTime[];
  /** Time with no phase exported (migration_phase absent) within the range. */
  noPhaseMs: number;
  /** Time with two or more phases at 1 at once. */
  ambiguousMs: number;
  /** Phases seen in Prometheus that the definition does not declare (shown, never counted under another). */
  undeclared: string[];
  /** Why the runner's throttle time is unavailable, when it is. */
  throttledMissing?: string;
}

export interface ProgressData {
  /** Rows processed (max over the runner's series) per grid point; null = no sample. */
  processed: Array<number | null>;
  total: Array<number | null>;
  /** Progress ratio 0..1 (the recording rule's expression) per grid point. */
  ratio: Array<number | null>;
  /** Rows per second (5m rate, the recording rule's expression) per grid point. */
  rate: Array<number | null>;
  /** Last values seen in the range (null when none). */
  lastProcessed: number | null;
  lastTotal: number | null;
  lastRatio: number | null;
  /** Peak and mean of the rate over the points that have one. */
  peakRate: number | null;
  meanRate: number | null;
}

export type EpisodeKind = 'pause' | 'rollback' | 'unknown';

/** A firing interval of a migobs alert (from ALERTS), as Prometheus evaluated it (`for` included). */
export interface AlertEpisode extends Span {
  alertname: string;
  /** The gate label, when the alert is about a gate. */
  gate?: string;
  severity?: string;
  /** Phase label of the alert when it fired. */
  phase?: string;
}

export interface AlertsData {
  episodes: AlertEpisode[];
  /** Time of the range in which Prometheus did not evaluate migobs' rules (no migration:gate:state): alerts there are not known. */
  notEvaluatedMs: number;
}

/** Time a gate spent in each state while the migration was in one of its phases, sampled per grid step. */
export interface StateTimes {
  green: number;
  pause: number;
  rollback: number;
  unknown: number;
}

export interface GateData {
  id: string;
  title: string;
  signal: string;
  unit: string;
  direction: 'above' | 'below';
  pause: number;
  rollback: number;
  pauseFor: string;
  rollbackFor: string;
  phases: string[];
  /** The signal's gate value (worst series) per grid point; null = no value (empty, NaN or ±Inf). */
  values: Part<Array<number | null>>;
  /**
   * Grid points (indices into `times`) where the gate value was the bad side's infinity (+Inf for
   * `above`, e.g. errors over no traffic): past every threshold, yet no point on a line. The chart
   * marks them at its edge; empty when `values` is missing.
   */
  badSideAt: number[];
  /** Peak (worst) value over the range: the bad side's infinity included (+Inf for `above`), NaN and the good side's infinity not. */
  worst: number | null;
  /** What `migobs gate` would have answered at each grid point, counted while the gate applied. */
  stateTimes: Part<StateTimes>;
  /** Shaded episodes: firing MigrationGatePause / MigrationGateRollback / MigrationGateSignalAbsent. */
  episodes: Part<Array<Span & { kind: EpisodeKind }>>;
}

/** A counter read over the range. */
export interface CounterSummary {
  /** Last value in the range (null = no sample at all). */
  last: number | null;
  lastMs: number | null;
  /** Times the counter went down (a restart): the last value counts only since the last reset. */
  resets: number[];
  values: Array<number | null>;
}

export interface VerificationData {
  verified: CounterSummary;
  mismatched: CounterSummary;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  samples: number;
}

export interface RegressionRow {
  gate: string;
  signal: string;
  title: string;
  unit: string;
  direction: 'above' | 'below';
  before: Part<Percentiles>;
  after: Part<Percentiles>;
  /** Per percentile: relative change in the bad direction (positive = worse), null when not comparable. */
  change: { p50: number | null; p95: number | null; p99: number | null } | null;
  /** Worse by more than the margin on at least one percentile. */
  flagged: boolean;
  /** Which percentiles are worse by more than the margin. */
  worse: Array<'p50' | 'p95' | 'p99'>;
}

export interface RegressionData {
  windowMs: number;
  marginPercent: number;
  before: { startMs: number; endMs: number };
  after: { startMs: number; endMs: number };
  rows: RegressionRow[];
  /** Gates left out because their signal reads only the migration's own metrics (no "before"). */
  skipped: string[];
}

export interface ReportData {
  migration: { id: string; title: string; owner: string; type: string; engine: string; description?: string };
  /** The range asked for, and the grid every series is sampled on. */
  range: { fromMs: number; toMs: number; stepMs: number; scrapeIntervalMs: number };
  /** Grid times: fromMs, fromMs + stepMs, ... <= toMs. */
  times: number[];
  prometheusUrl: string;
  phases: Part<PhaseTimeline>;
  progress: Part<ProgressData>;
  gates: GateData[];
  /** Every migobs alert that fired in the range, by start time. */
  alerts: Part<AlertsData>;
  verification: Part<VerificationData>;
  regression: Part<RegressionData>;
  /** Every missing part, in report order, as "part: reason". */
  missing: string[];
}

export type { GateStateName };
