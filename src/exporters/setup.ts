/**
 * What each engine's signal library needs from the exporters, as data: the files migobs ships in
 * exporters/<engine>/, the one-time database steps, each exporter's flags and connection string,
 * and the Prometheus scrape jobs. `migobs exporter-setup` renders it; test/e2e/exporter-setup.test.ts
 * runs it against a real PostgreSQL, MariaDB and their exporters. Pure: no I/O.
 */
import type { Engine } from '../definition/types';
import { engineSignals } from '../presets/load';

/** A file shipped in exporters/<engine>/ of the package. */
export interface ShippedFile {
  name: string;
  purpose: string;
}

/** A command to run once (argv, optionally fed a shipped file on stdin), e.g. creating a role. */
export interface PrepareStep {
  title: string;
  argv: string[];
  /** A shipped file given on stdin (`mysql < file`). */
  stdinFile?: string;
  note?: string;
}

export interface Flag {
  flag: string;
  /** Why it is set; the signals that need it are added from the engine library. */
  why: string;
  /** Text that marks this flag in a signal's `requires:` (default: the flag's name before `=`). */
  marker?: string;
}

export interface ExporterStep {
  /** Upstream name, e.g. postgres_exporter. */
  name: string;
  /** The Debian binary/package, which the library was verified with. */
  binary: string;
  testedVersion: string;
  runOn: string;
  /** Connection string template (placeholders in <angle brackets>), with the parameters below. */
  dsn?: { env: string; template: string; parameters: Record<string, string>; why: string };
  flags: Flag[];
  port: number;
  notes: string[];
}

export interface ScrapeGroup {
  role: string;
  examples: string[];
}

export interface ScrapeJob {
  job: string;
  port: number;
  groups: ScrapeGroup[];
}

export interface EngineSetup {
  engine: Engine;
  files: ShippedFile[];
  prepare: PrepareStep[];
  exporters: ExporterStep[];
  scrape: ScrapeJob[];
  notes: string[];
}

const NODE_EXPORTER: ExporterStep = {
  name: 'node_exporter',
  binary: 'prometheus-node-exporter',
  testedVersion: '1.5.0',
  runOn: 'every database host',
  flags: [{ flag: '--web.listen-address=:9100', why: 'the port the scrape config below uses', marker: '' }],
  port: 9100,
  notes: ['Its default collectors (filesystem, cpu) feed diskFreeRatio and cpuUtilization; no other flag is needed.'],
};

const APP_NOTE =
  'The application signals (appErrorRatio, appLatencyP99) read the app\'s own http_requests_total and http_request_duration_seconds; the migration_* signals come from the runner\'s emitter (docs/emitter.md). Scrape both with the job label your definition\'s selector and targets name.';

/**
 * The setup of `engine`. `fileAt(name)` is where a shipped file will be on the exporter's host (the
 * --out folder, or the package itself), used in the flags and commands.
 */
