/**
 * What `migobs exporter-setup` ships works as printed, on real servers:
 *
 * - postgres: a PostgreSQL 15 primary with a streaming standby and a replication slot. The files
 *   come from `migobs exporter-setup postgres --out DIR --json`; exporter-role.sql creates the
 *   role (run twice: it is re-runnable), and Debian's postgres_exporter connects AS THAT ROLE (not a
 *   superuser) with the printed DSN parameters and flags, on the primary and on the standby. Every
 *   query of the shipped file runs without a scrape error, every metric the postgres library reads
 *   is on the primary's /metrics, the standby reports its own lag, and a real Prometheus evaluates
 *   every postgres signal to a finite number.
 * - mysql: a MariaDB primary and GTID replica; the exporter account gets the shipped MariaDB grants,
 *   the heartbeat table is the shipped heartbeat.sql, a real pt-heartbeat writes it with the printed
 *   flags, and mysqld_exporter runs with the printed flags as that account on both servers: no
 *   collector fails, every metric the mysql library reads is exposed, and every mysql signal
 *   evaluates to a finite number (the replica signals on the replica).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { engineSignals } from '../../src/presets/load';
import { injectMatchers, parsePromql } from '../../src/promql/parse';
import { shippedFile } from '../helpers/exporter-setup';
import { HOST, migobsAsync, postgresBin, Services, waitFor, type MariaDB, type Postgres, type Prometheus } from '../helpers/services';
import { requireTool } from '../helpers/tools';

interface SetupJson {
  files: Array<{ name: string; path: string; status: string }>;
  prepare: Array<{ title: string; argv: string[]; stdinFile?: string }>;
  exporters: Array<{ name: string; dsn?: { parameters: Record<string, string> }; flags: Array<{ flag: string; neededBy: string[] }> }>;
}

async function exporterSetup(engine: string, out: string): Promise<SetupJson> {
  const r = await migobsAsync(['exporter-setup', engine, '--out', out, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const setup = JSON.parse(r.stdout) as SetupJson;
  for (const f of setup.files) expect(readFileSync(f.path), f.name).toEqual(readFileSync(shippedFile(engine as 'postgres', f.name)));
  return setup;
}

/** The printed flags of the engine's exporter, without the listen address (the test picks a port). */
const flagsOf = (setup: SetupJson): string[] => setup.exporters[0]!.flags.map((f) => f.flag).filter((f) => !f.startsWith('--web.listen-address'));

