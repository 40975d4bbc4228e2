/**
 * A signal that evaluates to NaN (0/0) must make its gate unknown, never green; one that is +Inf
 * on the gate's bad side (errors over no traffic) is past every threshold: rollback, and the
 * rollback alert fires; the good side's -Inf is unknown (real promtool).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateMigration } from '../../src/generate/index';
import { FILES } from '../../src/generate/names';
import { check } from '../helpers/definitions';
import { runTool } from '../helpers/tools';

describe('NaN and infinite signals', () => {
  it.each<[string, string, string, number, string[]]>([
    ['NaN (0/0)', '0x10', '0x10', 3, ['MigrationGateSignalAbsent']],
    ['+Inf (a positive over zero): past every threshold of the above gate', '5x10', '0x10', 2, ['MigrationGateRollback', 'MigrationGatePause']],
    ['-Inf (the above gate\'s good side): not a measurement', '-5x10', '0x10', 3, ['MigrationGateSignalAbsent']],
  ])('%s: gate state and the alerts that fire', (_what, sum, count, state, alerts) => {
    const r = check((d) => {
      d.spec.signals!.replicationLag = { expr: 'max(lag_sum) / max(lag_count)', unit: 's' };
    });
    expect(r.diagnostics).toEqual([]);
    const model = r.migrations[0]!.model;
    const dir = mkdtempSync(join(tmpdir(), 'migobs-nonfinite-'));
    const rules = generateMigration(model).find((f) => f.path === FILES.rules(model.id))!;
    writeFileSync(join(dir, 'rules.yaml'), rules.content);
    const sel = 'migration_id="orders-region-backfill", job="orders-backfill"';
    const gate = 'replication-lag';
    writeFileSync(
      join(dir, 'nonfinite.test.yaml'),
      stringify({
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: 'lag_sum', values: sum },
              { series: 'lag_count', values: count },
              { series: `migration_phase{${sel}, phase="canary"}`, values: '1x10' },
            ],
            promql_expr_test: [
              { expr: `migration:gate:state{gate="${gate}"}`, eval_time: '9m', exp_samples: [{ labels: `migration:gate:state{gate="${gate}", migration_id="orders-region-backfill"}`, value: state }] },
              { expr: `count by (alertname) (ALERTS{alertstate="firing", gate="${gate}"})`, eval_time: '9m', exp_samples: alerts.map((a) => ({ labels: `{alertname="${a}"}`, value: 1 })) },
            ],
          },
        ],
      }),
    );
    const t = runTool('promtool', ['test', 'rules', 'nonfinite.test.yaml'], { cwd: dir });
    expect(t.code, t.stdout + t.stderr).toBe(0);
  });
});
