/**
 * Every signal of the engine libraries (presets/engines/*.yaml) returns a finite value from the
 * exporter setup its `requires` names, evaluated by a real Prometheus, and the signals that need
 * more than the exporter's defaults return nothing without that setup (so `requires` is true).
 *
 * Sources, each scraped as its own job (the signal is scoped to it by injecting `job="<source>"`):
 * - `pg-*`, `mysql-*`: the raw /metrics captures in test/fixtures/exporter-captures, taken from Debian's
 *   postgres_exporter 0.11.1 and mysqld_exporter 0.14.0 on PostgreSQL 15 and MariaDB 10.11
 *   primary/replica pairs under write load with lock waits and open transactions (see its
 *   README.md), served as they are by this test. Running MariaDB here as well would add little:
 *   the captures are what those exporters print, and the replica variants need a replication pair.
 * - `node`: a real prometheus-node-exporter started by this test.
 * - `emitter`: the migobs emitter (MigrationMetrics) after a few batches.
 * - `app`: an application instrumented with prom-client under the conventional HTTP metric names
 *   the app signals assume (`http_requests_total{code}`, `http_request_duration_seconds`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Counter, Histogram, Registry } from 'prom-client';
import { MigrationMetrics } from '../../src/emitter/index';
import { engineSignals } from '../../src/presets/load';
import { injectMatchers, parsePromql } from '../../src/promql/parse';
import { REPO } from '../helpers/cli';
import { freePort, HOST, Services, waitFor, type Prometheus } from '../helpers/services';
import { requireTool } from '../helpers/tools';

const CAPTURES = join(REPO, 'test', 'fixtures', 'exporter-captures');
const CAPTURE_FILES: Record<string, string> = {
  'pg-primary': 'postgres_exporter-0.11.1-primary.sample.prom',
  'pg-primary-extend': 'postgres_exporter-0.11.1-primary-extend.sample.prom',
  'pg-primary-custom': 'postgres_exporter-0.11.1-primary-custom.sample.prom',
  'pg-replica': 'postgres_exporter-0.11.1-replica.sample.prom',
  'pg-replica-custom': 'postgres_exporter-0.11.1-replica-custom.sample.prom',
  'mysql-primary': 'mysqld_exporter-0.14.0-primary.sample.prom',
  'mysql-primary-extra': 'mysqld_exporter-0.14.0-primary-extra.sample.prom',
  'mysql-replica': 'mysqld_exporter-0.14.0-replica.sample.prom',
  'mysql-replica-extra': 'mysqld_exporter-0.14.0-replica-extra.sample.prom',
};
type Source = keyof typeof CAPTURE_FILES | 'node' | 'emitter' | 'app';

interface Expectation {
  /** Sources with the setup `requires` names: the signal must return a finite value from each. */
  from: Source[];
  /** The same exporter without that setup: the signal must return nothing there. */
  notFrom?: Source[];
}

const EMITTER: Expectation = { from: ['emitter'] };
const APP: Expectation = { from: ['app'] };
const NODE: Expectation = { from: ['node'] };
/** Signals every engine library shares (the generic ones). */
const SHARED: Record<string, Expectation> = {
  migrationLag: EMITTER,
  batchErrorRatio: EMITTER,
  batchDurationP95: EMITTER,
  mismatchRatio: EMITTER,
  rowsPerSecond: EMITTER,
  throttled: EMITTER,
  secondsSinceProgress: EMITTER,
  diskFreeRatio: NODE,
  cpuUtilization: NODE,
  appErrorRatio: APP,
  appLatencyP99: APP,
};

