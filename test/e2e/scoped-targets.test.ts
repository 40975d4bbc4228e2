/**
 * spec.targets on a shared Prometheus (issue "Safe to adopt", item 3), every component real:
 *
 *   PostgreSQL "orders" (this migration's)  <- postgres_exporter  \
 *                                                                  >- one Prometheus, one job "postgres",
 *   PostgreSQL "analytics" (someone else's) <- postgres_exporter  /   two targets: two `instance` labels
 *
 * The active-sessions gate reads the postgres library's activeSessions (pg_stat_activity_count,
 * default exporter metrics). Busy sessions (`SELECT pg_sleep(...)`) drive a database past the
 * rollback threshold. With spec.targets.database set to the orders exporter, a busy analytics
 * database does not touch the migration (exit 0), and its own busy database does (exit 3). The
 * same definition with `database: fleet` reads both, as every library signal did before targets
 * existed (exit 3 while only analytics is busy). And `count: 1` on a selector that matches both
 * databases makes the gate unknown (exit 4) instead of judging the wrong one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationDefinition, TargetDefinition } from '../../src/definition/types';
import { toYaml } from '../../src/render/serialize';
import { askGateUntil, gateOf, type GateAnswer } from '../helpers/gate';
import { migobsAsync, Services, sleep, waitFor, type AsyncCliResult, type Postgres, type Prometheus } from '../helpers/services';

const SESSIONS = 8; // busy sessions per database: with the exporter's own query, 9 > rollback 6

describe('spec.targets: one Prometheus, two databases, the gate reads only its own', () => {
  const services = new Services();
  let orders: Postgres;
  let analytics: Postgres;
  let prom: Prometheus;
  let ordersInstance = '';
  let analyticsInstance = '';
  let dir = '';
  const clients: pg.Client[] = [];

  /** The definition, written with the given database target, as a file. */
  const definition = (name: string, database: TargetDefinition): string => {
    const def: MigrationDefinition = {
      apiVersion: 'migobs/v1',
      kind: 'Migration',
      metadata: { id: 'orders-scoped', title: 'Orders backfill on a shared Prometheus', owner: 'team-e2e' },
      spec: {
        type: 'backfill',
        engine: 'postgres',
        scrapeInterval: '1s',
        selector: 'job="orders-backfill"',
        targets: { database },
        gates: [
          { id: 'active-sessions', pause: 3, rollback: 6, for: '2s', remediation: 'Halve the batch size.' },
          ...['replication-lag', 'dead-tuples', 'batch-error-ratio', 'batch-duration', 'mismatch-ratio', 'app-error-ratio', 'disk-free'].map((id) => ({ id, enabled: false })),
        ],
      },
    };
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, toYaml(def));
    return file;
  };

  const gate = (file: string): Promise<AsyncCliResult> => migobsAsync(['gate', file, '--prometheus-url', prom.url, '--gate', 'active-sessions', '--timeout', '5s', '--json'], { timeoutMs: 60_000 });
  const answer = (r: AsyncCliResult): GateAnswer['gates'][number] => gateOf(JSON.parse(r.stdout) as GateAnswer, 'active-sessions');

  /** Active backends per instance as Prometheus sees them now. */
  const active = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await prom.query('sum by (instance) (pg_stat_activity_count{state="active"})')).map((s) => [s.metric.instance!, Number(s.value[1])]));

  /** `SESSIONS` sessions running a long statement on `db` (state "active" in pg_stat_activity). */
  async function busy(db: Postgres, name: string): Promise<void> {
    for (let i = 0; i < SESSIONS; i++) {
      const c = new pg.Client({ connectionString: db.dsn(), application_name: `e2e-busy-${name}` });
      c.on('error', () => undefined); // terminated at the end on purpose
      await c.connect();
      clients.push(c);
      void c.query('SELECT pg_sleep(3600)').catch(() => undefined);
    }
    await waitFor(`${SESSIONS} busy sessions on ${name}`, () => (Number(db.psql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'e2e-busy-${name}' AND state = 'active'`)) === SESSIONS ? true : undefined), 30_000);
  }

  beforeAll(async () => {
    try {
      dir = services.tempDir('scoped');
      orders = await services.startPostgres({}, 'postgres-orders');
      analytics = await services.startPostgres({}, 'postgres-analytics');
      const ordersExporter = await services.startPostgresExporter(orders.dsn(), undefined, 'postgres_exporter-orders');
      const analyticsExporter = await services.startPostgresExporter(analytics.dsn(), undefined, 'postgres_exporter-analytics');
      ordersInstance = ordersExporter.target;
      analyticsInstance = analyticsExporter.target;
      prom = await services.startPrometheus({ targets: [{ job: 'postgres', target: [ordersInstance, analyticsInstance] }] });
      await waitFor('both databases scraped', async () => (Object.keys(await active()).length === 2 ? true : undefined), 60_000);
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 180_000);

  afterAll(async () => {
    await services.stopAll();
    for (const c of clients) await Promise.race([c.end().catch(() => undefined), sleep(1000)]);
  });

  it('both databases idle: the scoped gate proceeds', async () => {
    const r = (await askGateUntil(() => gate(definition('scoped', `instance="${ordersInstance}"`)), 'the scoped gate to exit 0', (x) => x.result.code === 0, { timeoutMs: 60_000 })).result;
    expect(answer(r)).toMatchObject({ state: 'green' });
  }, 90_000);

  it('the unrelated database past rollback: the scoped gate still exits 0; unscoped (fleet) it would roll back', async () => {
    await busy(analytics, 'analytics');
    await waitFor('Prometheus to see analytics past rollback', async () => ((await active())[analyticsInstance]! > 6 ? true : undefined), 60_000);
    const scoped = await gate(definition('scoped', `instance="${ordersInstance}"`));
    expect(scoped.code, scoped.stdout + scoped.stderr).toBe(0);
    expect(answer(scoped).value).toBeLessThanOrEqual(3);
    // Still past rollback after the answer: the 0 was given while the other database was at rollback level.
    expect((await active())[analyticsInstance]).toBeGreaterThan(6);

    const fleet = await askGateUntil(() => gate(definition('fleet', 'fleet')), 'the fleet gate to exit 3', (x) => x.result.code === 3, { timeoutMs: 60_000 });
    expect(answer(fleet.result).value).toBeGreaterThan(6);
  }, 150_000);

  it('count: 1 on a selector that matches both databases: unknown (exit 4), with the reason', async () => {
    const r = (await askGateUntil(() => gate(definition('too-wide', { selector: 'job="postgres"', count: 1 })), 'the too-wide gate to exit 4', (x) => x.result.code === 4, { timeoutMs: 60_000 })).result;
    expect(answer(r).reason).toContain('has 2 series where spec.targets.database.count expects exactly 1: the selector matches more than the target');
  }, 90_000);

  it('its own database past rollback: the scoped gate exits 3', async () => {
    await busy(orders, 'orders');
    const r = (await askGateUntil(() => gate(definition('scoped', `instance="${ordersInstance}"`)), 'the scoped gate to exit 3', (x) => x.result.code === 3, { timeoutMs: 60_000 })).result;
    expect(answer(r)).toMatchObject({ state: 'rollback' });
    expect(answer(r).value).toBeGreaterThan(6);
  }, 120_000);
});
