/**
 * Replica gates of the mysql engine library on a real MariaDB primary and GTID replica, read by
 * Debian's mysqld_exporter on the replica (the flags `migobs exporter-setup mysql` prints) and a real
 * Prometheus. The heartbeat table is the shipped exporters/mysql/heartbeat.sql; the test writes its
 * row on the primary every 500 ms. With the replica's SQL thread stopped, Seconds_Behind_Master
 * vanishes (the trap the exporter captures show): its gate reads unknown, not green, while the heartbeat lag grows into
 * rollback and the threads gate pauses. Restarted, every gate is green again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { shippedFlags, shippedText } from '../helpers/exporter-setup';
import { askGateUntil, type GateAnswer } from '../helpers/gate';
import { HOST, migobsAsync, Services, waitFor, type AsyncCliResult, type MariaDB, type Prometheus } from '../helpers/services';

const DEFINITION = join(__dirname, 'fixtures', 'mysql-replica.yaml');
const GATES = ['replication-lag', 'seconds-behind', 'replica-threads'];

describe('replica gates on a real MariaDB primary and GTID replica', () => {
  const services = new Services();
  let primary: MariaDB;
  let replica: MariaDB;
  let prom: Prometheus;
  let beating: NodeJS.Timeout | undefined;

  const gate = (): Promise<AsyncCliResult> => migobsAsync(['gate', DEFINITION, '--prometheus-url', prom.url, '--phase', 'canary', ...GATES.flatMap((g) => ['--gate', g]), '--timeout', '3s', '--json']);
  /** Ask until every gate is in the wanted state (scrapes take a second or two to see a change). */
  const gatesUntil = async (want: Record<string, string>, timeoutMs = 40_000): Promise<Map<string, GateAnswer['gates'][number]>> => {
    const inState = (a: GateAnswer | undefined): boolean => a !== undefined && Object.entries(want).every(([id, state]) => a.gates.some((g) => g.gate === id && g.state === state));
    const { answer } = await askGateUntil(gate, `gates ${JSON.stringify(want)}`, (r) => inState(r.answer), { timeoutMs });
    return new Map(answer!.gates.map((g) => [g.gate, g]));
  };

  beforeAll(async () => {
    try {
      primary = await services.startMariaDB({ serverId: 1, logBin: true });
      replica = await services.startMariaDB({ serverId: 2 });
      primary.sql("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-e2e'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'");
      // The shipped heartbeat table (pt-heartbeat's layout, what mysqld_exporter --collect.heartbeat reads).
      primary.sql(shippedText('mysql', 'heartbeat.sql'));
      replica.sql(`CHANGE MASTER TO MASTER_HOST = '${HOST}', MASTER_PORT = ${primary.port}, MASTER_USER = 'repl', MASTER_PASSWORD = 'repl-e2e', MASTER_USE_GTID = slave_pos; START SLAVE`);
      await waitFor('the heartbeat table on the replica', () => (replica.sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'heartbeat'") === '1' ? true : undefined));
      const beat = (): void => void primary.sql("REPLACE INTO heartbeat.heartbeat (ts, server_id) VALUES (DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%f'), 1)");
      beat();
      beating = setInterval(() => {
        try {
          beat();
        } catch {
          /* the primary going away at the end is expected */
        }
      }, 500);
      const exporter = await services.startMysqldExporter(replica, shippedFlags('mysql'));
      prom = await services.startPrometheus({ targets: [{ job: 'mysql-replica', target: exporter.target }] });
    } catch (e) {
      clearInterval(beating);
      await services.stopAll();
      throw e;
    }
  }, 120_000);

  afterAll(async () => {
    clearInterval(beating);
    await services.stopAll();
  });

  it('replication running: every replica gate is green (gate exits 0)', async () => {
    const g = await gatesUntil({ 'replication-lag': 'green', 'seconds-behind': 'green', 'replica-threads': 'green' });
    expect(g.get('replica-threads')!.value).toBe(1);
    expect(g.get('replication-lag')!.value).toBeLessThanOrEqual(2);
    expect((await gate()).code).toBe(0);
  }, 50_000);

  it('SQL thread stopped: Seconds_Behind_Master vanishes and reads unknown, threads and heartbeat lag roll back', async () => {
    replica.sql('STOP SLAVE SQL_THREAD');
    const g = await gatesUntil({ 'seconds-behind': 'unknown', 'replica-threads': 'rollback', 'replication-lag': 'rollback' });
    expect(g.get('seconds-behind')!.reason).toMatch(/no data/);
    expect(g.get('replica-threads')!.value).toBe(0);
    expect(g.get('replication-lag')!.value).toBeGreaterThan(6);
    expect((await gate()).code).toBe(3); // rollback outranks unknown: missing data never hides a replica past its rollback threshold
  }, 60_000);

  it('SQL thread started: the replica catches up and every gate is green again', async () => {
    replica.sql('START SLAVE SQL_THREAD');
    await gatesUntil({ 'replication-lag': 'green', 'seconds-behind': 'green', 'replica-threads': 'green' });
    expect((await gate()).code).toBe(0);
  }, 50_000);
});
