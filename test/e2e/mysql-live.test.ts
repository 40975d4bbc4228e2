/**
 * The MySQL engine library on a real MariaDB with Debian's mysqld_exporter (the flags and heartbeat
 * table `migobs exporter-setup mysql` ships), scraped by a real
 * Prometheus: `migobs gate` proceeds while nothing waits, pauses on one InnoDB row-lock waiter,
 * rolls back on a metadata-lock queue behind an ALTER, proceeds again once the blocker is gone,
 * and is unknown (never proceed) when the exporter stops. Everything runs on 127.0.0.1 in temp
 * dirs and is stopped by the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { shippedFlags, shippedText } from '../helpers/exporter-setup';
import { askGateUntil, gateOf, type GateAnswer } from '../helpers/gate';
import { Services, migobsAsync, waitFor, type AsyncCliResult, type MariaDB, type Prometheus } from '../helpers/services';

const DEFINITION = join(__dirname, 'fixtures', 'mysql-online-rewrite.yaml');
const HOLDER = 'SELECT SLEEP(600) /* e2e lock holder */';

describe('MySQL engine signals and `migobs gate` on real MariaDB + mysqld_exporter', () => {
  const services = new Services();
  let db: MariaDB;
  let prom: Prometheus;

  const gate = (): Promise<AsyncCliResult> =>
    migobsAsync(['gate', DEFINITION, '--prometheus-url', prom.url, '--phase', 'canary', '--gate', 'lock-waits', '--gate', 'lock-wait-age', '--timeout', '3s', '--json']);
  /** Ask until `gate` exits with `code` and `accept` holds (scrapes take a second to see a change). */
  const gateUntil = async (code: number, accept: (a: GateAnswer) => boolean = () => true, timeoutMs = 30_000): Promise<GateAnswer> =>
    (await askGateUntil(gate, `migobs gate to exit ${code}`, (r) => r.result.code === code && r.answer !== undefined && accept(r.answer), { timeoutMs })).answer!;

  beforeAll(async () => {
    try {
      db = await services.startMariaDB();
      db.sql('CREATE DATABASE app');
      db.sql('CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB; INSERT INTO t SELECT seq, 0 FROM seq_1_to_1000', 'app');
      db.sql(shippedText('mysql', 'heartbeat.sql'));
      const exporter = await services.startMysqldExporter(db, shippedFlags('mysql'));
      prom = await services.startPrometheus({ targets: [{ job: 'mysql', target: exporter.target }] });
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 90_000);

  afterAll(async () => {
    await services.stopAll();
  });

  it('nothing waits: gate exits 0, both lock gates green at 0', async () => {
    const a = await gateUntil(0);
    expect(gateOf(a, 'lock-waits')).toMatchObject({ state: 'green', value: 0 });
    expect(gateOf(a, 'lock-wait-age')).toMatchObject({ state: 'green', value: 0 });
  }, 40_000);

  it('one InnoDB row-lock waiter: lock-waits pauses (exit 2); lock-wait-age stays green, as its signal documents', async () => {
    db.session('holder', `BEGIN; SELECT * FROM t WHERE id = 1 FOR UPDATE; ${HOLDER}`, 'app');
    await waitFor('the holder to hold its row lock', () => (db.sql("SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(600)%'") === '1' ? true : undefined));
    db.session('row-waiter', 'SET SESSION innodb_lock_wait_timeout = 600; UPDATE t SET v = v + 1 WHERE id = 1', 'app');
    const a = await gateUntil(2);
    expect(gateOf(a, 'lock-waits')).toMatchObject({ state: 'pause', value: 1 });
    // Row-lock waits show state "updating" in the processlist, not "waiting for ... lock".
    expect(gateOf(a, 'lock-wait-age')).toMatchObject({ state: 'green', value: 0 });
  }, 40_000);

  it('an ALTER queued behind the open transaction, and a reader behind it: rollback (exit 3), then lock-wait-age passes its rollback too', async () => {
    const waitingOnMetadataLock = (): number => Number(db.sql("SELECT COUNT(*) FROM information_schema.processlist WHERE state = 'Waiting for table metadata lock'"));
    db.session('alter', 'ALTER TABLE t ADD COLUMN c INT', 'app');
    // The reader queues only behind an ALTER that already waits for its exclusive lock.
    await waitFor('the ALTER to wait for the metadata lock', () => (waitingOnMetadataLock() === 1 ? true : undefined));
    db.session('reader', 'SELECT COUNT(*) FROM t', 'app');
    await waitFor('the reader to queue behind the ALTER', () => (waitingOnMetadataLock() === 2 ? true : undefined));
    const a = await gateUntil(3, (x) => gateOf(x, 'lock-waits').value === 3);
    expect(gateOf(a, 'lock-waits')).toMatchObject({ state: 'rollback', value: 3 });
    // Two metadata-lock waiters: the sum of their waits passes 10 s after about 5 s.
    const aged = await gateUntil(3, (x) => gateOf(x, 'lock-wait-age').state === 'rollback');
    expect(gateOf(aged, 'lock-wait-age').value).toBeGreaterThan(10);
  }, 60_000);

  it('the blocker is killed: the queue drains and gate exits 0 again', async () => {
    const id = db.sql("SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(600)%'");
    expect(id).toMatch(/^\d+$/);
    db.sql(`KILL ${id}`);
    const a = await gateUntil(0);
    expect(gateOf(a, 'lock-waits')).toMatchObject({ state: 'green', value: 0 });
    // The queue ran: the waiting UPDATE and the ALTER.
    await waitFor('the UPDATE to finish', () => (db.sql('SELECT v FROM t WHERE id = 1', 'app') === '1' ? true : undefined));
    await waitFor('the ALTER to finish', () => (db.sql("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'app' AND table_name = 't' AND column_name = 'c'") === '1' ? true : undefined));
  }, 40_000);

  it('mysqld_exporter stopped: no data, gate exits 4 with the reason, never 0', async () => {
    await services.proc('mysqld_exporter').stop();
    const a = await gateUntil(4, (x) => gateOf(x, 'lock-waits').state === 'unknown');
    expect(gateOf(a, 'lock-waits').reason).toMatch(/no data|empty|no samples/i);
  }, 40_000);
});
