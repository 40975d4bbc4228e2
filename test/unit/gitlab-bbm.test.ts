/**
 * `runner: gitlab-bbm`: the generated rules turn GitLab's batched_migration_* series (names and
 * labels as lib/gitlab/database/background_migration/prometheus_metrics.rb exports them, from two
 * Sidekiq processes) into progress, ETA, phase, the batch-duration gate and the stalled alert,
 * checked by `promtool test rules` on the generated rules.yaml. Plus the semantic rule.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMigration } from '../../src/generate/index';
import { FILES } from '../../src/generate/names';
import { loadModel } from '../../src/live/setup';
import { toYaml } from '../../src/render/serialize';
import { problems } from '../helpers/definitions';
import { runTool } from '../helpers/tools';

const FIXTURE = join(__dirname, '..', 'fixtures', 'runners', 'gitlab-bbm.yaml');
const ID = 'bbm-backfill';
const IDENT = 'BackfillMergeRequestTargetProjectId/merge_requests.id';
const dir = mkdtempSync(join(tmpdir(), 'migobs-bbm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A GitLab series of one Sidekiq process: GitLab's own numeric migration_id, our identifier. */
const gl = (metric: string, instance: string, values: string): { series: string; values: string } => ({
  series: `${metric}{job="gitlab-sidekiq", instance="${instance}", migration_id="17", migration_identifier="${IDENT}"}`,
  values,
});
const id = `migration_id="${ID}"`;

