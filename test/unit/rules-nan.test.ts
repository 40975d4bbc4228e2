/** A signal that evaluates to NaN (0/0) must make its gate unknown, never green (real promtool). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateMigration } from '../../src/generate/index';
import { FILES } from '../../src/generate/names';
import { check } from '../helpers/definitions';
import { runTool } from '../helpers/tools';

describe('NaN signal', () => {
  it('gate state is 3 (unknown) and the absent-signal alert fires', () => {
    const r = check((d) => {
      d.spec.signals!.replicationLag = { expr: 'max(lag_sum) / max(lag_count)', unit: 's' };
    });
    expect(r.diagnostics).toEqual([]);
    const model = r.migrations[0]!.model;
    const dir = mkdtempSync(join(tmpdir(), 'migobs-nan-'));
    const rules = generateMigration(model).find((f) => f.path === FILES.rules(model.id))!;
    writeFileSync(join(dir, 'rules.yaml'), rules.content);
    const sel = 'migration_id="orders-region-backfill", job="orders-backfill"';
    writeFileSync(
      join(dir, 'nan.test.yaml'),
      stringify({
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: 'lag_sum', values: '0x10' },
              { series: 'lag_count', values: '0x10' },
              { series: `migration_phase{${sel}, phase="canary"}`, values: '1x10' },
            ],
            promql_expr_test: [
              { expr: 'migration:gate:state{gate="replication-lag"}', eval_time: '5m', exp_samples: [{ labels: 'migration:gate:state{gate="replication-lag", migration_id="orders-region-backfill"}', value: 3 }] },
            ],
          },
        ],
      }),
    );
    const t = runTool('promtool', ['test', 'rules', 'nan.test.yaml'], { cwd: dir });
    expect(t.code, t.stdout + t.stderr).toBe(0);
  });
});
