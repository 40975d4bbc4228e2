/**
 * `migobs run` with Debian's pt-online-schema-change 3.2.1 `--execute` on a real MariaDB, gated by
 * a real Prometheus: the gate's only signal is pushed by the test to a real Pushgateway, and
 * Prometheus scrapes migobs run's own /metrics (the metric contract it makes from pt-osc's output).
 *
 * - pause: pt-osc's --pause-file (added by migobs run) holds the copy: no row reaches `_t_new`
 *   while paused; proceed again resumes it; pt-osc completes and the table has the new column;
 * - rollback: pt-osc stops the safe way (migobs' plugin fails the copy, pt-osc's own cleanup drops
 *   its triggers and `_t_new`), the original table is untouched, migobs run exits 3;
 * - a pt-osc that fails on its own: migobs run exits with pt-osc's code and says so.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dangerDriver, isolateRuns, startMigobsRun } from '../helpers/run-driver';
import { freePort, HOST, Services, waitFor, type MariaDB, type Prometheus, type Proc } from '../helpers/services';
import { requireTool } from '../helpers/tools';

const DEFINITION = join(__dirname, 'fixtures', 'run-pt-osc.yaml');
const ID = 'run-pt-osc';
const ROWS = 200_000;

describe('migobs run pt-online-schema-change on real MariaDB, Prometheus and Pushgateway', () => {
  const services = new Services();
  let db: MariaDB;
  let prom: Prometheus;
  let pushgateway: { url: string; target: string };
  let runPort: number;

  /** The gate's signal: 0 proceed, 0.5 pause, 2 rollback (pause > 0, rollback > 1). */
  const danger = (value: number): Promise<void> => dangerDriver(pushgateway.url, () => prom)(value);

  const count = (table: string): number => Number(db.sql(`SELECT COUNT(*) FROM ${table}`, 'app'));
  const exists = (table: string): boolean => db.sql(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'app' AND table_name = '${table}'`) === '1';
  const triggers = (): number => Number(db.sql("SELECT COUNT(*) FROM information_schema.triggers WHERE event_object_schema = 'app'"));

  function startRun(name: string, alter: string, extra: string[] = []): { proc: Proc; exited: Promise<number | string> } {
    const ptosc = requireTool('pt-online-schema-change');
    const run = startMigobsRun(services, name, [
      DEFINITION, '--tool', 'pt-osc', '--prometheus-url', prom.url, '--listen', `${HOST}:${runPort}`, '--interval', '1s', '--',
      ptosc, '--execute', '--alter', alter, `D=app,t=t,S=${db.socket},u=${db.user}`,
      '--recursion-method', 'none', '--chunk-size', '1000', '--sleep', '0.05', ...extra,
    ]);
    track(run.proc);
    return run;
  }

  const track = isolateRuns(() => danger(0));

  beforeAll(async () => {
    try {
      db = await services.startMariaDB();
      db.sql('CREATE DATABASE app');
      db.sql(`CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(32) NOT NULL) ENGINE=InnoDB; INSERT INTO t SELECT seq, CONCAT('row-', seq) FROM seq_1_to_${ROWS}`, 'app');
      pushgateway = await services.startPushgateway();
      runPort = await freePort();
      prom = await services.startPrometheus({
        targets: [
          { job: 'pushgateway', target: pushgateway.target, honorLabels: true },
          { job: ID, target: `${HOST}:${runPort}` },
        ],
      });
      await danger(0);
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 120_000);
  afterAll(() => services.stopAll());

  it('pause holds the copy (no row copied while paused), proceed resumes it, pt-osc completes with the new column', async () => {
    const { proc, exited } = startRun('run-pause', 'ADD COLUMN c INT NOT NULL DEFAULT 7');
    await waitFor('pt-osc to copy rows into _t_new', () => {
      if (proc.exited) throw new Error(`migobs run exited: ${proc.output()}`);
      return exists('_t_new') && count('_t_new') >= 10_000 ? true : undefined;
    }, 60_000);
    // Prometheus scrapes migobs run: the contract made from pt-osc's output.
    await waitFor('migration_phase full and rows from pt-osc progress in Prometheus', async () => {
      const phase = await prom.query(`migration_phase{migration_id="${ID}", phase="full"} == 1`);
      const rows = await prom.query(`migration_rows_processed_total{migration_id="${ID}"} > 0`);
      const total = await prom.query(`migration_rows_total{migration_id="${ID}"}`);
      return phase.length && rows.length && Math.abs(Number(total[0]?.value[1]) - ROWS) < ROWS * 0.2 ? true : undefined;
    }, 30_000);

    await danger(0.5);
    await waitFor('pt-osc to sleep in its pause loop', () => (/Sleeping 60 seconds because \S+ exists/.test(proc.output()) ? true : undefined), 30_000);
    expect(proc.output()).toMatch(/decision: pause -> pause pt-online-schema-change \(created \S+pause\)/);
    const held = count('_t_new');
    // Measured over a window in which Prometheus saw migobs run throttled for 3 scrapes in a row.
    await waitFor('3 s of scrapes with migration_throttled 1', async () => ((await prom.query(`min_over_time(migration_throttled{migration_id="${ID}"}[3s]) == 1 and count_over_time(migration_throttled{migration_id="${ID}"}[3s]) >= 3`)).length ? true : undefined), 30_000);
    expect(count('_t_new')).toBe(held);
    expect(held).toBeLessThan(ROWS);

    await danger(0);
    await waitFor('the copy to resume', () => (count('_t_new') > held ? true : undefined), 30_000);
    // The rows are read from MariaDB, the log from migobs' pipe: the line may still be on its way.
    await waitFor('the resume decision in the log', () => (/decision: proceed -> resume pt-online-schema-change/.test(proc.output()) ? true : undefined), 30_000);
    const code = await exited;
    expect(code, proc.output()).toBe(0);
    expect(proc.output()).toMatch(/Successfully altered `app`.`t`/);
    expect(proc.output()).toMatch(/pt-online-schema-change exited with code 0; exit 0/);
    expect(db.sql("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'app' AND table_name = 't' AND column_name = 'c'")).toBe('1');
    expect(count('t')).toBe(ROWS);
    expect(db.sql('SELECT COUNT(*) FROM t WHERE c = 7', 'app')).toBe(String(ROWS));
    expect(exists('_t_new')).toBe(false);
    expect(triggers()).toBe(0);
  }, 150_000);

  it('rollback: pt-osc stops, drops its triggers and _t_new, the original table is untouched, exit 3', async () => {
    const before = db.sql('SHOW CREATE TABLE t', 'app');
    const checksum = db.sql('CHECKSUM TABLE t', 'app');
    const { proc, exited } = startRun('run-rollback', 'ADD COLUMN d INT NOT NULL DEFAULT 1');
    await waitFor('pt-osc to copy rows into _t_new', () => {
      if (proc.exited) throw new Error(`migobs run exited: ${proc.output()}`);
      return exists('_t_new') && count('_t_new') >= 10_000 ? true : undefined;
    }, 60_000);
    expect(triggers()).toBe(3);
    await danger(2);
    const code = await Promise.race([exited, waitFor('migobs run to exit', () => (proc.exited ? true : undefined), 60_000).then(() => exited)]);
    expect(code, proc.output()).toBe(3);
    const out = proc.output();
    expect(out).toMatch(/decision: rollback -> stop pt-online-schema-change the safe way: sent SIGUSR1/);
    expect(out).toMatch(/Dropped triggers OK/);
    expect(out).toMatch(/Dropped new table OK/);
    expect(out).toMatch(/`app`.`t` was not altered/);
    expect(out).toMatch(/gate rollback: stopped the tool; pt-online-schema-change exited with code \d+; exit 3/);
    expect(triggers()).toBe(0);
    expect(exists('_t_new')).toBe(false);
    expect(db.sql('SHOW CREATE TABLE t', 'app')).toBe(before);
    expect(db.sql('CHECKSUM TABLE t', 'app')).toBe(checksum);
    await danger(0);
  }, 150_000);

  it('pt-osc failing on its own: migobs run exits with pt-osc\'s code and says so', async () => {
    // Column c exists since the first test: pt-osc's ALTER of the new table fails.
    const { proc, exited } = startRun('run-fail', 'ADD COLUMN c INT');
    const code = await exited;
    expect(code).not.toBe(0);
    expect(proc.output()).toMatch(new RegExp(`pt-online-schema-change exited with code ${code}; migobs run exits with its code; exit ${code}`));
    expect(exists('_t_new')).toBe(false);
  }, 90_000);
});