function promtoolTest(tests: unknown[]): { code: number; out: string } {
  const rules = (() => { const m = loadModel(FIXTURE); return generateMigration(m).find((f) => f.path === FILES.rules(m.id))!.content; })();
  writeFileSync(join(dir, 'rules.yaml'), rules);
  const file = join(dir, 'gitlab.test.yaml');
  writeFileSync(file, toYaml({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
  const r = runTool('promtool', ['test', 'rules', file]);
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('runner gitlab-bbm: GitLab metrics -> the contract (promtool)', () => {
  it('progress, ETA, phase, batch-duration gate and stalled alert from two Sidekiq processes', () => {
    const r = promtoolTest([
      {
        interval: '1m',
        input_series: [
          // Process a ran the latest jobs; process b reported earlier totals (a sum would double count).
          gl('batched_migration_migrated_tuples_total', 'a', '0+1000x30 30000+0x30'),
          gl('batched_migration_migrated_tuples_total', 'b', '0 0+1000x29 29000+0x30'),
          gl('batched_migration_total_tuple_count', 'a', '100000+0x61'),
          gl('batched_migration_total_tuple_count', 'b', '100000+0x61'),
          // The last job finished at minute 30, then none: stalled.
          gl('batched_migration_last_update_time_seconds', 'a', '0+60x30 1800+0x30'),
          gl('batched_migration_job_duration_seconds', 'a', '1+0x20 8+0x40'),
        ],
        promql_expr_test: [
          { expr: `migration:progress:ratio{${id}}`, eval_time: '10m', exp_samples: [{ labels: `migration:progress:ratio{${id}}`, value: 0.1 }] },
          // 90,000 tuples left at 1,000 a minute: 90 minutes.
          { expr: `round(migration:eta:seconds{${id}} / 60)`, eval_time: '10m', exp_samples: [{ labels: `{${id}}`, value: 90 }] },
          { expr: `migration:phase:current{${id}}`, eval_time: '10m', exp_samples: [{ labels: `migration:phase:current{${id}, phase="full"}`, value: 1 }] },
          { expr: `migration_phase{${id}}`, eval_time: '10m', exp_samples: [
            { labels: `migration_phase{${id}, job="gitlab-sidekiq", phase="full"}`, value: 1 },
            { labels: `migration_phase{${id}, job="gitlab-sidekiq", phase="verify"}`, value: 0 },
          ] },
          { expr: `migration_info{${id}}`, eval_time: '10m', exp_samples: [{ labels: `migration_info{${id}, job="gitlab-sidekiq", owner="team-database", type="backfill"}`, value: 1 }] },
          // The slowest job of the last 5 minutes: 1 s (green), then 8 s (past rollback 5 s).
          { expr: `migration:gate_signal:value{${id}, gate="batch-duration"}`, eval_time: '10m', exp_samples: [{ labels: `migration:gate_signal:value{${id}, gate="batch-duration"}`, value: 1 }] },
          { expr: `migration:gate:state{${id}, gate="batch-duration"}`, eval_time: '25m', exp_samples: [{ labels: `migration:gate:state{${id}, gate="batch-duration"}`, value: 2 }] },
          // No job since minute 30: stalled after 10 minutes (stalledAfter) plus its 1m hold.
          { expr: `ALERTS{alertname="MigrationStalled", alertstate="firing", ${id}}`, eval_time: '35m', exp_samples: [] },
          { expr: `count(ALERTS{alertname="MigrationStalled", alertstate="firing", ${id}})`, eval_time: '45m', exp_samples: [{ labels: '{}', value: 1 }] },
        ],
      },
      {
        interval: '1m',
        input_series: [
          gl('batched_migration_migrated_tuples_total', 'a', '0+10000x10 100000+0x20'),
          gl('batched_migration_total_tuple_count', 'a', '100000+0x30'),
          gl('batched_migration_last_update_time_seconds', 'a', '0+60x10 600+0x20'),
          gl('batched_migration_job_duration_seconds', 'a', '1+0x30'),
        ],
        promql_expr_test: [
          // Every tuple migrated: the done phase, progress 1, and no stalled alert although no job runs.
          { expr: `migration:phase:current{${id}}`, eval_time: '25m', exp_samples: [{ labels: `migration:phase:current{${id}, phase="verify"}`, value: 1 }] },
          { expr: `migration:progress:ratio{${id}}`, eval_time: '25m', exp_samples: [{ labels: `migration:progress:ratio{${id}}`, value: 1 }] },
          { expr: `ALERTS{alertname="MigrationStalled", ${id}}`, eval_time: '28m', exp_samples: [] },
        ],
      },
      {
        interval: '1m',
        // GitLab never exported for this migration (not started yet): no phase, and no alert either,
        // because migobs alerts only fire while the migration is active (docs/definition.md#lifecycle).
        input_series: [{ series: 'up{job="gitlab-sidekiq"}', values: '0+0x20' }],
        promql_expr_test: [
          { expr: `migration_phase{${id}}`, eval_time: '5m', exp_samples: [] },
          { expr: `count(ALERTS{alertname="MigrationMetricsAbsent", alertstate="firing", ${id}})`, eval_time: '15m', exp_samples: [] },
        ],
      },
    ]);
    expect(r.code, r.out).toBe(0);
  });

  it('the same rules fail promtool when GitLab reports fewer tuples (the test can fail)', () => {
    const r = promtoolTest([{
      interval: '1m',
      input_series: [gl('batched_migration_migrated_tuples_total', 'a', '0+500x10'), gl('batched_migration_total_tuple_count', 'a', '100000+0x10')],
      promql_expr_test: [{ expr: `migration:progress:ratio{${id}}`, eval_time: '10m', exp_samples: [{ labels: `migration:progress:ratio{${id}}`, value: 0.1 }] }],
    }]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/exp: .* 1E-01\n\s+got: .* 5E-02/);
  });
});

describe('semantic rule runner-valid', () => {
  const bbm = (runner: Record<string, unknown>, selector = 'job="gitlab-sidekiq"') => (d: { spec: Record<string, unknown> }) => {
    d.spec.runner = runner;
    d.spec.selector = selector;
  };
  it.each([
    [{ kind: 'gitlab-bbm' }, 'job="x"', /runner `gitlab-bbm` needs `migrationIdentifier`/],
    [{ kind: 'gitlab-bbm', migrationIdentifier: IDENT, phase: 'fulll' }, 'job="x"', /runner phase `fulll` is not a phase of this migration \(did you mean `full`\?\)/],
    [{ kind: 'gitlab-bbm', migrationIdentifier: IDENT, donePhase: 'done' }, 'job="x"', /runner donePhase `done` is not a phase/],
    [{ kind: 'gitlab-bbm', migrationIdentifier: IDENT }, 'job=~"gitlab-.*"', /the selector can only use = matchers \(found job=~\)/],
  ])('%j with selector %s', (runner, selector, message) => {
    const found = problems(bbm(runner, selector) as never).filter((p) => p.check === 'runner-valid');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(message);
    expect(found[0]!.at).toMatch(/^\d+:\d+$/);
  });
  it('an emitter runner or none: nothing to check', () => {
    expect(problems(bbm({ kind: 'emitter' }) as never).filter((p) => p.check === 'runner-valid')).toEqual([]);
  });
});