export function exporterSetup(engine: Engine, fileAt: (name: string) => string): EngineSetup {
  if (engine === 'postgres') {
    return {
      engine,
      files: [
        { name: 'migration-queries.yaml', purpose: 'postgres_exporter --extend.query-path file: lock waits, WAL position, standby lag in seconds, dead tuples per table, CREATE INDEX / CLUSTER progress' },
        { name: 'exporter-role.sql', purpose: 'the login role the exporter connects as (pg_monitor, lock_timeout, statement_timeout)' },
      ],
      prepare: [
        {
          title: 'Create the exporter\'s role, once, as a superuser on the primary (standbys get it by replication)',
          argv: ['psql', '-v', 'exporter_password=<password>', '-f', fileAt('exporter-role.sql')],
        },
      ],
      exporters: [
        {
          name: 'postgres_exporter',
          binary: 'prometheus-postgres-exporter',
          testedVersion: '0.11.1',
          runOn: 'the primary and every standby',
          dsn: {
            env: 'DATA_SOURCE_NAME',
            template: 'postgresql://postgres_exporter:<password>@<host>:5432/<database>?sslmode=require',
            parameters: { lock_timeout: '2000' },
            why: 'the exporter\'s queries give up after 2 s instead of queueing behind a migration\'s DDL lock, which would stall every scrape (the driver passes unknown parameters to the server as session settings)',
          },
          flags: [
            { flag: `--extend.query-path=${fileAt('migration-queries.yaml')}`, why: 'the queries migobs ships (0.11 reads a single file)', marker: 'migration-queries.yaml' },
            { flag: '--web.listen-address=:9187', why: 'the port the scrape config below uses', marker: '' },
          ],
          port: 9187,
          notes: [
            'postgres_exporter 0.12 and newer export pg_stat_user_tables_* themselves: delete the pg_stat_user_tables query from migration-queries.yaml there, or the duplicate fails every scrape.',
            'Add --auto-discover-databases to get dead tuples of every database, not only the DSN\'s.',
          ],
        },
        NODE_EXPORTER,
      ],
      scrape: [
        { job: 'postgres', port: 9187, groups: [{ role: 'primary', examples: ['db-primary.example.com'] }, { role: 'replica', examples: ['db-standby-1.example.com'] }] },
        { job: 'node', port: 9100, groups: [{ role: 'database-host', examples: ['db-primary.example.com', 'db-standby-1.example.com'] }] },
      ],
      notes: [APP_NOTE],
    };
  }
  if (engine === 'mysql') {
    return {
      engine,
      files: [
        { name: 'heartbeat.sql', purpose: 'the pt-heartbeat table replica lag is measured with' },
        { name: 'exporter-grants.sql', purpose: 'grants of the exporter account (MySQL, Percona Server)' },
        { name: 'exporter-grants.mariadb.sql', purpose: 'grants of the exporter account (MariaDB 10.5 and newer: adds SLAVE MONITOR)' },
      ],
      prepare: [
        {
          title: 'Create the exporter account, once, as an admin on the primary (it replicates)',
          argv: ['mysql', '-e', "CREATE USER 'mysqld_exporter'@'localhost' IDENTIFIED BY '<password>' WITH MAX_USER_CONNECTIONS 3"],
        },
        {
          title: 'Grant it what the collectors need (MariaDB 10.5 and newer: exporter-grants.mariadb.sql instead)',
          argv: ['mysql'],
          stdinFile: fileAt('exporter-grants.sql'),
        },
        {
          title: 'Create the heartbeat table, once, on the primary',
          argv: ['mysql'],
          stdinFile: fileAt('heartbeat.sql'),
        },
        {
          title: 'Keep a heartbeat writer running on the primary (Percona Toolkit; its account needs SELECT, INSERT, UPDATE, DELETE on heartbeat.* and REPLICATION CLIENT on *.*, plus SLAVE MONITOR on MariaDB 10.5 and newer)',
          argv: ['pt-heartbeat', '--update', '--utc', '--interval', '1', '--database', 'heartbeat', '--table', 'heartbeat', '--no-version-check', 'h=<primary>,u=<user>,p=<password>'],
          note: '--utc here goes with --collect.heartbeat.utc on the exporter: both or neither.',
        },
      ],
      exporters: [
        {
          name: 'mysqld_exporter',
          binary: 'prometheus-mysqld-exporter',
          testedVersion: '0.14.0',
          runOn: 'the primary and every replica',
          dsn: {
            env: 'DATA_SOURCE_NAME',
            template: 'mysqld_exporter:<password>@(<host>:3306)/',
            parameters: {},
            why: 'the account created above; the default collectors (global_status, global_variables, slave_status) need no flag',
          },
          flags: [
            { flag: '--collect.heartbeat', why: 'reads the heartbeat table: replica lag that keeps growing when replication stops' },
            { flag: '--collect.heartbeat.database=heartbeat', why: 'where heartbeat.sql puts the table', marker: '' },
            { flag: '--collect.heartbeat.table=heartbeat', why: 'where heartbeat.sql puts the table', marker: '' },
            { flag: '--collect.heartbeat.utc', why: 'pt-heartbeat --utc writes UTC timestamps', marker: '' },
            { flag: '--collect.info_schema.processlist', why: 'lock waits and long statements per processlist state' },
            { flag: '--collect.info_schema.innodb_metrics', why: 'history list length and deadlocks on Oracle MySQL (MariaDB has them as status variables too)' },
            { flag: '--collect.binlog_size', why: 'binlog write rate where Binlog_bytes_written is missing (MySQL, Percona)' },
            { flag: '--web.listen-address=:9104', why: 'the port the scrape config below uses', marker: '' },
          ],
          port: 9104,
          notes: [
            'Do not add --collect.info_schema.innodb_tablespaces on MariaDB 10.5 and newer: it fails every scrape there.',
            'Without the SLAVE MONITOR grant (MariaDB 10.5+) every mysql_slave_status_* series is silently missing while mysql_up stays 1: the replica gates then read unknown.',
          ],
        },
        NODE_EXPORTER,
      ],
      scrape: [
        { job: 'mysql', port: 9104, groups: [{ role: 'primary', examples: ['db-primary.example.com'] }, { role: 'replica', examples: ['db-replica-1.example.com'] }] },
        { job: 'node', port: 9100, groups: [{ role: 'database-host', examples: ['db-primary.example.com', 'db-replica-1.example.com'] }] },
      ],
      notes: [APP_NOTE],
    };
  }
  return {
    engine,
    files: [],
    prepare: [],
    exporters: [NODE_EXPORTER],
    scrape: [{ job: 'node', port: 9100, groups: [{ role: 'database-host', examples: ['db-1.example.com'] }] }],
    notes: ['The generic library has no database signals: replication lag is the runner\'s own migration_lag_seconds.', APP_NOTE],
  };
}

/** Signals of the engine library whose `requires:` names this flag (its marker). */
export function signalsNeeding(engine: Engine, flag: Flag): string[] {
  const marker = flag.marker ?? flag.flag.split('=')[0]!;
  if (!marker) return [];
  const re = new RegExp(`(?<![\\w.-])${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.-])`);
  return Object.entries(engineSignals(engine))
    .filter(([, s]) => s.requires !== undefined && re.test(s.requires))
    .map(([name]) => name)
    .sort();
}

/** The full connection string: the template plus its parameters, in order. */
export function dsnOf(dsn: NonNullable<ExporterStep['dsn']>): string {
  const params = Object.entries(dsn.parameters).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  if (params.length === 0) return dsn.template;
  return `${dsn.template}${dsn.template.includes('?') ? '&' : '?'}${params.join('&')}`;
}

/** The Prometheus `scrape_configs` list (data; the caller serializes it). */
export function scrapeConfigs(setup: EngineSetup): unknown[] {
  return setup.scrape.map((job) => ({
    job_name: job.job,
    static_configs: job.groups.map((g) => ({ targets: g.examples.map((h) => `${h}:${job.port}`), labels: { role: g.role } })),
  }));
}