async function scrape(target: string): Promise<string> {
  const r = await fetch(`http://${target}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return r.text();
}

/** Metric family names on a /metrics page. */
const families = (text: string): Set<string> => new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{|\s)/gm)].map((m) => m[1]!));
/** The value of the first sample of `name` whose labels include `labels` (exporters add labels such as `server`). */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const m of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/gm)) {
    if (m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Every exporter metric name the engine's library reads (not migration_*, node_*, http_*). */
function libraryMetrics(engine: 'postgres' | 'mysql'): Map<string, string[]> {
  const own = new Map<string, string[]>();
  for (const [name, s] of Object.entries(engineSignals(engine))) {
    for (const m of s.metrics ?? []) {
      if (!m.startsWith(engine === 'postgres' ? 'pg_' : 'mysql_')) continue;
      own.set(m, [...(own.get(m) ?? []), name]);
    }
  }
  return own;
}

const signalsOf = (engine: 'postgres' | 'mysql'): Array<[string, string]> =>
  Object.entries(engineSignals(engine))
    .filter(([, s]) => (s.metrics ?? []).some((m) => m.startsWith(engine === 'postgres' ? 'pg_' : 'mysql_')))
    .map(([name, s]) => [name, s.expr]);

const scoped = (expr: string, job: string): string => injectMatchers(parsePromql(expr), () => true, [{ name: 'job', op: '=', value: job }]);

async function finite(prom: Prometheus, expr: string): Promise<boolean> {
  const r = await prom.query(expr);
  return r.length > 0 && r.every((s) => Number.isFinite(Number(s.value[1])));
}

describe('exporter-setup postgres: the shipped queries and role on a real primary + standby', () => {
  const services = new Services();
  let primary: Postgres;
  let standby: Postgres;
  let prom: Prometheus;
  let setup: SetupJson;
  const targets: Record<string, string> = {};
  let writer: pg.Client | undefined;
  let writing: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    try {
      primary = await services.startPostgres({ wal_level: 'replica', max_wal_senders: '5', max_replication_slots: '5' });
      // The standby first: a base backup of an idle cluster needs no long checkpoint.
      standby = await services.startPostgresStandby(primary);
      await waitFor('the standby to stream', () => (primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") === '1' ? true : undefined));
      // A slot reserving WAL right away: a never-used slot has no restart_lsn, and its lag is NaN.
      primary.psql("SELECT pg_create_physical_replication_slot('migobs_e2e_slot', true)");
      primary.psql('CREATE DATABASE app');
      primary.psql("CREATE TABLE orders (id bigserial PRIMARY KEY, region text); INSERT INTO orders (region) SELECT NULL FROM generate_series(1, 20000); UPDATE orders SET region = 'eu'", 'app');

      setup = await exporterSetup('postgres', services.tempDir('exporter-setup-pg'));
      // The printed role step, with a password and a connection to the primary.
      const role = setup.prepare.find((p) => p.argv[0] === 'psql')!;
      const argv = role.argv.slice(1).map((a) => a.replace('<password>', 'exporter-e2e'));
      for (let i = 0; i < 2; i++) {
        const r = spawnSync(postgresBin('psql'), ['-h', HOST, '-p', String(primary.port), '-U', 'postgres', '-d', 'postgres', ...argv], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
      }
      expect(primary.psql("SELECT rolsuper, pg_has_role('postgres_exporter', 'pg_monitor', 'MEMBER') FROM pg_roles WHERE rolname = 'postgres_exporter'")).toBe('f|t');

      const params = Object.entries(setup.exporters[0]!.dsn!.parameters).map(([k, v]) => `&${k}=${v}`).join('');
      const dsn = (db: Postgres): string => `postgresql://postgres_exporter:exporter-e2e@${HOST}:${db.port}/app?sslmode=disable${params}`;
      targets['pg-primary'] = (await services.startPostgresExporter(dsn(primary), undefined, 'pgexp-primary', flagsOf(setup))).target;
      await waitFor('the role on the standby', () => (standby.psql("SELECT count(*) FROM pg_roles WHERE rolname = 'postgres_exporter'") === '1' ? true : undefined));
      targets['pg-standby'] = (await services.startPostgresExporter(dsn(standby), undefined, 'pgexp-standby', flagsOf(setup))).target;

      // Writes keep WAL flowing, so the standby has something to replay.
      writer = new pg.Client({ connectionString: primary.dsn('app') });
      writer.on('error', () => undefined);
      await writer.connect();
      writing = setInterval(() => void writer!.query("UPDATE orders SET region = 'us' WHERE id = (random() * 20000)::int").catch(() => undefined), 100);

      prom = await services.startPrometheus({ targets: Object.entries(targets).map(([job, target]) => ({ job, target })), interval: '2s' });
    } catch (e) {
      clearInterval(writing);
      await services.stopAll();
      throw e;
    }
  }, 180_000);

  afterAll(async () => {
    clearInterval(writing);
    await services.stopAll();
    await writer?.end().catch(() => undefined);
  });

  it('names the shipped query file in --extend.query-path and needs it for the custom signals', () => {
    const flag = setup.exporters[0]!.flags.find((f) => f.flag.startsWith('--extend.query-path='))!;
    expect(flag.flag).toBe(`--extend.query-path=${setup.files.find((f) => f.name === 'migration-queries.yaml')!.path}`);
    expect(flag.neededBy).toEqual(expect.arrayContaining(['replicationLag', 'lockWaitSessions', 'lockWaitSeconds', 'walBytesRate', 'deadTupleRatio']));
  });

  it.each(['pg-primary', 'pg-standby'])('%s: every shipped query runs as the pg_monitor role without a scrape error', async (job) => {
    const text = await waitFor(`${job} to scrape cleanly`, async () => {
      const t = await scrape(targets[job]!);
      return value(t, 'pg_exporter_last_scrape_error') === 0 ? t : undefined;
    });
    expect(text).toMatch(/^pg_exporter_user_queries_load_error\{[^}]*\} 0$/m);
    expect(value(text, 'pg_up')).toBe(1);
  });

  it('every metric the postgres library reads is on the primary', async () => {
    const need = libraryMetrics('postgres');
    const text = await waitFor('every library metric on the primary', async () => {
      const t = await scrape(targets['pg-primary']!);
      const have = families(t);
      return [...need.keys()].every((m) => have.has(m)) ? t : undefined;
    }).catch(async () => scrape(targets['pg-primary']!));
    const have = families(text);
    expect([...need.entries()].filter(([m]) => !have.has(m)).map(([m, s]) => `${m} (${s.join(', ')})`)).toEqual([]);
    expect(text).toMatch(/^pg_custom_replication_replay_lag_seconds\{[^}]*state="streaming"[^}]*\} \S+$/m);
  });

  it('the standby reports its own replay lag and a streaming WAL receiver', async () => {
    const text = await scrape(targets['pg-standby']!);
    expect(value(text, 'pg_custom_wal_is_replica')).toBe(1);
    expect(Number.isFinite(value(text, 'pg_custom_wal_replay_lag_seconds'))).toBe(true);
    expect(Number.isFinite(value(text, 'pg_replication_lag'))).toBe(true);
    expect(value(text, 'pg_custom_wal_receiver_streaming')).toBe(1);
    expect(Number.isNaN(value(text, 'pg_custom_wal_current_lsn_bytes'))).toBe(true);
  });

  it('every postgres signal evaluates to a finite value from the primary (real Prometheus)', async () => {
    const failing = async (): Promise<string[]> => {
      const bad: string[] = [];
      for (const [name, expr] of signalsOf('postgres')) if (!(await finite(prom, scoped(expr, 'pg-primary')))) bad.push(name);
      return bad;
    };
    // rate() needs two scrapes; replay lag needs a commit to have been replayed.
    await waitFor('every postgres signal', async () => ((await failing()).length === 0 ? true : undefined), 60_000, 1000).catch(() => undefined);
    expect(await failing()).toEqual([]);
  }, 90_000);
});

