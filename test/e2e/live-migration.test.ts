/**
 * A live migration end to end, every component real and on 127.0.0.1:
 *
 *   PostgreSQL (initdb in a temp dir)  <- examples/backfill/backfill.mjs (emitter on /metrics, asks `migobs gate`)
 *   postgres_exporter (the shipped exporters/postgres/migration-queries.yaml) + the runner's /metrics  <- Prometheus (1 s scrape + rule evaluation,
 *   the generated rules.yaml)  -> Alertmanager (base config merged by `migobs alertmanager`) -> webhooks here.
 *
 * The induced conditions are real: a SHARE lock on `orders` blocks the backfill's UPDATE (a blocked
 * session: pause) and more blocked sessions push the gate past rollback; the blocked backfill makes
 * no progress (stalled). A row lock on `customers` blocks an "application" session without blocking
 * the backfill, which then throttles itself on the gate's answer. Stopping the exporter or Prometheus
 * must give `unknown` (exit 4).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAll } from '../../src/generate/index';
import { DIRS, FILES } from '../../src/generate/names';
import { loadConfig } from '../../src/load/config';
import { loadDefinitions } from '../../src/pipeline';
import type { ResolvedMigration } from '../../src/model/types';
import { toYaml } from '../../src/render/serialize';
import { REPO } from '../helpers/cli';
import { requireTool, runTool } from '../helpers/tools';
import { askGateUntil, type GateAnswer } from '../helpers/gate';
import { shippedDsnParameters, shippedText } from '../helpers/exporter-setup';
import { CLI_BIN, freePort, HOST, migobsAsync, Services, sleep, waitFor, type AsyncCliResult, type Postgres, type Prometheus, type Proc, type Webhook } from '../helpers/services';

const DEFINITION = join(__dirname, 'fixtures', 'e2e-backfill.yaml');
const QUERIES = shippedText('postgres', 'migration-queries.yaml');
const ORDERS = 200_000;
const ID = 'e2e-backfill';

describe('live migration: gate, alerts and the example backfill on real services', () => {
  const services = new Services();
  let db: Postgres;
  let prom: Prometheus;
  let amUrl = '';
  let notify: Webhook;
  let page: Webhook;
  let fallback: Webhook;
  let backfill: Proc;
  let configFile = '';
  let model: ResolvedMigration;
  let outDir = '';
  let docsUrl = '';
  const clients: pg.Client[] = [];

  const gate = (...extra: string[]): Promise<AsyncCliResult> =>
    migobsAsync(['--config', configFile, 'gate', DEFINITION, '--prometheus-url', prom.url, '--timeout', '3s', ...extra]);

  /**
   * Ask `migobs gate` until it exits with `code` and `also` holds for its answer (alerts and gates
   * need a few scrapes to settle).
   */
  const gateUntil = async (code: number, timeoutMs = 30_000, also: (answer: GateAnswer) => boolean = () => true): Promise<AsyncCliResult> => {
    const activity = (): string => db.psql("SELECT string_agg(pid || ' ' || state || ' ' || coalesce(wait_event_type, '-') || ' ' || left(query, 60), E'\\n') FROM pg_stat_activity WHERE datname = 'app'");
    const reply = await askGateUntil(() => gate('--json'), `migobs gate to exit ${code}`, (r) => r.result.code === code && r.answer !== undefined && also(r.answer), {
      timeoutMs,
      context: () => `pg_stat_activity:\n${activity()}\nbackfill:\n${backfill.output().slice(-3000)}`,
    });
    return reply.result;
  };

  const firing = (hook: Webhook, alertname: string, gateId?: string) =>
    hook.alerts.find((a) => a.status === 'firing' && a.labels.alertname === alertname && a.labels.migration_id === ID && (gateId === undefined || a.labels.gate === gateId));

  const rowsProcessed = async (): Promise<number> => Number((await prom.query(`migration_rows_processed_total{migration_id="${ID}"}`))[0]?.value[1] ?? NaN);

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: db.dsn('app'), application_name: 'e2e-app' });
    // The server going away at the end (admin shutdown) is expected, not an unhandled error.
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    try {
      // Database with the demo schema, created by the example itself.
      db = await services.startPostgres();
      db.psql('CREATE DATABASE app');
      const setup = await runNode(['examples/backfill/backfill.mjs', 'setup', '--database-url', db.dsn('app'), '--orders', String(ORDERS), '--customers', '1000']);
      expect(setup.code, setup.stderr).toBe(0);
      // lock_timeout keeps the exporter's own queries from queueing behind a test lock.
      const exporter = await services.startPostgresExporter(`${db.dsn('app')}${shippedDsnParameters('postgres')}`, QUERIES);

      // Repo config with absolute links: runbookBaseUrl is where <out>/docs is published, here a small static server.
      const docs = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        const m = /^\/runbooks\/([a-z0-9-]+)\/(runbook\.md)$/.exec(path);
        if (!m) return void res.writeHead(404).end();
        try {
          res.writeHead(200, { 'content-type': 'text/markdown' }).end(readFileSync(join(outDir, DIRS.docs, m[1]!, m[2]!)));
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((r) => docs.listen(0, HOST, r));
      docsUrl = `http://${HOST}:${(docs.address() as AddressInfo).port}`;
      const work = services.tempDir('e2e');
      configFile = join(work, 'migobs.config.yaml');
      writeFileSync(configFile, toYaml({ grafanaUrl: 'https://grafana.example.com', runbookBaseUrl: `${docsUrl}/runbooks` }));
      const { config, diagnostics } = loadConfig(configFile);
      expect(diagnostics).toEqual([]);
      const loaded = loadDefinitions([DEFINITION], config);
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      model = loaded.migrations[0]!.model;
      outDir = join(work, 'out');
      for (const f of generateAll([model])) {
        const file = join(outDir, f.path);
        mkdirSync(join(file, '..'), { recursive: true });
        writeFileSync(file, f.content);
      }
      const rules = readFileSync(join(outDir, FILES.rules(ID)), 'utf8');
      const check = runTool('promtool', ['check', 'rules', join(outDir, FILES.rules(ID))]);
      expect(check.code, check.stdout + check.stderr).toBe(0);

      // Alertmanager: a base config whose receivers are webhooks in this test, merged by migobs.
      notify = await services.startWebhook();
      page = await services.startWebhook();
      fallback = await services.startWebhook();
      const base = {
        route: { receiver: 'fallback', group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
        receivers: [
          { name: 'fallback', webhook_configs: [{ url: fallback.url, send_resolved: true }] },
          { name: 'e2e-notify', webhook_configs: [{ url: notify.url, send_resolved: true }] },
          { name: 'e2e-page', webhook_configs: [{ url: page.url, send_resolved: true }] },
        ],
      };
      const baseFile = join(work, 'alertmanager.base.yml');
      writeFileSync(baseFile, toYaml(base));
      const merged = await migobsAsync(['--config', configFile, 'alertmanager', '--base', baseFile, DEFINITION]);
      expect(merged.code, merged.stderr).toBe(0);
      const mergedFile = join(work, 'alertmanager.yml');
      writeFileSync(mergedFile, merged.stdout);
      const amCheck = runTool('amtool', ['check-config', mergedFile]);
      expect(amCheck.code, amCheck.stdout + amCheck.stderr).toBe(0);
      amUrl = (await services.startAlertmanager(merged.stdout)).url;

      // Prometheus scrapes the exporter and the runner (job = the definition's selector).
      const runnerPort = await freePort();
      prom = await services.startPrometheus({
        targets: [
          { job: 'postgres', target: exporter.target },
          { job: 'e2e-backfill', target: `${HOST}:${runnerPort}` },
        ],
        ruleFiles: { 'rules.yaml': rules },
        alertmanagerUrl: amUrl,
      });

      // The example backfill, gated by migobs between batches; no lock_timeout so a blocked batch stays blocked.
      backfill = services.start('backfill', process.execPath, [
        join(REPO, 'examples/backfill/backfill.mjs'), 'run',
        '--database-url', db.dsn('app'),
        '--definition', DEFINITION,
        '--prometheus-url', prom.url,
        '--metrics-port', String(runnerPort),
        '--batch-size', '100', '--canary-batch-size', '50', '--canary-rows', '500',
        '--sleep-ms', '100', '--gate-interval', '1', '--lock-timeout', '0',
      ], { cwd: REPO, env: { NO_COLOR: '1' } });
      docsServerClose = () => new Promise<void>((r) => docs.close(() => r()));
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 180_000);

  let docsServerClose: (() => Promise<void>) | undefined;
  afterAll(async () => {
    // Processes first: a client waiting on a lock would never finish a polite end().
    await services.stopAll();
    for (const c of clients) await Promise.race([c.end().catch(() => undefined), sleep(1000)]);
    await docsServerClose?.();
  });

  it('gate exits 0 while the backfill runs green, and the backfill makes progress', async () => {
    // The runner leaves preflight once `gate --phase canary` is green (fail-closed: 4 until every signal has data).
    await waitFor('the backfill to start its canary', async () => ((await prom.query(`migration_phase{migration_id="${ID}", phase=~"canary|ramp|full"} == 1`)).length ? true : undefined), 60_000);
    const green = await gateUntil(0);
    const answer = JSON.parse(green.stdout) as { phase: string; gates: { gate: string; state: string; value: number }[]; overall: { exitCode: number } };
    expect(['canary', 'ramp', 'full']).toContain(answer.phase);
    expect(answer.gates.map((g) => g.gate)).toContain('lock-waits');
    expect(answer.gates.every((g) => g.state === 'green')).toBe(true);
    expect(answer.gates.find((g) => g.gate === 'lock-waits')!.value).toBe(0);
    const before = await rowsProcessed();
    await waitFor('rows to move', async () => ((await rowsProcessed()) > before ? true : undefined), 20_000);
    // Text output: the table of the same answer.
    const text = await gate();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^lock-waits\s+0\s+> 0\s+> 2\s+green$/m);
  }, 90_000);

  it('watch shows progress, rate, ETA, phase and the gate table; one plain line per refresh; Ctrl-C exits 0', async () => {
    // --once exits like `gate`; a session that waits on a lock for a moment can make one refresh pause.
    const once = await waitFor('watch --once to say proceed', async () => {
      const r = await migobsAsync(['--config', configFile, 'watch', DEFINITION, '--prometheus-url', prom.url, '--once']);
      return r.code === 0 ? r : undefined;
    }, 20_000, 500);
    if (process.env.MIGOBS_CAPTURE_WATCH) writeFileSync(`${process.env.MIGOBS_CAPTURE_WATCH}.plain`, once.stdout);
    expect(once.stdout).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\dZ ${ID} phase=(canary|ramp|full) progress=\\d+\\.\\d% rows=\\d+/${ORDERS} rate=[\\d.]+/s eta=\\S+ throttled=no errors=0 gates: .*lock-waits=green\\(0\\).* -> PROCEED$`, 'm'));

    const watch = services.start('watch', process.execPath, [CLI_BIN, '--config', configFile, 'watch', DEFINITION, '--prometheus-url', prom.url, '--interval', '1s'], { cwd: REPO, env: { NO_COLOR: '1' } });
    await waitFor('three refreshes', () => (watch.output().split('\n').filter((l) => l.includes(` ${ID} phase=`)).length >= 3 ? true : undefined), 20_000);
    watch.child.kill('SIGINT');
    expect(await exitCode(watch)).toBe(0);
  }, 60_000);

  it('watch on a terminal redraws one frame in place (bar, numbers, gate table); Ctrl-C restores the cursor and exits 0', async () => {
    // `script` (util-linux) gives watch a real pseudo-terminal; typing ^C there sends SIGINT like a user would.
    // `exec`: script runs the command through $SHELL; dash (/bin/sh, the usual CI shell) would stay as
    // watch's parent in the same process group, take the same SIGINT, die of it and report 130.
    const command = ['exec', ...[process.execPath, CLI_BIN, '--config', configFile, 'watch', DEFINITION, '--prometheus-url', prom.url, '--interval', '1s'].map(shellQuote)].join(' ');
    const term = services.start('watch-tty', requireTool('script'), ['-qfec', command, '/dev/null'], { cwd: REPO, env: { NO_COLOR: '1', FORCE_COLOR: '', SHELL: '/bin/sh' }, stdin: 'pipe' });
    const CLEAR = '\u001b[0J';
    const greenRow = /^lock-waits +0 +> 0 +> 2 +green$/m;
    const plain = (f: string): string => f.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
    // Complete frames: every part before the last clear-to-end (the last one may still be drawing).
    const frames = (): string[] => term.output().split(CLEAR).slice(0, -1).map(plain);
    await waitFor('two frames drawn in place, one of them green', () => (frames().length >= 2 && frames().some((f) => greenRow.test(f)) ? true : undefined), 20_000);
    term.child.stdin!.write('\u0003');
    expect(await exitCode(term)).toBe(0);
    const raw = term.output();
    expect(raw.startsWith('\u001b[?25l')).toBe(true); // cursor hidden while drawing ...
    expect(raw).toContain('\u001b[?25h'); // ... and shown again on exit
    // The last complete green frame, as the terminal shows it (the final one may be cut by ^C).
    const screen = [...frames()].reverse().find((f) => greenRow.test(f))!;
    expect(screen).toMatch(new RegExp(`^migobs watch ${ID} — `));
    expect(screen).toMatch(/^[█░]{30} +\d+\.\d% \| \d+\/200000 rows \| [\d.]+ rows\/s \| ETA \S+ \| phase (canary|ramp|full)$/m);
    expect(screen).toMatch(/^gate +value +pause +rollback +state$/m);
    expect(screen).toMatch(/^lock-waits +0 +> 0 +> 2 +green$/m);
    if (process.env.MIGOBS_CAPTURE_WATCH) writeFileSync(process.env.MIGOBS_CAPTURE_WATCH, screen);
  }, 60_000);

  let tableLock: pg.Client;
  it('a lock held on the table blocks the backfill: gate exits 2 and the pause alert reaches the notify webhook with working links', async () => {
    tableLock = await connect();
    await tableLock.query('BEGIN');
    await tableLock.query('LOCK TABLE orders IN SHARE MODE'); // readers pass, writers (the backfill) wait
    const paused = await gateUntil(2);
    const lockGate = (JSON.parse(paused.stdout) as { gates: { gate: string; state: string; value: number }[] }).gates.find((g) => g.gate === 'lock-waits')!;
    expect(lockGate).toMatchObject({ state: 'pause', value: 1 });

    const alert = await waitFor('MigrationGatePause at the notify webhook', () => firing(notify, 'MigrationGatePause', 'lock-waits'), 30_000);
    expect(alert.labels).toMatchObject({ severity: 'warning', action: 'pause', migration_id: ID, gate: 'lock-waits' });
    expect(firing(page, 'MigrationGatePause', 'lock-waits')).toBeUndefined();
    // runbook_url: fetched over HTTP; the gate's anchor is in the runbook.
    expect(alert.annotations.runbook_url).toBe(`${docsUrl}/runbooks/${ID}/runbook.md#gate-lock-waits`);
    const runbook = await fetch(alert.annotations.runbook_url!);
    expect(runbook.status).toBe(200);
    expect(await runbook.text()).toContain('<a id="gate-lock-waits"></a>');
    // dashboard_url: the dashboard's uid and one of its panels.
    const url = new URL(alert.annotations.dashboard_url!);
    expect(`${url.origin}${url.pathname}`).toBe(`https://grafana.example.com/d/${ID}`);
    const dashboard = JSON.parse(readFileSync(join(outDir, FILES.dashboard(ID)), 'utf8')) as { uid: string; panels: { id: number; panels?: { id: number }[] }[] };
    expect(dashboard.uid).toBe(ID);
    const panelIds = dashboard.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((c) => c.id)]);
    expect(panelIds).toContain(Number(url.searchParams.get('viewPanel')));
  }, 60_000);

  const waiters: Promise<unknown>[] = [];
  it('more blocked sessions pass rollback: gate exits 3, the rollback alert pages and inhibits the pause alert', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await connect();
      waiters.push(c.query('UPDATE orders SET amount = amount WHERE id = $1', [i + 1]).catch(() => undefined));
    }
    // Rollback (> 2) is already reached at 3 blocked sessions: wait until all 4 are blocked and
    // scraped, so the value checked is the one this step caused, not a scrape taken half-way.
    const rollback = await gateUntil(3, 30_000, (a) => a.gates.find((g) => g.gate === 'lock-waits')?.value === 4);
    expect((JSON.parse(rollback.stdout) as { gates: { gate: string; state: string; value: number }[] }).gates.find((g) => g.gate === 'lock-waits')).toMatchObject({ state: 'rollback', value: 4 });
    const alert = await waitFor('MigrationGateRollback at the page webhook', () => firing(page, 'MigrationGateRollback', 'lock-waits'), 40_000);
    expect(alert.labels).toMatchObject({ severity: 'critical', action: 'rollback' });
    expect(alert.annotations.runbook_url).toMatch(/#gate-lock-waits$/);
    // Alertmanager keeps the pause alert of the same gate, suppressed by the rollback.
    const suppressed = await waitFor('the pause alert to be inhibited', async () => {
      const r = await fetch(`${amUrl}/api/v2/alerts?${new URLSearchParams([['filter', 'alertname="MigrationGatePause"'], ['filter', 'gate="lock-waits"']])}`);
      const alerts = (await r.json()) as { status: { state: string; inhibitedBy: string[] } }[];
      return alerts.length === 1 && alerts[0]!.status.state === 'suppressed' ? alerts[0] : undefined;
    }, 20_000);
    expect(suppressed.status.inhibitedBy.length).toBeGreaterThan(0);
  }, 90_000);

  it('the blocked backfill makes no progress: MigrationStalled fires and pages', async () => {
    // stalledAfter (1m, the schema minimum) plus the alert's hold (1m) after the lock was taken.
    const alert = await waitFor('MigrationStalled', () => firing(page, 'MigrationStalled'), 150_000, 1000);
    expect(alert.labels).toMatchObject({ migration_id: ID, severity: 'critical' });
    expect(alert.annotations.runbook_url).toBe(`${docsUrl}/runbooks/${ID}/runbook.md#stalled`);
  }, 160_000);

  it('released locks: the backfill resumes; an app-side lock wait makes it throttle itself on the gate, and resume after', async () => {
    // Cancel the extra waiters first and let Prometheus see it: released straight from rollback,
    // the backfill's next gate question could still read the last rollback sample and stop.
    db.psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'e2e-app' AND wait_event_type = 'Lock'", 'app');
    await Promise.all(waiters);
    await gateUntil(2);
    await tableLock.query('ROLLBACK');
    await gateUntil(0);
    const resumedFrom = await rowsProcessed();
    await waitFor('the backfill to resume', async () => ((await rowsProcessed()) > resumedFrom ? true : undefined), 20_000);

    // An application session waits on a customers row lock: the backfill is not blocked, but the gate pauses.
    const holder = await connect();
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM customers WHERE id = 1 FOR UPDATE');
    const app = await connect();
    const logFrom = backfill.output().length;
    const appWait = app.query("UPDATE customers SET region = 'eu' WHERE id = 1").catch(() => undefined);
    await gateUntil(2);
    // The runner asks its gate once a second and may still finish the batches it started on an
    // earlier green answer; what matters is that it then holds: no rows for 3 s while throttled.
    const throttled = async (): Promise<boolean> => (await prom.query(`migration_throttled{migration_id="${ID}"} == 1`)).length > 0;
    const held = await waitFor('the backfill to hold: throttled, and no rows for 3 s', async () => {
      const before = await rowsProcessed();
      if (!(await throttled())) return undefined;
      await sleep(3000);
      const after = await rowsProcessed();
      return after === before && (await throttled()) ? after : undefined;
    }, 30_000, 0);
    expect(held).toBeLessThan(ORDERS); // holding, not finished
    expect(backfill.output().slice(logFrom)).toMatch(/gate says PAUSE/);

    await holder.query('ROLLBACK');
    await appWait;
    await waitFor('the backfill to resume after the gate turns green', async () => ((await rowsProcessed()) > held ? true : undefined), 20_000);
    expect((await prom.query(`migration_throttled{migration_id="${ID}"}`))[0]?.value[1]).toBe('0');
  }, 90_000);

  it('past rollback while running, the backfill stops itself (exit 3); without its metrics the phase is unknown (exit 4)', async () => {
    const holder = await connect();
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM customers WHERE id = 2 FOR UPDATE');
    const appWaits: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) appWaits.push((await connect()).query("UPDATE customers SET region = 'us' WHERE id = 2").catch(() => undefined));
    // The runner asks its own gate every second and stops at once on rollback; its series then go
    // stale, so asking `gate` here could miss the short window. Its exit code, its log and the gate
    // value Prometheus recorded (the generated recording rule) show what it saw.
    expect(await Promise.race([exitCode(backfill), sleep(40_000).then(() => 'still running')])).toBe(3);
    expect(backfill.output()).toMatch(/gate says ROLLBACK/);
    const recorded = await prom.query(`max_over_time(migration:gate_signal:value{migration_id="${ID}", gate="lock-waits"}[1m])`);
    expect(Number(recorded[0]?.value[1])).toBeGreaterThan(2); // past the rollback threshold (> 2)
    await holder.query('ROLLBACK');
    await Promise.all(appWaits);
    // The runner's series go stale: no current phase, which is unknown, never proceed.
    const r = await gateUntil(4);
    expect(JSON.parse(r.stdout).overall.reason).toMatch(/current phase unknown: no migration_phase series/);
  }, 60_000);

  it('exporter stopped: the lock-wait gate has no data -> exit 4 with the reason on stderr', async () => {
    await services.proc('postgres_exporter').stop();
    const r = await waitFor('gate --gate lock-waits to exit 4', async () => {
      const x = await gate('--gate', 'lock-waits', '--json');
      return x.code === 4 ? x : undefined;
    }, 30_000, 500);
    const lockGate = (JSON.parse(r.stdout) as { gates: { gate: string; state: string; reason: string }[] }).gates.find((g) => g.gate === 'lock-waits')!;
    expect(lockGate.state).toBe('unknown');
    expect(lockGate.reason).toMatch(/no data: signal lockWaitSessions returned an empty result/);
    expect(r.stderr).toMatch(/gate lock-waits unknown: no data/);
  }, 60_000);

  it('Prometheus stopped: exit 4, never proceed', async () => {
    await services.proc('prometheus').stop();
    const r = await gate();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot reach Prometheus/);
    expect(r.stdout).toMatch(/UNKNOWN/);
  }, 30_000);
});

function exitCode(p: Proc): Promise<number | null> {
  return new Promise((r) => (p.exited ? r(p.child.exitCode) : p.child.once('exit', (c) => r(c))));
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run a node script from the repo root, without blocking the event loop. */
function runNode(args: string[]): Promise<AsyncCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
