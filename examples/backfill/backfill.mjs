#!/usr/bin/env node
// A real batched backfill on PostgreSQL, observable through the migobs metric contract and
// throttled by `migobs gate`:
//
//   UPDATE orders SET region = customers.region  -- in keyset chunks of --batch-size rows
//
// It walks the phases of its definition (preflight -> canary -> ramp -> full -> verify -> closeout),
// exposes /metrics with the migobs emitter, and asks `migobs gate <definition>` between batches:
//   exit 0 proceed | 2 pause or 4 unknown: throttle (halve the batch, wait, ask again) | 3 rollback: stop.
//
//   node backfill.mjs setup --database-url postgres://... [--orders 100000] [--customers 1000]
//   node backfill.mjs run   --database-url postgres://... --definition orders-region-backfill.local.yaml \
//                           --prometheus-url http://127.0.0.1:9090 [--metrics-port 9464] [--batch-size 1000]
//
// See README.md in this folder. Exit codes of `run`: 0 done, 3 stopped by a rollback gate,
// 1 error, 130 interrupted (Ctrl-C / SIGTERM, after the batch in flight).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { MigrationMetrics } from 'migration-observability/emitter';
import { loadDefinitions } from 'migration-observability';

const require = createRequire(import.meta.url);
const MIGOBS_BIN = process.env.MIGOBS_BIN ?? join(dirname(require.resolve('migration-observability/package.json')), 'bin', 'migobs.js');

const { positionals, values: opt } = parseArgs({
  allowPositionals: true,
  options: {
    'database-url': { type: 'string', default: process.env.DATABASE_URL },
    definition: { type: 'string' },
    'prometheus-url': { type: 'string', default: process.env.MIGOBS_PROMETHEUS_URL },
    'metrics-port': { type: 'string', default: '9464' },
    'metrics-host': { type: 'string', default: '127.0.0.1' },
    'batch-size': { type: 'string', default: '1000' },
    'canary-batch-size': { type: 'string', default: '100' },
    'canary-rows': { type: 'string', default: '2000' },
    'ramp-until': { type: 'string', default: '0.2' },
    'sleep-ms': { type: 'string', default: '50' },
    'gate-interval': { type: 'string', default: '5' },
    'lock-timeout': { type: 'string', default: '2s' },
    'verify-sample': { type: 'string', default: '1000' },
    linger: { type: 'string', default: '0' },
    'finish-wait': { type: 'string', default: '60' },
    orders: { type: 'string', default: '100000' },
    customers: { type: 'string', default: '1000' },
  },
});

const log = (msg) => process.stderr.write(`${new Date().toISOString()} backfill: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const int = (name) => {
  const n = Number(opt[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0`);
  return n;
};

async function connect() {
  if (!opt['database-url']) throw new Error('--database-url (or DATABASE_URL) is required');
  const client = new pg.Client({ connectionString: opt['database-url'], application_name: 'orders-region-backfill' });
  await client.connect();
  return client;
}

/** Demo schema: customers with a region, orders whose region is to be backfilled from their customer. */
async function setup() {
  const db = await connect();
  try {
    await db.query('DROP TABLE IF EXISTS orders, customers');
    await db.query('CREATE TABLE customers (id bigint PRIMARY KEY, region text NOT NULL)');
    await db.query('CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, amount numeric NOT NULL, region text)');
    await db.query(`INSERT INTO customers SELECT g, (ARRAY['eu','us','apac','latam'])[1 + g % 4] FROM generate_series(1, $1::bigint) g`, [int('customers')]);
    await db.query('INSERT INTO orders (id, customer_id, amount) SELECT g, 1 + g % $2::bigint, (g % 997) / 10.0 FROM generate_series(1, $1::bigint) g', [int('orders'), int('customers')]);
    await db.query('ANALYZE customers, orders');
    log(`created customers (${opt.customers}) and orders (${opt.orders}, region NULL)`);
  } finally {
    await db.end();
  }
}

