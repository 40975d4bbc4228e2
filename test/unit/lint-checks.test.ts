import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/load/config';
import { LINT_CHECKS, lintContext, lintMigrations, type LintContext } from '../../src/lint/index';
import { loadDefinitions } from '../../src/pipeline';

const FIXTURES = join(__dirname, '..', 'fixtures', 'lint');
/** A repo config with real hosts for both alert links, so only relative-link's own cases see relative links. */
const ABSOLUTE_CONFIG = join(FIXTURES, 'relative-link', 'absolute.config.yaml');

function context(rel: string, configFile: string | null = ABSOLUTE_CONFIG): LintContext {
  const loaded = configFile ? loadConfig(configFile) : undefined;
  expect(loaded?.diagnostics ?? []).toEqual([]);
  const r = loadDefinitions([join(FIXTURES, rel)], loaded?.config ?? {});
  expect(r.diagnostics, `${rel} must validate`).toEqual([]);
  const m = r.migrations[0]!;
  return { source: m.source, def: m.definition, model: m.model, ...(loaded?.source ? { config: loaded.source } : {}) };
}

function run(rel: string, checkName: string, configFile?: string | null) {
  const check = LINT_CHECKS.find((c) => c.name === checkName);
  if (!check) throw new Error(`no check ${checkName}`);
  return lintContext(context(rel, configFile), [check]);
}

