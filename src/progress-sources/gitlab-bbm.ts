/**
 * GitLab batched background migrations as the progress source of a migration (`spec.runner:
 * {kind: gitlab-bbm, migrationIdentifier: ...}`, docs/integrations.md "GitLab batched background
 * migrations").
 *
 * GitLab exports, per Rails/Sidekiq process, after every batched job
 * (lib/gitlab/database/background_migration/prometheus_metrics.rb, gitlabhq/gitlabhq): the gauges
 * batched_migration_migrated_tuples_total, batched_migration_total_tuple_count,
 * batched_migration_job_duration_seconds and batched_migration_last_update_time_seconds, labelled
 * {migration_id="<GitLab's numeric id>", migration_identifier="<JobClass>/<table>.<column>"}.
 *
 * Recording rules, placed first in the migration's recording group (rules of a group are evaluated
 * in order, so the contract rules after them read this round's values), turn those into the
 * contract series the generated dashboard, alerts and `migobs gate` read. Each is aggregated over
 * GitLab's processes with max (every process reports the same global count, the latest is the
 * largest; a sum would count it once per process) and labelled with this migration's id (replacing
 * GitLab's numeric migration_id) and the definition's selector labels.
 */
import type { RunnerDefinition } from '../definition/types';
import type { ResolvedMigration, ResolvedRunner } from '../model/types';
import { eq, selector, type LabelMatcher } from '../promql/matchers';

/** GitLab's metric names (prometheus_metrics.rb). */
export const GITLAB_METRIC = {
  migrated: 'batched_migration_migrated_tuples_total',
  total: 'batched_migration_total_tuple_count',
  jobDuration: 'batched_migration_job_duration_seconds',
  lastUpdate: 'batched_migration_last_update_time_seconds',
} as const;

/** The phase GitLab's migration runs in unless the definition says otherwise. */
export const DEFAULT_RUNNER_PHASE = 'full';

/** The runner of a definition, with defaults; undefined for the emitter (nothing to map). */
export function resolveRunner(runner: RunnerDefinition | undefined, phaseIds: string[]): ResolvedRunner | undefined {
  if (!runner || runner.kind !== 'gitlab-bbm') return undefined;
  const phase = runner.phase ?? DEFAULT_RUNNER_PHASE;
  const next = phaseIds[phaseIds.indexOf(phase) + 1];
  const donePhase = runner.donePhase ?? (phaseIds.includes(phase) ? next : undefined);
  return { kind: 'gitlab-bbm', migrationIdentifier: runner.migrationIdentifier ?? '', phase, ...(donePhase ? { donePhase } : {}) };
}

/** The selector labels of the migration (without migration_id). */
const selectorMatchers = (matchers: LabelMatcher[]): LabelMatcher[] => matchers.filter((m) => m.name !== 'migration_id');

/** `<GitLab metric>{migration_identifier="...", <selector>}`. */
export function gitlabSelector(runner: ResolvedRunner, matchers: LabelMatcher[], metric: string): string {
  return selector(metric, [eq('migration_identifier', runner.migrationIdentifier), ...selectorMatchers(matchers)]);
}

/**
 * Signals the runner feeds in place of the engine library's: GitLab reports the duration of the
 * last job, not a histogram, so the batch-duration gate reads the slowest job of the last 5 minutes.
 */
export function runnerSignals(runner: ResolvedRunner | undefined, matchers: LabelMatcher[]): Record<string, { expr: string; unit: string; title: string; description: string; requires: string; range: { min: number } }> {
  if (!runner) return {};
  return {
    batchDurationP95: {
      expr: `max(max_over_time(${gitlabSelector(runner, matchers, GITLAB_METRIC.jobDuration)}[5m]))`,
      unit: 's',
      title: 'Slowest GitLab batched job in 5m (seconds)',
      description: `The longest ${GITLAB_METRIC.jobDuration} (duration of a finished batched job) seen in the last 5 minutes. GitLab exports the last job's duration as a gauge, not a histogram, so this is the worst job, not a p95. Empty (gate unknown) while no GitLab process exports it.`,
      requires: 'GitLab Rails/Sidekiq metrics (batched_migration_job_duration_seconds) scraped with the definition\'s selector labels',
      range: { min: 0 },
    },
  };
}

export interface RunnerRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

/** The recording rules that produce the contract series from GitLab's metrics. */
export function runnerRecordingRules(m: ResolvedMigration): RunnerRule[] {
  const runner = m.runner;
  if (!runner) return [];
  const sel = (metric: string): string => gitlabSelector(runner, m.migrationMatchers, metric);
  // Every series of the contract carries migration_id and the selector's (equality) labels, so the
  // contract's own selectors find them.
  const labels: Record<string, string> = { migration_id: m.id };
  for (const x of selectorMatchers(m.migrationMatchers)) if (x.op === '=') labels[x.name] = x.value;
  const migrated = `max(${sel(GITLAB_METRIC.migrated)})`;
  const total = `max(${sel(GITLAB_METRIC.total)})`;
  const rules: RunnerRule[] = [
    { record: 'migration_rows_processed_total', expr: migrated, labels },
    { record: 'migration_rows_total', expr: total, labels },
    { record: 'migration_last_progress_timestamp_seconds', expr: `max(${sel(GITLAB_METRIC.lastUpdate)})`, labels },
    // 1 while tuples remain, 0 once all are migrated; absent (phase unknown) without GitLab's series.
    { record: 'migration_phase', expr: `${migrated} < bool ${total}`, labels: { ...labels, phase: runner.phase } },
  ];
  if (runner.donePhase) rules.push({ record: 'migration_phase', expr: `${migrated} >= bool ${total}`, labels: { ...labels, phase: runner.donePhase } });
  rules.push({ record: 'migration_info', expr: `${total} * 0 + 1`, labels: { ...labels, type: m.type, owner: m.owner } });
  return rules;
}
