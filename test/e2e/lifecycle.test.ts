/**
 * Quiet before the start, quiet after the end (docs/definition.md "Lifecycle"), on a real
 * Prometheus loading the generated rules and scraping the real emitter (prom-client):
 *
 * - rules loaded, no runner yet: ALERTS stays empty while Prometheus evaluates them again and again;
 * - runners start: the unscheduled migration becomes active; one whose schedule ended an hour ago
 *   and one whose schedule opens tomorrow stay silent (real clock), even past rollback, and
 *   `migobs gate` answers "outside the schedule";
 * - a runner stops without finish(): MigrationMetricsAbsent fires, and the gate whose signal went
 *   with it fires its absent-signal alert in the runner's last phase;
 * - a runner that calls finish() and is scraped once before it stops: nothing fires.
 *
 * MigrationMetricsAbsent holds for a fixed 10m; the test shortens that `for` to 5s in the loaded
 * rules (the expression is untouched), so it runs in seconds. Every wait is on a condition.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { MigrationMetrics, type MetricsServer } from '../../src/emitter/index';
import { ALERT, FILES } from '../../src/generate/names';
import { rulesFiles } from '../../src/generate/rules/index';
import type { ResolvedMigration } from '../../src/model/types';
import { loadDefinitions } from '../../src/pipeline';
import { freePort, HOST, migobsAsync, Services, waitFor, type Prometheus } from '../helpers/services';

const HOUR = 3600_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A one-gate definition whose runner is scraped as job `<id>`. */
function definition(id: string, schedule?: { notBefore?: string; notAfter?: string }): object {
  return {
    apiVersion: 'migobs/v1',
    kind: 'Migration',
    metadata: { id, title: `Lifecycle ${id}`, owner: 'team-sre' },
    spec: {
      type: 'backfill',
      engine: 'generic',
      scrapeInterval: '1s',
      selector: `job="${id}"`,
      ...(schedule ? { schedule } : {}),
      signals: { lag: { expr: 'max(migration_lag_seconds)', unit: 's' } },
      gates: [
        ...['replication-lag', 'batch-error-ratio', 'batch-duration', 'mismatch-ratio', 'app-error-ratio', 'disk-free'].map((g) => ({ id: g, enabled: false })),
        { id: 'lag', signal: 'lag', pause: 10, rollback: 60, for: '2s', phases: ['canary', 'ramp'] },
      ],
    },
  };
}

/** The generated rules.yaml, with MigrationMetricsAbsent's fixed 10m hold shortened to 5s. */
function loadableRules(model: ResolvedMigration): string {
  const doc = parse(rulesFiles(model).find((f) => f.path === FILES.rules(model.id))!.content) as { groups: Array<{ rules: Array<{ alert?: string; for?: string }> }> };
  const absent = doc.groups[1]!.rules.find((r) => r.alert === ALERT.metricsAbsent)!;
  expect(absent.for).toBe('10m');
  absent.for = '5s';
  return stringify(doc);
}

interface Runner {
  metrics: MigrationMetrics;
  server?: MetricsServer;
}

