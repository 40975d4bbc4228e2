/**
 * Replica lag, the first gate of every backfill, on a real PostgreSQL primary and streaming
 * standby (pg_basebackup), read by Debian's postgres_exporter on the primary with the shipped
 * exporters/postgres/migration-queries.yaml, scraped by a real Prometheus, judged by
 * `migobs gate`. A writer commits on the primary throughout. Replay paused on the standby makes
 * the lag grow through pause into rollback; resumed, it proceeds again; with the standby gone the
 * lag does not read as 0 (the trap the exporter captures show: lag that vanishes instead of
 * growing) but as unknown, never proceed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pg from 'pg';
import { shippedDsnParameters, shippedFlags, shippedText } from '../helpers/exporter-setup';
import { askGateUntil, gateOf, type GateAnswer } from '../helpers/gate';
import { migobsAsync, Services, sleep, waitFor, type AsyncCliResult, type Postgres, type Prometheus } from '../helpers/services';

const DEFINITION = join(__dirname, 'fixtures', 'pg-replica.yaml');
const QUERIES = shippedText('postgres', 'migration-queries.yaml');

describe('replica lag on a real PostgreSQL primary and streaming standby', () => {
  const services = new Services();
  let primary: Postgres;
  let standby: Postgres;
  let prom: Prometheus;
  let writer: pg.Client | undefined;
  let writing: NodeJS.Timeout | undefined;

  const gate = (): Promise<AsyncCliResult> => migobsAsync(['gate', DEFINITION, '--prometheus-url', prom.url, '--phase', 'canary', '--gate', 'replication-lag', '--timeout', '3s', '--json']);
  const lagGate = (r: AsyncCliResult) => gateOf(JSON.parse(r.stdout) as GateAnswer, 'replication-lag');
  const gateUntil = async (code: number, timeoutMs = 30_000): Promise<AsyncCliResult> =>
    (await askGateUntil(gate, `migobs gate to exit ${code}`, (r) => r.result.code === code, { timeoutMs })).result;

  beforeAll(async () => {
    try {
      primary = await services.startPostgres({ wal_level: 'replica', max_wal_senders: '5' });
      primary.psql('CREATE TABLE w (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
      standby = await services.startPostgresStandby(primary);
      await waitFor('the standby to stream', () => (primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") === '1' ? true : undefined));
      expect(shippedFlags('postgres')).toEqual([expect.stringMatching(/^--extend\.query-path=.*migration-queries\.yaml$/)]);
      const exporter = await services.startPostgresExporter(`${primary.dsn()}${shippedDsnParameters('postgres')}`, QUERIES);
      prom = await services.startPrometheus({ targets: [{ job: 'postgres-primary', target: exporter.target }] });
      // The application keeps committing on the primary, five times a second.
      writer = new pg.Client({ connectionString: primary.dsn(), application_name: 'e2e-writer' });
      writer.on('error', () => undefined); // the server going away at the end is expected
      await writer.connect();
      writing = setInterval(() => void writer!.query('INSERT INTO w DEFAULT VALUES').catch(() => undefined), 200);
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 120_000);

  afterAll(async () => {
    clearInterval(writing);
    await services.stopAll();
    await Promise.race([writer?.end().catch(() => undefined), sleep(1000)]);
  });

  it('the standby keeps up: gate exits 0 with a lag under the pause threshold', async () => {
    const r = await gateUntil(0);
    expect(lagGate(r)).toMatchObject({ gate: 'replication-lag', state: 'green' });
    expect(lagGate(r).value).toBeLessThanOrEqual(2);
  }, 40_000);

  it('replay paused on the standby: the lag grows past pause (exit 2), then past rollback (exit 3)', async () => {
    standby.psql('SELECT pg_wal_replay_pause()');
    const paused = await gateUntil(2);
    expect(lagGate(paused)).toMatchObject({ state: 'pause' });
    expect(lagGate(paused).value).toBeGreaterThan(2);
    const rollback = await gateUntil(3);
    expect(lagGate(rollback)).toMatchObject({ state: 'rollback' });
    expect(lagGate(rollback).value).toBeGreaterThan(6);
  }, 60_000);

  it('replay resumed: the standby catches up and gate exits 0 again', async () => {
    standby.psql('SELECT pg_wal_replay_resume()');
    const r = await gateUntil(0);
    expect(lagGate(r).value).toBeLessThanOrEqual(2);
  }, 40_000);

  it('the standby stops: its lag does not vanish into 0 but reads unknown (exit 4), and stays so', async () => {
    await services.proc('postgres-standby').stop();
    const r = await gateUntil(4);
    expect(lagGate(r)).toMatchObject({ state: 'unknown', value: null });
    expect(lagGate(r).reason).toMatch(/no data/);
    for (let i = 0; i < 3; i++) {
      await sleep(1000);
      expect((await gate()).code).toBe(4);
    }
  }, 40_000);
});
