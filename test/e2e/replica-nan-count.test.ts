/**
 * A NaN series and a vanished series among replicas (issue "Never proceed on doubtful data",
 * item 1), every component real: a PostgreSQL primary with two streaming standbys, each standby
 * read by its own postgres_exporter running the widely copied replica-lag query
 *
 *   CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
 *        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
 *
 * which is NULL, and so NaN in postgres_exporter, on a standby that has received WAL but not
 * replayed a transaction since it started (here: replay paused right after start). Prometheus
 * then holds one standby at 0 and the other at NaN, and `max()` answers 0: the gate must not.
 * Then, with spec.targets.replicas {count: 2}, a standby that is gone must be unknown, not green.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationDefinition } from '../../src/definition/types';
import { toYaml } from '../../src/render/serialize';
import { askGateUntil, gateOf, type GateAnswer } from '../helpers/gate';
import { migobsAsync, Services, sleep, waitFor, type AsyncCliResult, type Postgres, type Prometheus } from '../helpers/services';

const QUERIES = `pg_standby:
  query: |
    SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END AS replay_lag_seconds
  master: true
  metrics:
    - replay_lag_seconds:
        usage: "GAUGE"
        description: "Seconds since the last replayed transaction, 0 when everything received is replayed"
`;
const METRIC = 'pg_standby_replay_lag_seconds';

describe('replicas on a real PostgreSQL: a NaN standby and a vanished standby are never green', () => {
  const services = new Services();
  let primary: Postgres;
  let standby1: Postgres;
  let standby2: Postgres;
  let prom: Prometheus;
  let dir = '';
  let plain = '';
  let counted = '';
  let writer: pg.Client | undefined;

  /**
   * plain: the signal as anyone would write it, no targets (valid before targets existed);
   * counted: the same signal reading spec.targets.replicas, one series per standby, two expected.
   */
  const definition = (name: string, counting: boolean): string => {
    const def: MigrationDefinition = {
      apiVersion: 'migobs/v1',
      kind: 'Migration',
      metadata: { id: 'replica-guards', title: 'Backfill watched through two standbys', owner: 'team-e2e' },
      spec: {
        type: 'backfill',
        engine: 'generic',
        scrapeInterval: '1s',
        selector: 'job="replica-guards-runner"',
        ...(counting ? { targets: { replicas: { selector: 'job="pg-standbys"', count: 2 } } } : {}),
        signals: { standbyLag: { expr: `max(${METRIC})`, unit: 's', ...(counting ? { target: 'replicas' as const, seriesPer: 'replicas' as const } : {}) } },
        gates: [
          { id: 'standby-lag', signal: 'standbyLag', pause: 5, rollback: 30, for: '2s', phases: ['canary', 'ramp', 'full'], remediation: 'Stop writing batches until every standby replays.' },
          ...['replication-lag', 'batch-error-ratio', 'batch-duration', 'mismatch-ratio', 'app-error-ratio', 'disk-free'].map((id) => ({ id, enabled: false })),
        ],
      },
    };
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, toYaml(def));
    return file;
  };

  const gate = (file: string): Promise<AsyncCliResult> => migobsAsync(['gate', file, '--prometheus-url', prom.url, '--gate', 'standby-lag', '--timeout', '5s', '--json'], { timeoutMs: 60_000 });
  const answer = (r: AsyncCliResult): GateAnswer['gates'][number] => gateOf(JSON.parse(r.stdout) as GateAnswer, 'standby-lag');
  /** The standbys' lag series as Prometheus holds them now (value as text: "0", "NaN"). */
  const lags = async (): Promise<string[]> => (await prom.query(METRIC)).map((s) => s.value[1]).sort();

  beforeAll(async () => {
    try {
      dir = services.tempDir('replica-guards');
      plain = definition('plain', false);
      counted = definition('counted', true);
      // No autovacuum: nothing may commit on the primary until the test does (see standby 2).
      primary = await services.startPostgres({ wal_level: 'replica', max_wal_senders: '5', autovacuum: 'off' }, 'postgres-primary');
      primary.psql('CREATE TABLE w (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
      standby1 = await services.startPostgresStandby(primary, {}, 'postgres-standby-1');
      standby2 = await services.startPostgresStandby(primary, {}, 'postgres-standby-2');
      await waitFor('both standbys to stream', () => (primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") === '2' ? true : undefined), 60_000);
      // Standby 2 stops replaying before it has replayed any transaction since it started.
      standby2.psql('SELECT pg_wal_replay_pause()');
      await waitFor('replay paused on standby 2', () => (standby2.psql('SELECT pg_get_wal_replay_pause_state()') === 'paused' ? true : undefined));
      expect(standby2.psql('SELECT pg_last_xact_replay_timestamp() IS NULL'), 'standby 2 has replayed no transaction since it started').toBe('t');
      const e1 = await services.startPostgresExporter(standby1.dsn(), QUERIES, 'postgres_exporter-standby-1');
      const e2 = await services.startPostgresExporter(standby2.dsn(), QUERIES, 'postgres_exporter-standby-2');
      prom = await services.startPrometheus({ targets: [{ job: 'pg-standbys', target: [e1.target, e2.target] }] });
      // The application commits on the primary: standby 1 replays it, standby 2 only receives it.
      writer = new pg.Client({ connectionString: primary.dsn(), application_name: 'e2e-writer' });
      writer.on('error', () => undefined); // the server going away at the end is expected
      await writer.connect();
      await writer.query('INSERT INTO w DEFAULT VALUES');
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 240_000);

  afterAll(async () => {
    await services.stopAll();
    await Promise.race([writer?.end().catch(() => undefined), sleep(1000)]);
  });

  it('one standby at 0, the other NaN (received, not replayed): Prometheus max() says 0, the gate says unknown (exit 4)', async () => {
    await waitFor('Prometheus to hold one standby at 0 and one at NaN', async () => ((await lags()).join() === '0,NaN' ? true : undefined), 60_000);
    // The trap itself, in the real Prometheus: the worst series by max() is the healthy one.
    expect((await prom.query(`max(${METRIC})`)).map((s) => s.value[1])).toEqual(['0']);
    const r = await gate(plain);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(answer(r)).toMatchObject({ state: 'unknown', value: null });
    expect(answer(r).reason).toContain('1 of 2 series of signal standbyLag is not a number (NaN)');
    expect(r.stderr).toContain('gate standby-lag unknown: 1 of 2 series');
    // Still NaN after the answer: the 4 was given while the standby reported NaN.
    expect(await lags()).toEqual(['0', 'NaN']);
  }, 90_000);

  it('replay resumed: both standbys at 0, the gate proceeds, with and without the count', async () => {
    standby2.psql('SELECT pg_wal_replay_resume()');
    await waitFor('both standbys at 0', async () => ((await lags()).join() === '0,0' ? true : undefined), 60_000);
    for (const file of [plain, counted]) {
      const r = (await askGateUntil(() => gate(file), `${file} to exit 0`, (x) => x.result.code === 0, { timeoutMs: 30_000 })).result;
      expect(answer(r)).toMatchObject({ state: 'green', value: 0 });
    }
  }, 120_000);

  it('standby 2 gone: with replicas {count: 2} the gate is unknown (exit 4); without a count the remaining standby answers 0', async () => {
    await services.proc('postgres-standby-2').stop();
    await waitFor('Prometheus to hold one standby series', async () => ((await lags()).join() === '0' ? true : undefined), 60_000);
    const r = await gate(counted);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(answer(r).reason).toContain('signal standbyLag has 1 series where spec.targets.replicas.count expects exactly 2: 1 stopped reporting (a vanished replica is unknown, never green)');
    // What a gate without a count (and every gate before counts existed) answers: proceed.
    const uncounted = await gate(plain);
    expect(uncounted.code, uncounted.stdout + uncounted.stderr).toBe(0);
  }, 120_000);
});