describe('lint checks: each seeded problem is found at its exact place', () => {
  // [fixture, check, [line, column, words the message must contain] per finding]
  it.each<[string, string, Array<[number, number, string]>]>([
    ['for-too-short/bad-for.yaml', 'for-too-short', [[13, 12, 'for and rollbackFor 30s']]],
    ['for-too-short/bad-rollback-for.yaml', 'for-too-short', [[14, 20, 'rollbackFor 45s']]],
    [
      'for-too-short/bad-preset.yaml',
      'for-too-short',
      [
        [8, 9, "gate `active-sessions`: for 1m (the backfill preset's value)"],
        [8, 9, "gate `mismatch-ratio`: for 1m (the backfill preset's value)"],
      ],
    ],
    ['rate-window-too-short/bad.yaml', 'rate-window-too-short', [[13, 13, 'rate(...[1m]), irate(...[30s]) is shorter than 4 x scrapeInterval (30s) = 2m']]],
    [
      'rate-window-too-short/bad-scrape.yaml',
      'rate-window-too-short',
      [
        [10, 19, 'signal `appErrorRatio` (the postgres signal library): rate(...[5m])'],
        [10, 19, 'signal `batchDurationP95` (the postgres signal library): rate(...[5m])'],
      ],
    ],
    ['gate-without-remediation/bad.yaml', 'gate-without-remediation', [[12, 7, 'gate `lock-waits` has no remediation']]],
    ['irreversible-without-forward-fix/bad.yaml', 'irreversible-without-forward-fix', [[11, 45, 'irreversible, yet 8 gate(s)']]],
    [
      'unknown-metric/bad.yaml',
      'unknown-metric',
      [
        [12, 20, '`pg_stat_replication_pg_wal_lsn_dif`, which is not in the postgres signal library or the migration_* metric contract (did you mean `pg_stat_replication_pg_wal_lsn_diff`?)'],
        [14, 13, '`checkout_duration_seconds_bucket`'],
      ],
    ],
    ['contract-metric-without-migration-id/bad-regex-id.yaml', 'contract-metric-without-migration-id', [[13, 13, '`migration_errors_total{migration_id=~".+"}` sets migration_id to something other than "lint-fixture"']]],
    ['contract-metric-without-migration-id/bad-other-id.yaml', 'contract-metric-without-migration-id', [[12, 22, 'migration_id="orders-backfill"']]],
    ['contract-metric-without-migration-id/bad-recording-rule.yaml', 'contract-metric-without-migration-id', [[12, 24, 'reads migobs recording rule `migration:rows_processed:rate5m` without migration_id']]],
    ['contract-metric-without-migration-id/bad-nameless.yaml', 'contract-metric-without-migration-id', [[12, 20, 'has no metric name, so migration_id is not injected, and it matches `migration_lag_seconds`']]],
    ['no-gates/bad.yaml', 'no-gates', [[11, 3, 'no gate is enabled (5 disabled: `sync-lag`, `mismatch-ratio`, `app-error-ratio`, `app-latency-p99`, `replication-lag`)']]],
    ['for-longer-than-run/bad.yaml', 'for-longer-than-run', [[15, 20, 'gate `dead-tuples`: rollbackFor 20m is not shorter than the planned run (expectedDuration 20m)']]],
    ['stalled-after-too-short/bad.yaml', 'stalled-after-too-short', [[11, 17, 'stalledAfter 1m is shorter than 2 x scrapeInterval (1m) = 2m']]],
    [
      'target-placeholder/bad.yaml',
      'target-placeholder',
      [
        [9, 15, 'spec.targets.database is still the `CHANGE-ME` placeholder: it matches nothing, so gates `replication-lag`, `active-sessions`, `dead-tuples` stay unknown (pause)'],
        [11, 21, 'spec.targets.app is still the `CHANGE-ME` placeholder'],
      ],
    ],
    ['schedule-shorter-than-run/bad.yaml', 'schedule-shorter-than-run', [[13, 15, 'the schedule window (4h) is shorter than the planned run (expectedDuration 6h)']]],
  ])('%s -> %s', (fixture, checkName, expected) => {
    const found = run(fixture, checkName);
    expect(found.map((d) => [d.line, d.column])).toEqual(expected.map(([l, c]) => [l, c]));
    found.forEach((d, i) => {
      expect(d.message).toContain(expected[i]![2]);
      expect(d.check).toBe(checkName);
      expect(d.severity).toBe(LINT_CHECKS.find((c) => c.name === checkName)!.severity);
      expect(d.hint, 'every finding says what to do').toBeTruthy();
      expect(d.file).toBe(join(FIXTURES, fixture));
    });
  });

  it.each<[string, string]>([
    ['for-too-short/good.yaml', 'for-too-short'],
    ['clean.yaml', 'for-too-short'],
    ['rate-window-too-short/good.yaml', 'rate-window-too-short'],
    ['clean.yaml', 'rate-window-too-short'],
    ['gate-without-remediation/good.yaml', 'gate-without-remediation'],
    ['clean.yaml', 'gate-without-remediation'],
    ['irreversible-without-forward-fix/good.yaml', 'irreversible-without-forward-fix'],
    ['clean.yaml', 'irreversible-without-forward-fix'],
    ['unknown-metric/good.yaml', 'unknown-metric'],
    ['contract-metric-without-migration-id/good.yaml', 'contract-metric-without-migration-id'],
    ['unknown-metric/good.yaml', 'contract-metric-without-migration-id'],
    ['no-gates/good.yaml', 'no-gates'],
    ['for-longer-than-run/good.yaml', 'for-longer-than-run'],
    ['clean.yaml', 'for-longer-than-run'],
    ['stalled-after-too-short/good.yaml', 'stalled-after-too-short'],
    ['schedule-shorter-than-run/good.yaml', 'schedule-shorter-than-run'],
    ['clean.yaml', 'schedule-shorter-than-run'],
    ['clean.yaml', 'stalled-after-too-short'],
    ['target-placeholder/good.yaml', 'target-placeholder'],
    ['clean.yaml', 'target-placeholder'],
  ])('%s passes %s', (fixture, checkName) => {
    expect(run(fixture, checkName)).toEqual([]);
  });

  it.each<[string, string | null, Array<[string, number, number, string, string]>]>([
    [
      'no config: relative links, at the definition id',
      null,
      [
        ['clean.yaml', 4, 7, 'alerts of `lint-fixture` carry relative `runbook_url` (e.g. `docs/lint-fixture/runbook.md#gate-', 'create migobs.config.yaml with `runbookBaseUrl`'],
        ['clean.yaml', 4, 7, 'carry relative `dashboard_url` (e.g. `/d/lint-fixture?viewPanel=', 'create migobs.config.yaml with `grafanaUrl`'],
      ],
    ],
    [
      'a config without the keys: at the top of the config file',
      'empty.config.yaml',
      [
        ['empty.config.yaml', 2, 1, 'relative `runbook_url`', 'set `runbookBaseUrl` in'],
        ['empty.config.yaml', 2, 1, 'relative `dashboard_url`', 'set `grafanaUrl` in'],
      ],
    ],
    ['a placeholder host left in the config: at its line', 'partial.config.yaml', [['partial.config.yaml', 3, 17, 'carry a placeholder `runbook_url` (e.g. `https://git.example.com/your-org/', 'set `runbookBaseUrl` in']]],
    ['real hosts for both', 'absolute.config.yaml', []],
  ])('relative-link: %s', (_name, config, expected) => {
    const found = run('clean.yaml', 'relative-link', config ? join(FIXTURES, 'relative-link', config) : null);
    expect(found.map((d) => [d.file.split('/').pop(), d.line, d.column])).toEqual(expected.map(([f, l, c]) => [f, l, c]));
    found.forEach((d, i) => {
      expect(d.message).toContain(expected[i]![3]);
      expect(d.message).toContain('dead where alerts land (Slack, PagerDuty, email)');
      expect(d.hint).toContain(expected[i]![4]);
      expect(d.severity).toBe('warning');
      expect(d.check).toBe('relative-link');
    });
  });

  it('relative-link counts every alert link: each alert of the migration is named in the total', () => {
    const ctx = context('clean.yaml', null);
    const [runbook] = lintContext(ctx, LINT_CHECKS.filter((c) => c.name === 'relative-link'));
    const alerts = 3 * ctx.model.gates.length + 2 + (ctx.model.expectedDuration ? 1 : 0);
    expect(runbook!.message).toMatch(new RegExp(`^${alerts} of ${alerts} alerts`));
  });

  it('the clean fixture (a plain backfill on postgres) passes every check', () => {
    expect(lintContext(context('clean.yaml'))).toEqual([]);
  });

  it('check names are stable kebab-case and unique, each with a doc', () => {
    const names = LINT_CHECKS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of LINT_CHECKS) {
      expect(c.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(c.doc.length).toBeGreaterThan(20);
    }
  });
});

describe('shipped examples', () => {
  const examples = readdirSync(join(__dirname, '..', '..', 'examples')).filter((f) => f.endsWith('.yaml'));

  it('there are examples to lint', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('examples/%s: no error or warning with a repo config (lint exits 0)', (name) => {
    const r = loadDefinitions([join(__dirname, '..', '..', 'examples', name)], loadConfig(ABSOLUTE_CONFIG).config);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const findings = lintMigrations(r.migrations).filter((d) => d.severity !== 'info');
    expect(findings).toEqual([]);
  });
});
