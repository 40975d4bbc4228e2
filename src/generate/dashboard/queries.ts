/**
 * The PromQL behind every panel. Raw migration_* metrics always carry the model's matchers
 * (migration_id plus the user's selector); recording rules already carry migration_id only.
 */
import type { ResolvedMigration } from '../../model/types';
import { eq, selector } from '../../promql/matchers';
import { formatDuration } from '../../util/duration';
import { RECORD } from '../names';

/** Rate windows cover at least four scrapes (lint's rule), and never less than 5m. */
export function rateWindow(model: Pick<ResolvedMigration, 'scrapeIntervalSeconds'>): string {
  return formatDuration(Math.max(300, 4 * model.scrapeIntervalSeconds) * 1000);
}

/** A phase change must be seen by `changes()`: at least two scrapes, never less than 1m. */
export function changeWindow(model: Pick<ResolvedMigration, 'scrapeIntervalSeconds'>): string {
  return formatDuration(Math.max(60, 2 * model.scrapeIntervalSeconds) * 1000);
}

export interface DashboardQueries {
  progress: string;
  rowsRate: string;
  eta: string;
  currentPhase: string;
  batchesByOutcome: string;
  batchDurationQuantile: (q: number) => string;
  throttled: string;
  lag: string;
  gateState: string;
  rowsVerified: string;
  rowsMismatched: string;
  mismatchRatio: string;
  phaseChanges: string;
}

export function dashboardQueries(model: ResolvedMigration): DashboardQueries {
  const raw = (metric: string): string => selector(metric, model.migrationMatchers);
  const recorded = (name: string): string => selector(name, [eq('migration_id', model.id)]);
  const w = rateWindow(model);
  const rate = (metric: string): string => `rate(${raw(metric)}[${w}])`;
  return {
    progress: `max(${recorded(RECORD.progress)})`,
    rowsRate: `sum(${recorded(RECORD.rowsRate)})`,
    eta: `max(${recorded(RECORD.eta)})`,
    currentPhase: `max by (phase) (${raw('migration_phase')}) == 1`,
    batchesByOutcome: `sum by (outcome) (${rate('migration_batches_total')})`,
    batchDurationQuantile: (q) => `histogram_quantile(${q}, sum by (le) (${rate('migration_batch_duration_seconds_bucket')}))`,
    throttled: `max(${raw('migration_throttled')})`,
    lag: `max(${raw('migration_lag_seconds')})`,
    gateState: `max by (gate) (${recorded(RECORD.gateState)})`,
    rowsVerified: `sum(${rate('migration_rows_verified_total')})`,
    rowsMismatched: `sum(${rate('migration_rows_mismatched_total')})`,
    mismatchRatio: `sum(${rate('migration_rows_mismatched_total')}) / sum(${rate('migration_rows_verified_total')})`,
    // A phase series that became 1 within the window: one marker per phase entered.
    phaseChanges: `max by (phase) (changes(${raw('migration_phase')}[${changeWindow(model)}]) > 0 and ${raw('migration_phase')} == 1)`,
  };
}