/** Per engine and signal, where it must (and must not) return data. Every signal must be listed. */
const EXPECT: Record<'postgres' | 'mysql' | 'generic', Record<string, Expectation>> = {
  postgres: {
    ...SHARED,
    // exporters/postgres/migration-queries.yaml (the -custom captures), on the primary (pg_stat_replication is empty on a standby).
    replicationLag: { from: ['pg-primary-custom'], notFrom: ['pg-primary', 'pg-replica-custom'] },
    walBytesRate: { from: ['pg-primary-custom'], notFrom: ['pg-primary'] },
    lockWaitSessions: { from: ['pg-primary-custom'], notFrom: ['pg-primary'] },
    lockWaitSeconds: { from: ['pg-primary-custom'], notFrom: ['pg-primary'] },
    // The pg_stat_user_tables query (in exporters/postgres/migration-queries.yaml; the -extend captures).
    deadTupleRatio: { from: ['pg-primary-extend'], notFrom: ['pg-primary'] },
    // Defaults, on the primary.
    replicationLagBytes: { from: ['pg-primary'], notFrom: ['pg-replica'] },
    replicationSlotLagBytes: { from: ['pg-primary'], notFrom: ['pg-replica'] },
    // Defaults, anywhere.
    accessExclusiveLocks: { from: ['pg-primary', 'pg-replica'] },
    connectionsRatio: { from: ['pg-primary', 'pg-replica'] },
    activeSessions: { from: ['pg-primary', 'pg-replica'] },
    deadlocksRate: { from: ['pg-primary', 'pg-replica'] },
    longestTransactionSeconds: { from: ['pg-primary', 'pg-replica'] },
  },
  mysql: {
    ...SHARED,
    // --collect.heartbeat on the replica (pt-heartbeat layout table written on the primary).
    replicationLag: { from: ['mysql-replica-extra'], notFrom: ['mysql-replica'] },
    // Default slave_status collector, on a replica.
    replicationLagSecondsBehind: { from: ['mysql-replica'], notFrom: ['mysql-primary'] },
    replicationThreadsRunning: { from: ['mysql-replica'], notFrom: ['mysql-primary'] },
    // --collect.info_schema.processlist.
    lockWaitSessions: { from: ['mysql-primary-extra'], notFrom: ['mysql-primary'] },
    lockWaitSeconds: { from: ['mysql-primary-extra'], notFrom: ['mysql-primary'] },
    longestTransactionSeconds: { from: ['mysql-primary-extra'], notFrom: ['mysql-primary'] },
    // Defaults on MariaDB.
    connectionsRatio: { from: ['mysql-primary', 'mysql-replica'] },
    activeSessions: { from: ['mysql-primary', 'mysql-replica'] },
    deadlocksRate: { from: ['mysql-primary'] },
    historyListLength: { from: ['mysql-primary', 'mysql-replica'] },
    binlogBytesRate: { from: ['mysql-primary'] },
  },
  generic: {
    ...SHARED,
    // The generic library's replication lag is the runner's own (migration_lag_seconds).
    replicationLag: EMITTER,
  },
};

const cases = (Object.keys(EXPECT) as Array<keyof typeof EXPECT>).flatMap((engine) =>
  Object.entries(engineSignals(engine)).map(([name, s]) => ({ engine, name, expr: s.expr })),
);

/** The signal, scoped to one source's job. */
const scoped = (expr: string, source: Source): string => injectMatchers(parsePromql(expr), () => true, [{ name: 'job', op: '=', value: source }]);