/** One keyset chunk: the next `size` ids after `afterId`; sets region where it differs. */
const BATCH_SQL = `
WITH chunk AS (SELECT id FROM orders WHERE id > $1 ORDER BY id LIMIT $2),
     upd AS (UPDATE orders o SET region = c.region
               FROM chunk, customers c
              WHERE o.id = chunk.id AND c.id = o.customer_id AND o.region IS DISTINCT FROM c.region
          RETURNING o.id)
SELECT (SELECT count(*) FROM chunk)::int AS scanned,
       (SELECT max(id) FROM chunk) AS last_id,
       (SELECT count(*) FROM upd)::int AS updated`;

/** Sampled correctness: rows in (lo, hi] whose region differs from their customer's. */
const VERIFY_RANGE_SQL = `
SELECT count(*)::int AS verified, count(*) FILTER (WHERE o.region IS DISTINCT FROM c.region)::int AS mismatched
  FROM orders o JOIN customers c ON c.id = o.customer_id
 WHERE o.id > $1 AND o.id <= $2`;
const VERIFY_SAMPLE_SQL = `
SELECT count(*)::int AS verified, count(*) FILTER (WHERE o.region IS DISTINCT FROM c.region)::int AS mismatched
  FROM (SELECT * FROM orders ORDER BY random() LIMIT $1) o JOIN customers c ON c.id = o.customer_id`;

/** Ask `migobs gate`. Returns its exit code (0 proceed, 2 pause, 3 rollback, 4 unknown, 1 error). */
function askGate(extra = []) {
  return new Promise((resolve) => {
    const args = [MIGOBS_BIN, 'gate', opt.definition, '--prometheus-url', opt['prometheus-url'], '--timeout', '5s', '--json', ...extra];
    execFile(process.execPath, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 4) : 0;
      let overall;
      try {
        overall = JSON.parse(stdout).overall;
      } catch {
        overall = undefined;
      }
      if (code !== 0) log(`gate says ${overall?.action ?? `exit ${code}`}${stderr.trim() ? `: ${stderr.trim().replace(/\n/g, ' | ')}` : ''}`);
      resolve(code);
    });
  });
}

