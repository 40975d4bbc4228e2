/**
 * `migobs hook gh-ost` against a real Pushgateway and a real Prometheus. gh-ost itself is not
 * packaged in Debian: the test does what gh-ost does with its --hooks-path (go/logic/hooks.go):
 * runs each `gh-ost-on-<event>*` executable of the directory, in gh-ost's order, with the
 * environment gh-ost sets (GH_OST_COPIED_ROWS, GH_OST_ESTIMATED_ROWS, GH_OST_ETA_SECONDS,
 * GH_OST_INSPECTED_LAG, GH_OST_HEARTBEAT_LAG, GH_OST_STATUS='...' with its quotes, ...). Then the
 * Pushgateway holds the metric contract, and Prometheus, scraping it with the generated rules,
 * records progress and the phase `migobs gate` reads.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMigration } from '../../src/generate/index';
import { FILES } from '../../src/generate/names';
import { loadModel } from '../../src/live/setup';
import { migobsAsync, Services, waitFor, type Prometheus } from '../helpers/services';

const DEFINITION = join(__dirname, 'fixtures', 'gh-ost-rewrite.yaml');
const ID = 'ghost-orders-rewrite';

/** The variables gh-ost sets on every hook (HooksExecutor.applyEnvironmentVariables), formatted as it formats them. */
function ghostEnv(copied: number, estimated: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GH_OST_DATABASE_NAME: 'shop',
    GH_OST_TABLE_NAME: 'orders',
    GH_OST_GHOST_TABLE_NAME: '_orders_gho',
    GH_OST_OLD_TABLE_NAME: '_orders_del',
    GH_OST_DDL: 'ADD COLUMN region varchar(16)',
    GH_OST_ELAPSED_SECONDS: '12.345678',
    GH_OST_ELAPSED_COPY_SECONDS: '10.000000',
    GH_OST_ESTIMATED_ROWS: String(estimated),
    GH_OST_COPIED_ROWS: String(copied),
    GH_OST_MIGRATED_HOST: 'db1:3306',
    GH_OST_INSPECTED_HOST: 'db2:3306',
    GH_OST_EXECUTING_HOST: 'runner1',
    GH_OST_INSPECTED_LAG: '0.400000',
    GH_OST_HEARTBEAT_LAG: '0.250000',
    GH_OST_PROGRESS: estimated ? ((100 * copied) / estimated).toFixed(6) : '0.000000',
    GH_OST_ETA_SECONDS: '-9223372036854775808',
    GH_OST_HOOKS_HINT: '',
    GH_OST_HOOKS_HINT_OWNER: '',
    GH_OST_HOOKS_HINT_TOKEN: '',
    GH_OST_DRY_RUN: 'false',
    GH_OST_REVERT: 'false',
    ...extra,
  };
}

/** Lines of the Pushgateway's exposition for `name` of this migration: labels text -> value. */
function series(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (m && m[1]!.includes(`migration_id="${ID}"`)) out.set(m[1]!, Number(m[2]));
  }
  return out;
}
const one = (text: string, name: string): number | undefined => {
  const s = series(text, name);
  if (s.size > 1) throw new Error(`${name}: ${s.size} series`);
  return [...s.values()][0];
};