describe('engine signals return data from the exporter setup they name (real Prometheus)', () => {
  const services = new Services();
  const closers: Array<() => Promise<void>> = [];
  const listen = async (server: Server): Promise<string> => {
    await new Promise<void>((r) => server.listen(0, HOST, r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    return `${HOST}:${(server.address() as AddressInfo).port}`;
  };
  let prom: Prometheus;
  let emitter: MigrationMetrics;

  beforeAll(async () => {
    try {
      // The captures, served as they are.
      const captures = createServer((req, res) => {
        const file = CAPTURE_FILES[(req.url ?? '').replace(/^\/|\/metrics$/g, '')];
        if (!file) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(readFileSync(join(CAPTURES, file)));
      });
      const capturesTarget = await listen(captures);

      // A real node_exporter, default collectors.
      const nodePort = await freePort();
      const node = services.start('node_exporter', requireTool('prometheus-node-exporter'), [`--web.listen-address=${HOST}:${nodePort}`]);
      await waitFor('node_exporter /metrics', async () => {
        if (node.exited) throw new Error(`node_exporter exited: ${node.output()}`);
        const r = await fetch(`http://${HOST}:${nodePort}/metrics`, { signal: AbortSignal.timeout(5000) });
        return r.ok && /^node_filesystem_avail_bytes\{/m.test(await r.text()) ? true : undefined;
      });

      // The migobs emitter of a runner that has done some work.
      emitter = new MigrationMetrics({ migrationId: 'engine-signals', phases: ['canary'], phase: 'canary', rowsTotal: 10_000 });
      for (let i = 0; i < 5; i++) emitter.recordBatch({ rows: 100, durationSeconds: 0.2 + i / 10 });
      emitter.recordVerification({ verified: 50, mismatched: 0 });
      emitter.setLag(1.5);
      const emitterPort = await freePort();
      const served = await emitter.serve(emitterPort, HOST);
      closers.push(() => served.close());

      // An application with the conventional HTTP metrics, via prom-client.
      const registry = new Registry();
      const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests.', labelNames: ['code'] as const, registers: [registry] });
      const latency = new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP latency.', registers: [registry] });
      const app = createServer((req, res) => {
        // Each scrape is one more minute of traffic: the counters move, so rate() has a slope.
        requests.inc({ code: '200' }, 990);
        requests.inc({ code: '503' }, 10);
        for (let i = 0; i < 10; i++) latency.observe(0.05 + i / 100);
        void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
      });
      const appTarget = await listen(app);

      prom = await services.startPrometheus({
        targets: [
          ...Object.keys(CAPTURE_FILES).map((job) => ({ job, target: capturesTarget, metricsPath: `/${job}/metrics` })),
          { job: 'node', target: `${HOST}:${nodePort}` },
          { job: 'emitter', target: `${HOST}:${emitterPort}` },
          { job: 'app', target: appTarget },
        ],
      });
      // rate()/increase() need two samples of every target.
      await waitFor('two scrapes of every source', async () => {
        const r = await prom.query('count_over_time(up[1m]) >= 3');
        return r.length === Object.keys(CAPTURE_FILES).length + 3 ? true : undefined;
      }, 30_000, 500);
      const down = await prom.query('up == 0');
      expect(down.map((s) => s.metric.job)).toEqual([]);
    } catch (e) {
      await services.stopAll();
      for (const close of closers) await close();
      throw e;
    }
  }, 60_000);

  afterAll(async () => {
    await services.stopAll();
    for (const close of closers) await close();
  });

  it('lists every signal of every engine library', () => {
    for (const { engine, name } of cases) expect(EXPECT[engine][name], `${engine}.${name}: add it to EXPECT`).toBeDefined();
    for (const engine of Object.keys(EXPECT) as Array<keyof typeof EXPECT>) {
      expect(Object.keys(EXPECT[engine]).sort()).toEqual(Object.keys(engineSignals(engine)).sort());
    }
  });

  it.each(cases)('$engine signal $name', async ({ engine, name, expr }) => {
    const want = EXPECT[engine][name]!;
    for (const source of want.from) {
      const result = await prom.query(scoped(expr, source));
      expect(result.length, `${engine}.${name} from ${source}: ${scoped(expr, source)}`).toBeGreaterThan(0);
      for (const s of result) expect(Number.isFinite(Number(s.value[1])), `${engine}.${name} from ${source} = ${s.value[1]}`).toBe(true);
    }
    for (const source of want.notFrom ?? []) {
      const result = await prom.query(scoped(expr, source));
      expect(result, `${engine}.${name} should need more than ${source} has`).toEqual([]);
    }
  });
});
