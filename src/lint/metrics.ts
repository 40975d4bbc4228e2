/**
 * Metric names lint knows: the migobs metric contract, the recording rules migobs generates,
 * Prometheus' own per-target series, and every `metrics:` entry of the engine signal libraries
 * and presets (each checked against the exporter's own metric list, see presets/engines/*.yaml).
 */
import type { Engine, MigrationType } from '../definition/types';
import { RECORD } from '../generate/names';
import { loadEngineLibrary, loadPreset } from '../presets/load';
import type { LibrarySignal } from '../presets/types';

/** The metric contract (docs/emitter.md "What it exposes"): what the migobs emitter exposes. */
export const CONTRACT_METRICS: readonly string[] = [
  'migration_rows_processed_total',
  'migration_rows_total',
  'migration_batches_total',
  'migration_batch_duration_seconds',
  'migration_errors_total',
  'migration_phase',
  'migration_throttled',
  'migration_lag_seconds',
  'migration_rows_verified_total',
  'migration_rows_mismatched_total',
  'migration_last_progress_timestamp_seconds',
  'migration_info',
];

/** Series Prometheus adds to every scrape target. */
const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];

/** Series a histogram or summary named `base` exposes. */
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

function libraryMetrics(signals: Record<string, LibrarySignal> | undefined): string[] {
  return Object.values(signals ?? {}).flatMap((s) => s.metrics ?? []);
}

/** Every name lint accepts without comment for a migration of this engine and type. */
export function knownMetrics(engine: Engine, type: MigrationType): Set<string> {
  const libs = engine === 'generic' ? ['generic' as const] : ['generic' as const, engine];
  const names = new Set<string>([
    ...CONTRACT_METRICS,
    ...Object.values(RECORD),
    ...PROMETHEUS_SERIES,
    ...libs.flatMap((e) => libraryMetrics(loadEngineLibrary(e).signals)),
    ...libraryMetrics(loadPreset(type).signals),
  ]);
  return names;
}

/** Whether `metric` is known, directly or as a series of a known histogram/summary. */
export function isKnownMetric(metric: string, known: Set<string>): boolean {
  if (known.has(metric)) return true;
  const suffix = HISTOGRAM_SUFFIXES.find((s) => metric.endsWith(s));
  return suffix !== undefined && known.has(metric.slice(0, -suffix.length));
}

/** Colons are reserved for recording rules (Prometheus naming): such a name is a rule's output, not an exporter's. */
export const isRecordingRuleName = (metric: string): boolean => metric.includes(':');