describe('lifecycle on a real Prometheus: quiet before the start, a crash pages, quiet after the end', () => {
  const services = new Services();
  let prom: Prometheus;
  const now = Date.now();
  const ids = { crash: 'life-crash', finish: 'life-finish', past: 'life-window-past', future: 'life-window-future' } as const;
  const files: Record<string, string> = {};
  const ports: Record<string, number> = {};
  const runners: Record<string, Runner> = {};

  /** Prometheus' own count of evaluations of one migration's alert group. */
  const evaluations = async (id: string): Promise<number> => {
    const text = await (await fetch(`${prom.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const line = text.split('\n').find((l) => l.startsWith('prometheus_rule_group_iterations_total{') && l.includes(`;migobs-${id}-alerts"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  /** Wait until Prometheus evaluated every alert group at least `n` more times. */
  const evaluated = async (n: number): Promise<void> => {
    const start = await Promise.all(Object.values(ids).map(evaluations));
    await waitFor(`${n} more rule evaluations`, async () => {
      const counts = await Promise.all(Object.values(ids).map(evaluations));
      return counts.every((c, i) => c >= start[i]! + n) ? true : undefined;
    }, 120_000, 250);
  };
  /** Every ALERTS sample (pending or firing) of a migration over the last hour. */
  const alertsEver = (id: string) => prom.query(`count_over_time(ALERTS{migration_id="${id}"}[1h])`);
  const firing = (id: string, alertname: string) => prom.query(`ALERTS{migration_id="${id}", alertname="${alertname}", alertstate="firing"}`);

  const startRunner = async (id: string, lag: number): Promise<void> => {
    const metrics = new MigrationMetrics({ migrationId: id, type: 'backfill', owner: 'team-sre', phases: ['preflight', 'canary', 'ramp'] });
    metrics.startPhase('canary');
    metrics.setLag(lag);
    runners[id] = { metrics, server: await metrics.serve(ports[id]!, HOST) };
  };

  beforeAll(async () => {
    try {
      const dir = services.tempDir('lifecycle');
      mkdirSync(join(dir, 'defs'));
      const schedules: Record<string, { notBefore?: string; notAfter?: string } | undefined> = {
        [ids.past]: { notBefore: iso(now - 3 * HOUR), notAfter: iso(now - HOUR) },
        [ids.future]: { notBefore: iso(now + 24 * HOUR) },
      };
      for (const id of Object.values(ids)) {
        files[id] = join(dir, 'defs', `${id}.yaml`);
        writeFileSync(files[id]!, stringify(definition(id, schedules[id])));
        ports[id] = await freePort();
      }
      const loaded = loadDefinitions(Object.values(files));
      expect(loaded.diagnostics).toEqual([]);
      const ruleFiles = Object.fromEntries(loaded.migrations.map((m) => [`${m.model.id}.yaml`, loadableRules(m.model)]));
      prom = await services.startPrometheus({ targets: Object.values(ids).map((id) => ({ job: id, target: `${HOST}:${ports[id]}` })), ruleFiles });
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 120_000);

  afterAll(async () => {
    for (const r of Object.values(runners)) await r.server?.close().catch(() => undefined);
    await services.stopAll();
  });

  it('rules loaded, no runner metrics: no alert at all while Prometheus evaluates them for a while', async () => {
    // 15 evaluations at 1s: three times MigrationMetricsAbsent's (shortened) hold.
    await evaluated(15);
    for (const id of Object.values(ids)) expect(await alertsEver(id), id).toEqual([]);
    expect(await prom.query('migration:lifecycle:active')).toEqual([]);
  }, 150_000);

  it('runners start: only the unscheduled migrations become active; the past and future windows stay silent past rollback', async () => {
    await startRunner(ids.crash, 3);
    await startRunner(ids.finish, 3);
    await startRunner(ids.past, 90); // past rollback (60)
    await startRunner(ids.future, 90);
    await waitFor('both unscheduled migrations active', async () => ((await prom.query('migration:lifecycle:active')).length === 2 ? true : undefined), 60_000);
    expect((await prom.query('migration:lifecycle:active')).map((s) => s.metric.migration_id).sort()).toEqual([ids.crash, ids.finish]);
    // Rollback-level lag, held far beyond the gate's 2s, in a gate phase: the state says rollback...
    await waitFor('gate state of the past window at rollback', async () => ((await prom.query(`migration:gate:state{migration_id="${ids.past}"} == 2`)).length ? true : undefined), 60_000);
    await evaluated(10);
    // ... and yet nothing, pending or firing: the schedule is closed.
    expect(await alertsEver(ids.past)).toEqual([]);
    expect(await alertsEver(ids.future)).toEqual([]);
    expect(await prom.query(`migration:schedule:open{migration_id=~"${ids.past}|${ids.future}"}`)).toEqual([]);
  }, 150_000);

  it('migobs gate outside the schedule: rollback evidence still answers 3, a green gate answers 4, with the reason', async () => {
    const past = await migobsAsync(['gate', files[ids.past]!, '--prometheus-url', prom.url, '--timeout', '5s', '--json']);
    expect(past.code, past.stderr).toBe(3);
    expect(JSON.parse(past.stdout).overall.reason).toMatch(/^outside the schedule: the window of life-window-past ended at /);
    runners[ids.future]!.metrics.setLag(3);
    const future = await waitFor('gate of the future window with a green gate', async () => {
      const r = await migobsAsync(['gate', files[ids.future]!, '--prometheus-url', prom.url, '--timeout', '5s', '--json']);
      return r.code === 4 ? r : undefined;
    }, 60_000);
    expect(JSON.parse(future.stdout).overall.reason).toMatch(/^outside the schedule: life-window-future may start at /);
    expect(future.stderr).toMatch(/migobs: outside the schedule/);
  }, 150_000);

  it('a runner that stops without finishing: MigrationMetricsAbsent fires, and the absent-signal alert of its gate in the last phase', async () => {
    await runners[ids.crash]!.server!.close();
    runners[ids.crash]!.server = undefined;
    const absent = await waitFor('MigrationMetricsAbsent firing', async () => {
      const a = await firing(ids.crash, ALERT.metricsAbsent);
      return a.length ? a : undefined;
    }, 90_000);
    expect(absent.map((a) => a.metric)).toEqual([expect.objectContaining({ migration_id: ids.crash, job: ids.crash, action: 'investigate', severity: 'warning' })]);
    const gateAbsent = await waitFor('MigrationGateSignalAbsent firing', async () => {
      const a = await firing(ids.crash, ALERT.absent);
      return a.length ? a : undefined;
    }, 60_000);
    expect(gateAbsent.map((a) => a.metric)).toEqual([expect.objectContaining({ gate: 'lag', phase: 'canary' })]);
  }, 150_000);

  it('a runner that calls finish() and is scraped once before it stops: nothing fires, ever', async () => {
    const r = runners[ids.finish]!;
    r.metrics.finish();
    expect(await r.server!.waitForScrape(30_000)).toBe(true);
    await r.server!.close();
    r.server = undefined;
    await waitFor('the finished migration inactive', async () => ((await prom.query(`migration:lifecycle:active{migration_id="${ids.finish}"}`)).length === 0 ? true : undefined), 60_000);
    // Long enough for MigrationMetricsAbsent (5s here) and the gate's absent alert (2s) to fire, had it not finished.
    await evaluated(15);
    expect(await alertsEver(ids.finish)).toEqual([]);
    // The crashed one, same shape, still fires: the control.
    expect(await firing(ids.crash, ALERT.metricsAbsent)).toHaveLength(1);
  }, 150_000);
});