describe('gh-ost hooks -> Pushgateway -> Prometheus', () => {
  const services = new Services();
  let pushgateway: { url: string; target: string };
  let prometheus: Prometheus;
  let hooks: string;
  let stateDir: string;

  beforeAll(async () => {
    pushgateway = await services.startPushgateway();
    const model = loadModel(DEFINITION);
    const rules = generateMigration(model).find((f) => f.path === FILES.rules(model.id))!.content;
    prometheus = await services.startPrometheus({ targets: [{ job: 'pushgateway', target: pushgateway.target, honorLabels: true }], ruleFiles: { 'rules.yaml': rules } });
    hooks = services.tempDir('ghost-hooks');
    stateDir = services.tempDir('ghost-state');
  });
  afterAll(() => services.stopAll());

  /** What gh-ost does at an event: run every matching executable in --hooks-path, with its environment. */
  function fire(event: string, env: Record<string, string>): string {
    const matching = readdirSync(hooks).filter((f) => f.startsWith(event)).sort();
    expect(matching, `no hook for ${event}`).toHaveLength(1);
    const r = spawnSync(join(hooks, matching[0]!), [], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${event}: ${r.stdout}${r.stderr}`).toBe(0);
    return r.stdout + r.stderr;
  }

  async function pushed(): Promise<string> {
    const r = await fetch(`${pushgateway.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    return r.text();
  }

  it('--install writes one executable shim per event', async () => {
    const r = await migobsAsync(['hook', 'gh-ost', DEFINITION, '--install', hooks, '--pushgateway', pushgateway.url, '--state-dir', stateDir]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(hooks).sort();
    expect(files).toEqual([
      'gh-ost-on-batch-copy-retry--migobs', 'gh-ost-on-before-cut-over--migobs', 'gh-ost-on-before-row-copy--migobs', 'gh-ost-on-begin-postponed--migobs',
      'gh-ost-on-failure--migobs', 'gh-ost-on-row-copy-complete--migobs', 'gh-ost-on-rowcount-complete--migobs', 'gh-ost-on-startup--migobs',
      'gh-ost-on-status--migobs', 'gh-ost-on-success--migobs', 'gh-ost-on-validated--migobs',
    ]);
    for (const f of files) accessSync(join(hooks, f), constants.X_OK);
    const shim = readFileSync(join(hooks, 'gh-ost-on-status--migobs'), 'utf8');
    expect(shim).toMatch(/^#!\/bin\/sh\n# Generated by migobs hook gh-ost --install\n/);
    expect(shim).toMatch(/'--event' 'gh-ost-on-status' '--pushgateway' 'http:\/\/127\.0\.0\.1:\d+' '--state-dir' '[^']+' "\$@"\n$/);
    expect(r.stderr).toMatch(/gh-ost-on-before-row-copy -> full/);
    // Installing again replaces its own files; a foreign file is not overwritten.
    expect((await migobsAsync(['hook', 'gh-ost', DEFINITION, '--install', hooks, '--pushgateway', pushgateway.url, '--state-dir', stateDir])).code).toBe(0);
    const other = services.tempDir('ghost-hooks-other');
    writeFileSync(join(other, 'gh-ost-on-success--migobs'), '#!/bin/sh\nmail -s done ops\n');
    const refused = await migobsAsync(['hook', 'gh-ost', DEFINITION, '--install', other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/gh-ost-on-success--migobs exists and was not written by migobs; remove it or pass --force/);
    expect(readFileSync(join(other, 'gh-ost-on-success--migobs'), 'utf8')).toBe('#!/bin/sh\nmail -s done ops\n');
  });

  it('gh-ost calling the hooks in order: the Pushgateway holds the contract at every step', async () => {
    fire('gh-ost-on-startup', ghostEnv(0, 0));
    let text = await pushed();
    expect(series(text, 'migration_phase')).toEqual(new Map([
      ...['preflight', 'canary', 'ramp', 'full', 'verify', 'cut-over', 'closeout'].map((p) => [`instance="",job="ghost-orders",migration_id="${ID}",phase="${p}"`, p === 'preflight' ? 1 : 0] as const),
    ]));
    expect(one(text, 'migration_info')).toBe(1);
    expect(text).toMatch(new RegExp(`^migration_info\\{instance="",job="ghost-orders",migration_id="${ID}",owner="team-orders",type="online-rewrite"\\} 1$`, 'm'));
    expect(one(text, 'migration_rows_processed_total')).toBe(0);
    // Not reported by gh-ost: left out so gates reading them are unknown, not a false green.
    for (const absent of ['migration_batches_total', 'migration_batch_duration_seconds_count', 'migration_rows_verified_total', 'migration_rows_mismatched_total']) expect(series(text, absent).size).toBe(0);

    fire('gh-ost-on-validated', ghostEnv(0, 0));
    fire('gh-ost-on-before-row-copy', ghostEnv(0, 0));
    fire('gh-ost-on-rowcount-complete', ghostEnv(1200, 10000));
    const out = fire('gh-ost-on-status', ghostEnv(2500, 10000, { GH_OST_STATUS: "'Copy: 2500/10000 25.0%; Applied: 0; Backlog: 0/1000; Time: 12s(total), 10s(copy); streamer: mysql-bin.000003:1234; Lag: 0.40s, HeartbeatLag: 0.25s, State: migrating; ETA: 30s'", GH_OST_ETA_SECONDS: '30' }));
    expect(out).toMatch(/gh-ost-on-status \(shop\.orders\): phase full, 2500\/10000 rows; pushed to http:\/\/127\.0\.0\.1:\d+/);
    text = await pushed();
    expect(series(text, 'migration_phase').get(`instance="",job="ghost-orders",migration_id="${ID}",phase="full"`)).toBe(1);
    expect(one(text, 'migration_rows_processed_total')).toBe(2500);
    expect(one(text, 'migration_rows_total')).toBe(10000);
    expect(one(text, 'migration_lag_seconds')).toBe(0.25);
    expect(one(text, 'gh_ost_inspected_lag_seconds')).toBe(0.4);
    expect(one(text, 'gh_ost_eta_seconds')).toBe(30);
    expect(one(text, 'migration_throttled')).toBe(0);
    const progressAt = one(text, 'migration_last_progress_timestamp_seconds')!;

    // Prometheus scraping the Pushgateway: the generated recording rules see the progress and
    // `migobs gate` reads the phase the hooks set.
    await waitFor('migration:progress:ratio 0.25', async () => {
      const r = await prometheus.query(`migration:progress:ratio{migration_id="${ID}"}`);
      return r.length === 1 && Number(r[0]!.value[1]) === 0.25 ? true : undefined;
    });
    const gate = await migobsAsync(['gate', DEFINITION, '--prometheus-url', prometheus.url, '--json']);
    expect(JSON.parse(gate.stdout)).toMatchObject({ phase: 'full', phaseSource: 'prometheus' });

    // Throttled (gh-ost's own state, e.g. by migobs' /throttle): no rows move, and that is not a stall.
    fire('gh-ost-on-status', ghostEnv(2500, 10000, { GH_OST_STATUS: "'Copy: 2500/10000 25.0%; Applied: 0; Backlog: 0/1000; Time: 72s(total), 70s(copy); streamer: mysql-bin.000003:1234; Lag: 0.40s, HeartbeatLag: 0.25s, State: throttled, http=429; ETA: N/A'" }));
    text = await pushed();
    expect(one(text, 'migration_throttled')).toBe(1);
    expect(one(text, 'migration_last_progress_timestamp_seconds')).toBe(progressAt);
    expect(series(text, 'gh_ost_eta_seconds').size).toBe(0);

    fire('gh-ost-on-batch-copy-retry', ghostEnv(2500, 10000, { GH_OST_LAST_BATCH_COPY_ERROR: 'Error 1213: Deadlock found' }));
    fire('gh-ost-on-status', ghostEnv(5000, 10000, { GH_OST_STATUS: "'Copy: 5000/10000 50.0%; State: migrating; ETA: 20s'", GH_OST_ETA_SECONDS: '20' }));
    text = await pushed();
    expect(one(text, 'migration_errors_total')).toBe(1);
    expect(one(text, 'migration_throttled')).toBe(0);
    expect(one(text, 'migration_last_progress_timestamp_seconds')).toBeGreaterThanOrEqual(progressAt);
    await waitFor('migration:progress:ratio 0.5', async () => {
      const r = await prometheus.query(`migration:progress:ratio{migration_id="${ID}"}`);
      return r.length === 1 && Number(r[0]!.value[1]) === 0.5 ? true : undefined;
    });

    fire('gh-ost-on-row-copy-complete', ghostEnv(10000, 10000));
    fire('gh-ost-on-begin-postponed', ghostEnv(10000, 10000));
    text = await pushed();
    expect(series(text, 'migration_phase').get(`instance="",job="ghost-orders",migration_id="${ID}",phase="verify"`)).toBe(1);
    fire('gh-ost-on-before-cut-over', ghostEnv(10000, 10000));
    text = await pushed();
    expect(series(text, 'migration_phase').get(`instance="",job="ghost-orders",migration_id="${ID}",phase="cut-over"`)).toBe(1);
    fire('gh-ost-on-success', ghostEnv(10000, 10000, { GH_OST_INSTANT_DDL: 'false' }));
    text = await pushed();
    expect(series(text, 'migration_phase').get(`instance="",job="ghost-orders",migration_id="${ID}",phase="closeout"`)).toBe(1);
    expect(one(text, 'migration_rows_processed_total')).toBe(10000);
    await waitFor('migration:progress:ratio 1', async () => {
      const r = await prometheus.query(`migration:progress:ratio{migration_id="${ID}"}`);
      return r.length === 1 && Number(r[0]!.value[1]) === 1 ? true : undefined;
    });
  });

  it('a hook never fails the migration after startup: Pushgateway down is a warning and exit 0; at startup it is exit 1', async () => {
    const down = 'http://127.0.0.1:1';
    const status = await migobsAsync(['hook', 'gh-ost', DEFINITION, '--event', 'gh-ost-on-status', '--pushgateway', down, '--state-dir', stateDir], { env: ghostEnv(10000, 10000) });
    expect(status.code).toBe(0);
    expect(status.stderr).toMatch(/WARNING: gh-ost-on-status: .*ECONNREFUSED.*\(metrics not updated; the migration continues\)/);
    const startup = await migobsAsync(['hook', 'gh-ost', DEFINITION, '--event', 'gh-ost-on-startup', '--pushgateway', down, '--state-dir', services.tempDir('ghost-state-2')], { env: ghostEnv(0, 0) });
    expect(startup.code).toBe(1);
    expect(startup.stderr).toMatch(/ECONNREFUSED/);
    const noGateway = await migobsAsync(['hook', 'gh-ost', DEFINITION, '--event', 'gh-ost-on-startup', '--state-dir', stateDir], { env: { ...ghostEnv(0, 0), MIGOBS_PUSHGATEWAY_URL: '' } });
    expect(noGateway.code).toBe(1);
    expect(noGateway.stderr).toMatch(/no Pushgateway: give --pushgateway URL or set MIGOBS_PUSHGATEWAY_URL/);
    const garbage = await migobsAsync(['hook', 'gh-ost', DEFINITION, '--event', 'gh-ost-on-status', '--pushgateway', pushgateway.url, '--state-dir', stateDir], { env: ghostEnv(10000, 10000, { GH_OST_COPIED_ROWS: '12e3\u001b[2J' }) });
    expect(garbage.code).toBe(0);
    expect(garbage.stderr).toMatch(/WARNING: GH_OST_COPIED_ROWS="12e3\\u001b\[2J" is not a number as gh-ost writes it; ignored/);
    const bad = await migobsAsync(['hook', 'gh-ost', DEFINITION, '--event', 'gh-ost-on-nothing']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--event gh-ost-on-nothing: not a gh-ost hook/);
  });
});