describe('exporter-setup mysql: the shipped grants, heartbeat table and flags on a real MariaDB primary + replica', () => {
  const services = new Services();
  let primary: MariaDB;
  let replica: MariaDB;
  let prom: Prometheus;
  let setup: SetupJson;
  const targets: Record<string, string> = {};

  beforeAll(async () => {
    try {
      primary = await services.startMariaDB({ serverId: 1, logBin: true });
      replica = await services.startMariaDB({ serverId: 2 });
      setup = await exporterSetup('mysql', services.tempDir('exporter-setup-mysql'));
      const file = (name: string): string => readFileSync(setup.files.find((f) => f.name === name)!.path, 'utf8');

      // The printed account step, the MariaDB grants and the heartbeat table, on the primary; the
      // replica gets them by replication.
      const createUser = setup.prepare.find((p) => p.argv[0] === 'mysql' && p.argv[1] === '-e')!.argv[2]!;
      primary.sql(createUser.replace('<password>', 'exporter-e2e'));
      primary.sql(file('exporter-grants.mariadb.sql'));
      primary.sql(file('heartbeat.sql'));
      // The writer's account, with exactly the grants the printed step names (MariaDB flavour).
      const grants = /needs (.*) on heartbeat\.\* and (.*) on \*\.\*, plus (.*) on MariaDB 10\.5/.exec(setup.prepare.find((p) => p.argv[0] === 'pt-heartbeat')!.title)!;
      primary.sql(`CREATE USER 'heartbeat'@'127.0.0.1' IDENTIFIED BY 'heartbeat-e2e'; GRANT ${grants[1]} ON heartbeat.* TO 'heartbeat'@'127.0.0.1'; GRANT ${grants[2]}, ${grants[3]} ON *.* TO 'heartbeat'@'127.0.0.1'`);
      primary.sql("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-e2e'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'");
      replica.sql(`CHANGE MASTER TO MASTER_HOST = '${HOST}', MASTER_PORT = ${primary.port}, MASTER_USER = 'repl', MASTER_PASSWORD = 'repl-e2e', MASTER_USE_GTID = slave_pos; START SLAVE`);
      await waitFor('the exporter account and heartbeat table on the replica', () =>
        replica.sql("SELECT (SELECT COUNT(*) FROM mysql.user WHERE user = 'mysqld_exporter') + (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'heartbeat')") === '2' ? true : undefined,
      );

      // The printed pt-heartbeat command, with its DSN pointed at the primary.
      const hb = setup.prepare.find((p) => p.argv[0] === 'pt-heartbeat')!.argv;
      const hbArgs = hb.slice(1).map((a) => (a.startsWith('h=<primary>') ? `h=${HOST},P=${primary.port},u=heartbeat,p=heartbeat-e2e` : a));
      const writer = services.start('pt-heartbeat', requireTool('pt-heartbeat'), hbArgs);
      await waitFor('pt-heartbeat to write its row', () => {
        if (writer.exited) throw new Error(`pt-heartbeat exited: ${writer.output()}`);
        return primary.sql('SELECT COUNT(*) FROM heartbeat.heartbeat WHERE server_id = 1') === '1' ? true : undefined;
      });
      // A running statement, so the processlist families have a row to show.
      primary.session('sleeper', 'SELECT SLEEP(600) /* exporter-setup e2e */');

      for (const [job, db] of [['mysql-primary', primary], ['mysql-replica', replica]] as const) {
        targets[job] = (await services.startMysqldExporter(db, flagsOf(setup), { dsn: `mysqld_exporter:exporter-e2e@unix(${db.socket})/`, name: job })).target;
      }
      prom = await services.startPrometheus({ targets: Object.entries(targets).map(([job, target]) => ({ job, target })), interval: '2s' });
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 180_000);

  afterAll(async () => {
    await services.stopAll();
  });

  it.each(['mysql-primary', 'mysql-replica'])('%s: every printed collector runs as the granted account without an error', async (job) => {
    const text = await waitFor(`${job} to scrape cleanly`, async () => {
      const t = await scrape(targets[job]!);
      return value(t, 'mysql_exporter_last_scrape_error') === 0 ? t : undefined;
    }).catch(async () => scrape(targets[job]!));
    expect(value(text, 'mysql_up')).toBe(1);
    expect(text.split('\n').filter((l) => /^mysql_exporter_scrape_errors_total\{.*\} [1-9]/.test(l))).toEqual([]);
    expect(value(text, 'mysql_exporter_last_scrape_error')).toBe(0);
  });

  it('every metric the mysql library reads is exposed (primary or replica)', async () => {
    const need = libraryMetrics('mysql');
    const missing = async (): Promise<string[]> => {
      const have = new Set([...families(await scrape(targets['mysql-primary']!)), ...families(await scrape(targets['mysql-replica']!))]);
      return [...need.entries()].filter(([m]) => !have.has(m)).map(([m, s]) => `${m} (${s.join(', ')})`);
    };
    await waitFor('every mysql library metric', async () => ((await missing()).length === 0 ? true : undefined)).catch(() => undefined);
    expect(await missing()).toEqual([]);
  });

  it('the replica reads the heartbeat pt-heartbeat writes (lag under a few seconds)', async () => {
    const text = await scrape(targets['mysql-replica']!);
    const now = value(text, 'mysql_heartbeat_now_timestamp_seconds', { server_id: '1' });
    const stored = value(text, 'mysql_heartbeat_stored_timestamp_seconds', { server_id: '1' });
    expect(now).toBeDefined();
    expect(stored).toBeDefined();
    expect(now! - stored!).toBeGreaterThanOrEqual(0);
    expect(now! - stored!).toBeLessThan(30);
    expect(services.proc('pt-heartbeat').exited, services.proc('pt-heartbeat').output()).toBe(false);
  });

  it('every mysql signal evaluates to a finite value (replica signals on the replica)', async () => {
    const REPLICA_ONLY = new Set(['replicationLag', 'replicationLagSecondsBehind', 'replicationThreadsRunning']);
    const failing = async (): Promise<string[]> => {
      const bad: string[] = [];
      for (const [name, expr] of signalsOf('mysql')) {
        const jobs = REPLICA_ONLY.has(name) ? ['mysql-replica'] : ['mysql-primary', 'mysql-replica'];
        let ok = false;
        for (const job of jobs) ok ||= await finite(prom, scoped(expr, job));
        if (!ok) bad.push(name);
      }
      return bad;
    };
    await waitFor('every mysql signal', async () => ((await failing()).length === 0 ? true : undefined), 60_000, 1000).catch(() => undefined);
    expect(await failing()).toEqual([]);
  }, 90_000);
});
