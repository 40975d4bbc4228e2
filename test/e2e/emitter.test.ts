/**
 * The emitter exposes exactly the metric contract of docs/emitter.md, and real Prometheus reads it both ways a
 * runner can publish it: scraping `serve()` and scraping a real Pushgateway after `push()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC, MigrationMetrics } from '../../src/emitter/index';
import { runTool } from '../helpers/tools';
import { Services, waitFor, type Prometheus } from '../helpers/services';

/** The metric contract (docs/emitter.md "What it exposes"): name -> Prometheus type. */
const CONTRACT: Record<string, string> = {
  migration_rows_processed_total: 'counter',
  migration_rows_total: 'gauge',
  migration_batches_total: 'counter',
  migration_batch_duration_seconds: 'histogram',
  migration_errors_total: 'counter',
  migration_phase: 'gauge',
  migration_throttled: 'gauge',
  migration_lag_seconds: 'gauge',
  migration_rows_verified_total: 'counter',
  migration_rows_mismatched_total: 'counter',
  migration_last_progress_timestamp_seconds: 'gauge',
  migration_info: 'gauge',
  migration_finished: 'gauge',
};

/** Sample lines of an exposition: [name, labels, value]. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`unparsable sample line: ${l}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

const value = (text: string, name: string, labels: Record<string, string> = {}): number | undefined =>
  samples(text).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('MigrationMetrics exposition', () => {
  let clock = 1_700_000_000_000;
  const m = new MigrationMetrics({ migrationId: 'orders-region-backfill', type: 'backfill', owner: 'team-orders', phases: ['preflight', 'canary', 'ramp'], rowsTotal: 1000, now: () => clock });

  it('has exactly the contract metrics, with their types, every series labelled with migration_id', async () => {
    const text = await m.metrics();
    const types = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((x) => [x[1]!, x[2]!]));
    expect(types).toEqual(CONTRACT);
    expect(Object.values(METRIC).sort()).toEqual(Object.keys(CONTRACT).sort());
    for (const s of samples(text)) expect(s.labels.migration_id, s.name).toBe('orders-region-backfill');
    expect(value(text, 'migration_info', { type: 'backfill', owner: 'team-orders' })).toBe(1);
    // Series exist before the first event, so rate()/increase() see the first increase.
    expect(value(text, 'migration_batches_total', { outcome: 'error' })).toBe(0);
    expect(value(text, 'migration_rows_processed_total')).toBe(0);
  });

  it('passes promtool check metrics except the contract name migration_rows_total (a gauge ending in _total)', async () => {
    const r = runTool('promtool', ['check', 'metrics'], { input: await m.metrics() });
    const complaints = (r.stdout + r.stderr).split('\n').filter(Boolean);
    expect(complaints).toEqual(['migration_rows_total non-counter metrics should not have "_total" suffix']);
  });

  it('startPhase sets the current phase to 1 and every other phase to 0', async () => {
    m.startPhase('canary');
    m.startPhase('ramp');
    m.startPhase('full'); // not declared up front: added on the fly
    const text = await m.metrics();
    expect(['preflight', 'canary', 'ramp', 'full'].map((phase) => value(text, 'migration_phase', { phase }))).toEqual([0, 0, 0, 1]);
    expect(m.currentPhase).toBe('full');
  });

  it('recordBatch counts rows, batches by outcome, duration and progress time; an error batch is not progress', async () => {
    clock += 5000;
    m.recordBatch({ rows: 500, durationSeconds: 0.3 });
    const progressAt = clock / 1000;
    clock += 5000;
    m.recordBatch({ rows: 500, durationSeconds: 7, outcome: 'error' });
    m.recordBatch({ rows: 0, durationSeconds: 0.01 });
    const text = await m.metrics();
    expect(value(text, 'migration_rows_processed_total')).toBe(500);
    expect(value(text, 'migration_batches_total', { outcome: 'success' })).toBe(2);
    expect(value(text, 'migration_batches_total', { outcome: 'error' })).toBe(1);
    expect(value(text, 'migration_errors_total')).toBe(1);
    expect(value(text, 'migration_batch_duration_seconds_count')).toBe(3);
    expect(value(text, 'migration_batch_duration_seconds_bucket', { le: '0.5' })).toBe(2);
    expect(value(text, 'migration_last_progress_timestamp_seconds')).toBe(progressAt);
  });

  it('throttle, lag, verification and rows total', async () => {
    m.setThrottled(true);
    m.setLag(12.5);
    m.recordVerification({ verified: 100, mismatched: 2 });
    m.setRowsTotal(2000);
    const text = await m.metrics();
    expect([METRIC.throttled, METRIC.lag, METRIC.rowsVerified, METRIC.rowsMismatched, METRIC.rowsTotal].map((n) => value(text, n))).toEqual([1, 12.5, 100, 2, 2000]);
  });

  it('finish() sets migration_finished to 1 (0 from the start); a phase started afterwards sets it back to 0', async () => {
    const f = new MigrationMetrics({ migrationId: 'finishing', phase: 'canary' });
    expect(value(await f.metrics(), METRIC.finished)).toBe(0);
    expect(f.isFinished).toBe(false);
    f.finish();
    expect(value(await f.metrics(), METRIC.finished)).toBe(1);
    expect(f.isFinished).toBe(true);
    f.startPhase('ramp');
    expect(value(await f.metrics(), METRIC.finished)).toBe(0);
    expect(f.isFinished).toBe(false);
  });

  it('waitForScrape resolves true only after a scrape that started after the call, false on timeout', async () => {
    const f = new MigrationMetrics({ migrationId: 'scraped', phase: 'canary' });
    const server = await f.serve(0);
    try {
      await fetch(server.url); // a scrape before the call does not count
      expect(await server.waitForScrape(50)).toBe(false);
      f.finish();
      const waiting = server.waitForScrape(30_000);
      const body = await (await fetch(server.url)).text();
      expect(await waiting).toBe(true);
      expect(value(body, METRIC.finished)).toBe(1);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['negative rows', () => m.recordBatch({ rows: -1, durationSeconds: 1 })],
    ['NaN duration', () => m.recordBatch({ rows: 1, durationSeconds: Number.NaN })],
    ['negative lag', () => m.setLag(-1)],
    ['more mismatched than verified', () => m.recordVerification({ verified: 1, mismatched: 2 })],
    ['empty phase', () => m.startPhase('')],
  ])('refuses %s', (_name, call) => {
    expect(call).toThrow();
  });
});

describe('Prometheus reads the emitter (serve and Pushgateway)', () => {
  const services = new Services();
  let prom: Prometheus;
  const served = new MigrationMetrics({ migrationId: 'served-mig', type: 'backfill', owner: 'a', phase: 'canary' });
  const pushed = new MigrationMetrics({ migrationId: 'pushed-mig', type: 'reindex', owner: 'b', phase: 'ramp' });
  let pushUrl = '';
  let stopServer: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    try {
      const server = await served.serve(0);
      stopServer = server.close;
      const pgw = await services.startPushgateway();
      pushUrl = pgw.url;
      prom = await services.startPrometheus({
        targets: [
          { job: 'runner', target: new URL(server.url).host },
          { job: 'pushgateway', target: pgw.target, honorLabels: true },
        ],
      });
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  });
  afterAll(async () => {
    await stopServer?.();
    await services.stopAll();
  });

  it('scrapes serve() /metrics', async () => {
    served.recordBatch({ rows: 42, durationSeconds: 0.1 });
    const r = await waitFor('rows of served-mig in Prometheus', async () => {
      const v = await prom.query('migration_rows_processed_total{migration_id="served-mig", job="runner"}');
      return v[0]?.value[1] === '42' ? v : undefined;
    });
    expect(r).toHaveLength(1);
    expect(await prom.query('migration_phase{migration_id="served-mig", phase="canary"} == 1')).toHaveLength(1);
  });

  it('serve() answers 404 outside /metrics', async () => {
    const server = await served.serve(0);
    try {
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('push() lands in the Pushgateway grouped by job and migration_id, and deleteFromGateway removes it', async () => {
    pushed.recordBatch({ rows: 7, durationSeconds: 0.2 });
    pushed.setLag(3);
    await pushed.push({ url: pushUrl, jobName: 'reindex-runner' });
    const r = await waitFor('pushed lag in Prometheus', async () => {
      const v = await prom.query('migration_lag_seconds{migration_id="pushed-mig"}');
      return v[0]?.value[1] === '3' ? v : undefined;
    });
    expect(r[0]!.metric.job).toBe('reindex-runner');
    await pushed.deleteFromGateway({ url: pushUrl, jobName: 'reindex-runner' });
    // The Pushgateway answers a DELETE with 202 and applies it asynchronously, so poll until it is gone.
    const remaining = await waitFor('pushed-mig group removed from the Pushgateway', async () => {
      const groups = await (await fetch(`${pushUrl}/api/v1/metrics`)).json() as { data: { labels: Record<string, string> }[] };
      const left = groups.data.filter((g) => g.labels.migration_id === 'pushed-mig');
      return left.length === 0 ? left : undefined;
    });
    expect(remaining).toEqual([]);
  });
});
