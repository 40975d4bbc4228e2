/**
 * Real services for live tests, each on 127.0.0.1 with a free port and its own temp dir:
 * PostgreSQL (initdb + postgres, never the system cluster), postgres_exporter, Prometheus,
 * Alertmanager and Pushgateway; plus webhook receivers and an async CLI runner.
 *
 * Every process is started in its own process group and registered with a `Services` instance;
 * `stopAll()` (call it in afterAll/finally) stops each one and then SIGKILLs its whole group.
 * A process-exit hook kills whatever is left if the test worker dies before afterAll runs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../../src/render/serialize';
import { BIN, REPO } from './cli';
import { freePort, HOST } from './ports';
import { requireTool } from './tools';

export { freePort, HOST } from './ports';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

async function httpOk(url: string): Promise<true | undefined> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await r.arrayBuffer();
  return r.ok ? true : undefined;
}

/** Binaries of the PostgreSQL server (Debian keeps them out of PATH). */
export function postgresBin(name: string): string {
  const r = spawnSync('sh', ['-c', `ls -d /usr/lib/postgresql/*/bin/${name} 2>/dev/null | sort -V | tail -1`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (!path) throw new Error(`PostgreSQL ${name} not found in /usr/lib/postgresql/*/bin: apt-get install postgresql`);
  return path;
}

/** initdb and postgres refuse to run as root: drop to the `postgres` user when we are root. */
function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return [requireTool('setpriv'), ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]];
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root but there is no `postgres` user to run PostgreSQL as');
  return { uid, gid };
}

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Last output of the process, for failure messages. */
  output(): string;
  /** Graceful stop (signal), then SIGKILL of the whole process group after a grace period. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const c of live) killGroup(c, 'SIGKILL');
  };
  process.on('exit', killAll);
  // A test worker ended by a signal never emits 'exit': clean up, then die as the signal asked.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stopSignal?: NodeJS.Signals;
  /** 'pipe' to type into the process (child.stdin). */
  stdin?: 'pipe' | 'ignore';
}

function startProcess(name: string, cmd: string, args: string[], opts: StartOptions = {}): Proc {
  installExitHook();
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, detached: true, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const done = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      resolve();
    });
    child.once('error', (e) => {
      out += `\nspawn error: ${e.message}`;
      exited = true;
      live.delete(child);
      resolve();
    });
  });
  return {
    name,
    child,
    output: () => out,
    get exited() {
      return exited;
    },
    async stop() {
      if (!exited) {
        try {
          child.kill(opts.stopSignal ?? 'SIGTERM');
        } catch {
          /* gone */
        }
        await Promise.race([done, sleep(5000)]);
      }
      // Children of the service (PostgreSQL backends) share its process group.
      killGroup(child, 'SIGKILL');
      await Promise.race([done, sleep(2000)]);
    },
  };
}

export interface MariaDB {
  port: number;
  socket: string;
  /** The OS user the server runs as, and its socket-authenticated superuser account. */
  user: string;
  /** Run SQL as root and return the tab-separated rows. */
  sql(text: string, database?: string): string;
  /** A client session left running (a lock holder, a waiter), stopped by stopAll. */
  session(name: string, text: string, database?: string): Proc;
}

export interface Postgres {
  port: number;
  /** Superuser connection string (trust auth, 127.0.0.1 only). */
  dsn(database?: string): string;
  psql(sql: string, database?: string): string;
}

export interface PromTarget {
  job: string;
  /** host:port, or several for one job (each gets its own `instance` label). */
  target: string | string[];
  metricsPath?: string;
  honorLabels?: boolean;
}

export interface Prometheus {
  url: string;
  port: number;
  /** Instant query; returns the result vector (throws on an error answer). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Active alerts as Prometheus sees them (pending and firing). */
  alerts(): Promise<{ labels: Record<string, string>; state: string; annotations: Record<string, string> }[]>;
}

/** One HTTP server collecting Alertmanager webhook notifications. */
export interface Webhook {
  url: string;
  /** Every alert of every notification received, in order. */
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
  notifications: { receiver: string; status: string; headers: IncomingHttpHeaders }[];
}