async function run() {
  if (!opt.definition) throw new Error('--definition is required (the migobs definition of this migration)');
  const loaded = loadDefinitions([opt.definition]);
  if (!loaded.ok) throw new Error(`${opt.definition} is not valid:\n${loaded.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n')}`);
  const model = loaded.migrations[0].model;
  const gated = Boolean(opt['prometheus-url']);
  if (!gated) log('no --prometheus-url: running WITHOUT gates (demo only)');

  // Three lines make the runner observable: create, serve, report.
  const metrics = new MigrationMetrics({ migrationId: model.id, type: model.type, owner: model.owner, phases: model.phases.map((p) => p.id), phase: 'preflight' });
  const server = await metrics.serve(int('metrics-port'), opt['metrics-host']);
  log(`metrics of ${model.id} on ${server.url}`);

  let stopping = false;
  const onSignal = () => {
    if (!stopping) log('stopping after the batch in flight');
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const db = await connect();
  // A blocked batch gives up after lock_timeout instead of queueing the application behind it.
  await db.query(`SET lock_timeout = ${pg.escapeLiteral(opt['lock-timeout'])}`);
  let exitCode = 0;
  try {
    const { rows: [{ n }] } = await db.query('SELECT count(*)::bigint AS n FROM orders');
    const total = Number(n);
    metrics.setRowsTotal(total);
    log(`${total} orders to backfill`);

    const canaryRows = int('canary-rows');
    const rampUntil = Number(opt['ramp-until']) * total;
    const target = int('batch-size');
    let batchSize = int('canary-batch-size');
    const gateIntervalMs = int('gate-interval') * 1000;
    let lastGate = 0;
    /** Between batches: ask the gate (at most every --gate-interval) and hold while it is not 0. */
    const gate = async (phase) => {
      if (!gated) return 0;
      for (;;) {
        if (stopping) return 0;
        if (Date.now() - lastGate < gateIntervalMs) return 0;
        const code = await askGate(phase ? ['--phase', phase] : []);
        lastGate = Date.now();
        if (code === 0) {
          metrics.setThrottled(false);
          return 0;
        }
        if (code === 3) return 3;
        if (code === 1) throw new Error('migobs gate failed with a usage/definition error (exit 1)');
        metrics.setThrottled(true); // 2 pause, 4 unknown: hold, never proceed blind
        batchSize = Math.max(10, Math.floor(batchSize / 2));
        await sleep(gateIntervalMs);
        lastGate = 0;
      }
    };

    // Preflight: nothing is written until the canary gates are green.
    if ((await gate('canary')) === 3) throw Object.assign(new Error('rollback gate before the start'), { exitCode: 3 });

    let afterId = 0;
    let processed = 0;
    let batches = 0;
    const phaseFor = (done) => (done < canaryRows ? 'canary' : done < rampUntil ? 'ramp' : 'full');
    let phase = phaseFor(0);
    metrics.startPhase(phase);
    log(`phase ${phase}`);

    while (!stopping) {
      if ((await gate()) === 3) {
        exitCode = 3;
        break;
      }
      if (stopping) break;
      const started = process.hrtime.bigint();
      let result;
      try {
        result = (await db.query(BATCH_SQL, [afterId, batchSize])).rows[0];
      } catch (e) {
        metrics.recordBatch({ rows: 0, durationSeconds: Number(process.hrtime.bigint() - started) / 1e9, outcome: 'error' });
        log(`batch after id ${afterId} failed (${e.code ?? ''} ${e.message}); retrying`);
        await sleep(Math.max(500, int('sleep-ms')));
        continue;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (result.scanned === 0) break;
      metrics.recordBatch({ rows: result.scanned, durationSeconds: seconds });
      const from = afterId;
      afterId = Number(result.last_id);
      processed += result.scanned;
      batches++;
      // Every 10th batch: re-read the chunk just written and compare with the source of truth.
      if (batches % 10 === 0) metrics.recordVerification((await db.query(VERIFY_RANGE_SQL, [from, afterId])).rows[0]);
      const next = phaseFor(processed);
      if (next !== phase) {
        phase = next;
        metrics.startPhase(phase);
        log(`phase ${phase} at ${processed}/${total} rows`);
      }
      // Ramp: grow the batch at most 2x per step while the gates stay green.
      if (phase !== 'canary' && batchSize < target) batchSize = Math.min(target, batchSize * 2);
      await sleep(int('sleep-ms'));
    }

    if (exitCode === 3) {
      metrics.setThrottled(true);
      log('ROLLBACK gate: stopped. Follow the rollback procedure in the runbook (the written regions are correct; stopping is the rollback).');
    } else if (!stopping) {
      metrics.startPhase('verify');
      const sample = (await db.query(VERIFY_SAMPLE_SQL, [int('verify-sample')])).rows[0];
      metrics.recordVerification(sample);
      const { rows: [{ missing }] } = await db.query('SELECT count(*)::int AS missing FROM orders WHERE region IS NULL');
      log(`verify: ${sample.mismatched}/${sample.verified} sampled rows differ, ${missing} rows still NULL`);
      if (sample.mismatched === 0 && missing === 0) {
        metrics.startPhase('closeout');
        // The run is over: every migobs alert of the migration stops, now and once this process is gone.
        metrics.finish();
        log(`done: ${processed} rows in ${batches} batches`);
      } else {
        exitCode = 1;
      }
    } else {
      exitCode = 130;
    }
    // Prometheus must see migration_finished 1 before the endpoint goes away, or the vanished
    // runner looks crashed (MigrationMetricsAbsent).
    if (metrics.isFinished && gated && !(await server.waitForScrape(int('finish-wait') * 1000))) {
      log(`no scrape within --finish-wait ${opt['finish-wait']}s: Prometheus may not have seen the finish (expect MigrationMetricsAbsent)`);
    }
    // Give Prometheus a last scrape of the final state before the endpoint goes away.
    if (int('linger') > 0 && !stopping) await sleep(int('linger') * 1000);
  } finally {
    await db.end().catch(() => undefined);
    await server.close();
  }
  return exitCode;
}

const command = positionals[0] ?? 'run';
const main = command === 'setup' ? setup().then(() => 0) : command === 'run' ? run() : Promise.reject(new Error(`unknown command ${command}: use setup or run`));
main.then(
  (code) => process.exit(code),
  (e) => {
    log(e.message);
    process.exit(e.exitCode ?? 1);
  },
);