/** The set of processes and temp dirs one test file owns. */
export class Services {
  private readonly procs: Proc[] = [];
  private readonly dirs: string[] = [];
  private readonly closers: (() => Promise<void>)[] = [];

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `migobs-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Stop everything this instance started, in reverse order; never throws. */
  async stopAll(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop().catch(() => undefined);
    this.procs.length = 0;
    for (const c of this.closers.splice(0).reverse()) await c().catch(() => undefined);
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  /** The registered process by name (to stop one service in a test). */
  proc(name: string): Proc {
    const p = this.procs.find((x) => x.name === name);
    if (!p) throw new Error(`no process ${name}`);
    return p;
  }

  /** Any other long-running process (a migration runner, `migobs watch`), stopped by stopAll too. */
  start(name: string, cmd: string, args: string[], opts: StartOptions = {}): Proc {
    return this.track(startProcess(name, cmd, args, opts));
  }

  private track(p: Proc): Proc {
    this.procs.push(p);
    return p;
  }

  /** A fresh cluster: initdb in a temp dir, postgres on 127.0.0.1:<free port>, socket in the data dir. */
  async startPostgres(settings: Record<string, string> = {}, name = 'postgres'): Promise<Postgres> {
    const { data } = this.postgresDirs('pg');
    const [initCmd, initArgs] = asPostgresUser(postgresBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8', timeout: 60_000 });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error?.message}`);
    return this.runPostgres(name, data, settings);
  }

  /**
   * A streaming standby of `primary` (pg_basebackup -R -X stream; the primary needs
   * wal_level=replica and max_wal_senders > 0, and initdb's trust rules let replication in).
   */
  async startPostgresStandby(primary: Postgres, settings: Record<string, string> = {}, name = 'postgres-standby'): Promise<Postgres> {
    const { data } = this.postgresDirs('pg-standby');
    const [cmd, args] = asPostgresUser(postgresBin('pg_basebackup'), ['-h', HOST, '-p', String(primary.port), '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '--no-sync']);
    const backup = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
    if (backup.status !== 0) throw new Error(`pg_basebackup failed: ${backup.stderr || backup.stdout || backup.error?.message}`);
    return this.runPostgres(name, data, { hot_standby: 'on', ...settings });
  }

  /** A temp dir with an empty data dir inside, both owned by the user PostgreSQL runs as. */
  private postgresDirs(prefix: string): { dir: string; data: string } {
    const dir = this.tempDir(prefix);
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o700 });
    const ids = postgresIds();
    if (ids) {
      chownSync(dir, ids.uid, ids.gid);
      chownSync(data, ids.uid, ids.gid);
      chmodSync(dir, 0o755);
    }
    return { dir, data };
  }

  private async runPostgres(name: string, data: string, settings: Record<string, string>): Promise<Postgres> {
    const port = await freePort();
    const conf: Record<string, string> = {
      listen_addresses: HOST,
      port: String(port),
      unix_socket_directories: data,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '50',
      ...settings,
    };
    const [cmd, args] = asPostgresUser(postgresBin('postgres'), ['-D', data, ...Object.entries(conf).flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
    // SIGINT = PostgreSQL "fast" shutdown (aborts sessions, no waiting for clients).
    const proc = this.track(startProcess(name, cmd, args, { stopSignal: 'SIGINT' }));
    const isReady = postgresBin('pg_isready');
    await waitFor(`PostgreSQL (${name}) to accept connections`, () => {
      if (proc.exited) throw new Error(`${name} exited: ${proc.output()}`);
      return spawnSync(isReady, ['-h', HOST, '-p', String(port), '-U', 'postgres'], { encoding: 'utf8' }).status === 0 ? true : undefined;
    });
    const psqlBin = postgresBin('psql');
    return {
      port,
      dsn: (database = 'postgres') => `postgresql://postgres@${HOST}:${port}/${database}?sslmode=disable`,
      psql: (sql, database = 'postgres') => {
        const r = spawnSync(psqlBin, ['-h', HOST, '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', timeout: 30_000 });
        if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
        return r.stdout.trim();
      },
    };
  }

  /**
   * A fresh MariaDB: mariadb-install-db into a temp dir, mariadbd on 127.0.0.1:<free port> with its
   * socket in that dir, run as the current OS user, whose MariaDB account of the same name
   * (a superuser, created by mariadb-install-db) authenticates by unix socket.
   */
  async startMariaDB(opts: { serverId?: number; logBin?: boolean } = {}): Promise<MariaDB> {
    const dir = this.tempDir('mariadb');
    const data = join(dir, 'data');
    const socket = join(dir, 'mysqld.sock');
    const user = userInfo().username;
    const install = spawnSync(requireTool('mariadb-install-db'), ['--no-defaults', `--datadir=${data}`, `--user=${user}`, '--auth-root-authentication-method=socket', `--auth-root-socket-user=${user}`, '--skip-test-db'], { encoding: 'utf8', timeout: 60_000 });
    if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout || install.error?.message}`);
    const port = await freePort();
    const proc = this.track(
      startProcess('mariadbd', requireTool('mariadbd'), [
        '--no-defaults', `--datadir=${data}`, `--socket=${socket}`, `--port=${port}`, `--bind-address=${HOST}`,
        `--pid-file=${join(dir, 'mariadbd.pid')}`, `--user=${user}`, '--innodb-buffer-pool-size=32M',
        `--server-id=${opts.serverId ?? 1}`,
        ...(opts.logBin ? [`--log-bin=${join(dir, 'binlog')}`, '--binlog-format=ROW'] : ['--skip-log-bin']),
      ], { stopSignal: 'SIGTERM' }),
    );
    const client = requireTool('mariadb');
    const sql = (text: string, database = ''): string => {
      const r = spawnSync(client, ['--no-defaults', `--socket=${socket}`, `--user=${user}`, '-N', '-B', '-e', text, ...(database ? [database] : [])], { encoding: 'utf8', timeout: 30_000 });
      if (r.status !== 0) throw new Error(`mariadb failed: ${r.stderr}`);
      return r.stdout.trim();
    };
    await waitFor('MariaDB to accept connections', () => {
      if (proc.exited) throw new Error(`mariadbd exited: ${proc.output()}`);
      return spawnSync(client, ['--no-defaults', `--socket=${socket}`, `--user=${user}`, '-e', 'SELECT 1'], { encoding: 'utf8' }).status === 0 ? true : undefined;
    });
    return {
      port,
      socket,
      user,
      sql,
      session: (name, text, database = '') => this.start(name, client, ['--no-defaults', `--socket=${socket}`, `--user=${user}`, '-e', text, ...(database ? [database] : [])]),
    };
  }

  /**
   * mysqld_exporter 0.14 for a MariaDB socket (socket auth as the test's user, or `opts.dsn`), with
   * extra --collect.* flags.
   */
  async startMysqldExporter(db: MariaDB, flags: string[] = [], opts: { dsn?: string; name?: string } = {}): Promise<{ target: string; port: number }> {
    const port = await freePort();
    const proc = this.track(
      startProcess(opts.name ?? 'mysqld_exporter', requireTool('prometheus-mysqld-exporter'), [`--web.listen-address=${HOST}:${port}`, ...flags], {
        env: { DATA_SOURCE_NAME: opts.dsn ?? `${db.user}@unix(${db.socket})/` },
      }),
    );
    await waitFor('mysqld_exporter /metrics', async () => {
      if (proc.exited) throw new Error(`mysqld_exporter exited: ${proc.output()}`);
      const r = await fetch(`http://${HOST}:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
      return r.ok && /^mysql_up 1$/m.test(await r.text()) ? true : undefined;
    });
    return { target: `${HOST}:${port}`, port };
  }

  /** postgres_exporter for one DSN, with an optional --extend.query-path file (its text) and extra flags. */
  async startPostgresExporter(dsn: string, queriesYaml?: string, name = 'postgres_exporter', flags: string[] = []): Promise<{ target: string; port: number }> {
    const bin = requireTool('prometheus-postgres-exporter');
    const dir = this.tempDir('pgexp');
    const port = await freePort();
    const args = [`--web.listen-address=${HOST}:${port}`, ...flags];
    if (queriesYaml !== undefined) {
      const file = join(dir, 'queries.yaml');
      writeFileSync(file, queriesYaml);
      args.push(`--extend.query-path=${file}`);
    }
    const proc = this.track(startProcess(name, bin, args, { env: { DATA_SOURCE_NAME: dsn } }));
    await waitFor('postgres_exporter /metrics', async () => {
      if (proc.exited) throw new Error(`postgres_exporter exited: ${proc.output()}`);
      const r = await fetch(`http://${HOST}:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
      const text = await r.text();
      return r.ok && /^pg_up 1$/m.test(text) ? true : undefined;
    });
    return { target: `${HOST}:${port}`, port };
  }

  async startPushgateway(): Promise<{ url: string; target: string }> {
    const bin = requireTool('prometheus-pushgateway');
    const port = await freePort();
    const proc = this.track(startProcess('pushgateway', bin, [`--web.listen-address=${HOST}:${port}`, '--persistence.file=']));
    const url = `http://${HOST}:${port}`;
    await waitFor('Pushgateway', () => {
      if (proc.exited) throw new Error(`pushgateway exited: ${proc.output()}`);
      return httpOk(`${url}/-/ready`);
    });
    return { url, target: `${HOST}:${port}` };
  }

  /**
   * Alertmanager with the given config object; clustering off, data in a temp dir. `configFile` is
   * the file it reads: write another config there and POST `<url>/-/reload` to switch.
   */
  async startAlertmanager(config: unknown): Promise<{ url: string; configFile: string }> {
    const bin = requireTool('prometheus-alertmanager');
    const dir = this.tempDir('am');
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(file, typeof config === 'string' ? config : toYaml(config));
    const port = await freePort();
    const proc = this.track(
      startProcess('alertmanager', bin, [`--config.file=${file}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=${HOST}:${port}`, '--cluster.listen-address=']),
    );
    const url = `http://${HOST}:${port}`;
    await waitFor('Alertmanager', () => {
      if (proc.exited) throw new Error(`alertmanager exited: ${proc.output()}`);
      return httpOk(`${url}/-/ready`);
    });
    return { url, configFile: file };
  }

  /**
   * Prometheus with 1 s scrape and rule evaluation, the given rule files and targets, sending
   * alerts to `alertmanagerUrl`.
   */
  async startPrometheus(opts: {
    targets: PromTarget[];
    ruleFiles?: Record<string, string>;
    alertmanagerUrl?: string;
    interval?: string;
    /** Process name for `proc()` (default `prometheus`); give each of several instances its own. */
    name?: string;
    /** remote_read endpoints (another Prometheus' /api/v1/read), read for recent data too. */
    remoteRead?: string[];
  }): Promise<Prometheus> {
    const dir = this.tempDir('prom');
    const ruleFiles = Object.entries(opts.ruleFiles ?? {}).map(([name, text]) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    });
    const interval = opts.interval ?? '1s';
    const config = {
      global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
      rule_files: ruleFiles,
      ...(opts.alertmanagerUrl ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(opts.alertmanagerUrl).host] }] }] } } : {}),
      ...(opts.remoteRead?.length ? { remote_read: opts.remoteRead.map((url) => ({ url, read_recent: true, remote_timeout: '2s' })) } : {}),
      scrape_configs: opts.targets.map((t) => ({
        job_name: t.job,
        ...(t.metricsPath ? { metrics_path: t.metricsPath } : {}),
        ...(t.honorLabels ? { honor_labels: true } : {}),
        static_configs: [{ targets: Array.isArray(t.target) ? t.target : [t.target] }],
      })),
    };
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, toYaml(config));
    return this.startPrometheusWithConfig(file, dir, opts.name);
  }

  /**
   * Prometheus with a config file as it is (rule_files resolve relative to it), checked by
   * `promtool check config` first; its data goes to `dataDir` (default: a temp dir); `extraArgs`
   * are added to its command line (e.g. `--query.lookback-delta=15s`).
   */
  async startPrometheusWithConfig(file: string, dataDir: string = this.tempDir('prom'), name = 'prometheus', extraArgs: string[] = []): Promise<Prometheus> {
    const bin = requireTool('prometheus');
    const dir = dataDir;
    const check = spawnSync(requireTool('promtool'), ['check', 'config', file], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`promtool check config failed:\n${check.stdout}${check.stderr}`);
    const port = await freePort();
    const proc = this.track(
      startProcess(name, bin, [
        `--config.file=${file}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${HOST}:${port}`,
        // Alerts reach Alertmanager quickly (default: resend at most every minute, 1m wait before the first).
        '--rules.alert.resend-delay=1s',
        '--rules.alert.for-grace-period=1s',
        ...extraArgs,
      ]),
    );
    const url = `http://${HOST}:${port}`;
    await waitFor('Prometheus', () => {
      if (proc.exited) throw new Error(`prometheus exited: ${proc.output()}`);
      return httpOk(`${url}/-/ready`);
    });
    return {
      url,
      port,
      async query(expr) {
        const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`, { signal: AbortSignal.timeout(5000) });
        const j = (await r.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
        if (j.status !== 'success') throw new Error(`query ${expr} failed: ${j.error}`);
        return j.data.result;
      },
      async alerts() {
        const r = await fetch(`${url}/api/v1/alerts`, { signal: AbortSignal.timeout(5000) });
        const j = (await r.json()) as { data: { alerts: { labels: Record<string, string>; state: string; annotations: Record<string, string> }[] } };
        return j.data.alerts;
      },
    };
  }

  /** An HTTP server recording Alertmanager webhook notifications. */
  async startWebhook(): Promise<Webhook> {
    const hook: Webhook = { url: '', alerts: [], notifications: [] };
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { receiver: string; status: string; alerts: Webhook['alerts'] };
          hook.notifications.push({ receiver: body.receiver, status: body.status, headers: req.headers });
          hook.alerts.push(...body.alerts);
        } catch {
          /* not a webhook payload: ignored, the test will not see it */
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, HOST, r));
    hook.url = `http://${HOST}:${(server.address() as AddressInfo).port}/`;
    this.closers.push(
      () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );
    return hook;
  }
}

/** The CLI under test (MIGOBS_BIN overrides bin/migobs.js, e.g. to try a separate build). */
export const CLI_BIN = process.env.MIGOBS_BIN ?? BIN;

export interface AsyncCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the built CLI without blocking the event loop (the servers a test runs in-process, such as
 * webhooks and the emitter, keep answering while it runs).
 */
export function migobsAsync(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<AsyncCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: opts.cwd ?? REPO, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}
