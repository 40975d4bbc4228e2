/**
 * The migobs metric emitter: exposes exactly the migobs metric contract (docs/emitter.md) for one migration,
 * so a migration script is observable in three lines:
 *
 * ```ts
 * import { MigrationMetrics } from 'migration-observability/emitter';
 * const metrics = new MigrationMetrics({ migrationId: 'orders-region-backfill', type: 'backfill', owner: 'team-orders' });
 * await metrics.serve(9464);                       // or: await metrics.push({ url: 'http://pushgateway:9091' })
 * metrics.startPhase('canary');
 * metrics.recordBatch({ rows: 500, durationSeconds: 0.42 });
 * ```
 *
 * Every series carries `migration_id`. The metrics live in their own prom-client Registry (never the
 * global one), so an application that already uses prom-client keeps its own metrics separate.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Pushgateway, Registry } from 'prom-client';

/** Names of the metric contract (docs/emitter.md "What it exposes"). */
export const METRIC = {
  rowsProcessed: 'migration_rows_processed_total',
  rowsTotal: 'migration_rows_total',
  batches: 'migration_batches_total',
  batchDuration: 'migration_batch_duration_seconds',
  errors: 'migration_errors_total',
  phase: 'migration_phase',
  throttled: 'migration_throttled',
  lag: 'migration_lag_seconds',
  rowsVerified: 'migration_rows_verified_total',
  rowsMismatched: 'migration_rows_mismatched_total',
  lastProgress: 'migration_last_progress_timestamp_seconds',
  info: 'migration_info',
  finished: 'migration_finished',
} as const;

/**
 * `outcome` label of migration_batches_total. `error` is what the batch error-ratio signal counts as
 * failed; any other value counts as a batch that ran. Both `success` and `error` exist from the start
 * (at 0), so ratios and increase() see the series before the first failure.
 */
export type BatchOutcome = 'success' | 'error' | 'retry' | 'skipped';

/** Wall-clock batch durations from 10 ms to 10 min: batches are sized to take about a second. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export interface MigrationMetricsOptions {
  /** metadata.id of the definition: the `migration_id` label of every series. */
  migrationId: string;
  /** spec.type (label of migration_info). */
  type?: string;
  /** metadata.owner (label of migration_info). */
  owner?: string;
  /** Phase ids known up front: each gets a migration_phase series (0) from the start. */
  phases?: string[];
  /** Initial phase (same as calling startPhase right away). */
  phase?: string;
  /** Estimated rows to process (migration_rows_total). */
  rowsTotal?: number;
  /** Buckets of migration_batch_duration_seconds. */
  durationBuckets?: readonly number[];
  /** Clock in milliseconds (tests). Defaults to Date.now. */
  now?: () => number;
}

export interface BatchRecord {
  /** Rows the batch changed (or copied); 0 for an empty batch. */
  rows: number;
  /** Wall time of the batch in seconds. */
  durationSeconds: number;
  /** Default `success`. An `error` batch also increments migration_errors_total and is not progress. */
  outcome?: BatchOutcome;
}

export interface VerificationRecord {
  /** Rows compared with the source in this sample. */
  verified: number;
  /** Rows that differed. */
  mismatched: number;
}

export interface PushOptions {
  /** Pushgateway base URL, e.g. `http://127.0.0.1:9091`. */
  url: string;
  /** `job` grouping key (default `migobs`). The migration id is always a grouping key too. */
  jobName?: string;
  /** Extra grouping labels. */
  groupings?: Record<string, string>;
  /** Request options passed to prom-client (headers, agent, timeout). */
  requestOptions?: Record<string, unknown>;
}

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  url: string;
  port: number;
  /**
   * Resolves true once a scrape of /metrics has been answered after this call, false after
   * `timeoutMs`. Call it after `finish()` and before `close()`, so Prometheus has seen the run end.
   */
  waitForScrape(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

type Labels<T extends string> = Record<T, string>;

/** The migration metric contract for one migration id, with small helpers for a runner. */
export class MigrationMetrics {
  readonly migrationId: string;
  /** The registry holding only these metrics; add it to an existing /metrics endpoint if you have one. */
  readonly registry: Registry;

  private readonly rowsProcessed: Counter<'migration_id'>;
  private readonly rowsTotal: Gauge<'migration_id'>;
  private readonly batches: Counter<'migration_id' | 'outcome'>;
  private readonly batchDuration: Histogram<'migration_id'>;
  private readonly errors: Counter<'migration_id'>;
  private readonly phase: Gauge<'migration_id' | 'phase'>;
  private readonly throttled: Gauge<'migration_id'>;
  private readonly lag: Gauge<'migration_id'>;
  private readonly rowsVerified: Counter<'migration_id'>;
  private readonly rowsMismatched: Counter<'migration_id'>;
  private readonly lastProgress: Gauge<'migration_id'>;
  private readonly info: Gauge<'migration_id' | 'type' | 'owner'>;
  private readonly finished: Gauge<'migration_id'>;
  private readonly knownPhases = new Set<string>();
  /** Rows counted so far (prom-client counters cannot be read synchronously). */
  private processed = 0;
  private readonly now: () => number;
  private current: string | undefined;
  private done = false;

  constructor(options: MigrationMetricsOptions) {
    if (!options.migrationId) throw new Error('MigrationMetrics: migrationId is required');
    this.migrationId = options.migrationId;
    this.now = options.now ?? Date.now;
    const registry = (this.registry = new Registry());
    const id = ['migration_id'] as const;
    const common = { registers: [registry] };

    this.rowsProcessed = new Counter({ name: METRIC.rowsProcessed, help: 'Rows processed by the migration so far.', labelNames: id, ...common });
    this.rowsTotal = new Gauge({ name: METRIC.rowsTotal, help: 'Estimated rows the migration has to process.', labelNames: id, ...common });
    this.batches = new Counter({ name: METRIC.batches, help: 'Batches run, by outcome.', labelNames: ['migration_id', 'outcome'] as const, ...common });
    this.batchDuration = new Histogram({
      name: METRIC.batchDuration,
      help: 'Wall time of one batch in seconds.',
      labelNames: id,
      buckets: [...(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS)],
      ...common,
    });
    this.errors = new Counter({ name: METRIC.errors, help: 'Errors seen by the migration runner.', labelNames: id, ...common });
    this.phase = new Gauge({ name: METRIC.phase, help: 'Current phase of the migration (1 = current, 0 = other phases).', labelNames: ['migration_id', 'phase'] as const, ...common });
    this.throttled = new Gauge({ name: METRIC.throttled, help: '1 while the runner holds itself back (throttle or pause), else 0.', labelNames: id, ...common });
    this.lag = new Gauge({ name: METRIC.lag, help: 'Lag the runner measures and throttles on, in seconds.', labelNames: id, ...common });
    this.rowsVerified = new Counter({ name: METRIC.rowsVerified, help: 'Rows compared with their source (sampled verification).', labelNames: id, ...common });
    this.rowsMismatched = new Counter({ name: METRIC.rowsMismatched, help: 'Verified rows that differed from their source.', labelNames: id, ...common });
    this.lastProgress = new Gauge({ name: METRIC.lastProgress, help: 'Unix time of the last progress (rows processed or phase started).', labelNames: id, ...common });
    this.info = new Gauge({ name: METRIC.info, help: 'Static information about the migration (always 1).', labelNames: ['migration_id', 'type', 'owner'] as const, ...common });
    this.finished = new Gauge({ name: METRIC.finished, help: '1 once the runner reported this run over (finish()), else 0. Alerts stop for a finished run.', labelNames: id, ...common });

    // Every series exists from the start: a counter that appears only at its first increment
    // hides that first increase from rate()/increase(), and a missing gauge reads as "no data".
    const l = this.idLabel();
    this.rowsProcessed.inc(l, 0);
    this.batches.inc({ ...l, outcome: 'success' }, 0);
    this.batches.inc({ ...l, outcome: 'error' }, 0);
    this.errors.inc(l, 0);
    this.rowsVerified.inc(l, 0);
    this.rowsMismatched.inc(l, 0);
    this.batchDuration.zero(l);
    this.throttled.set(l, 0);
    this.lag.set(l, 0);
    this.rowsTotal.set(l, options.rowsTotal ?? 0);
    this.info.set({ ...l, type: options.type ?? '', owner: options.owner ?? '' }, 1);
    this.finished.set(l, 0);
    for (const p of options.phases ?? []) this.addPhase(p);
    this.markProgress();
    if (options.phase) this.startPhase(options.phase);
  }

  /** Make `phase` the current phase: its migration_phase series is 1, every other known phase 0. */
  startPhase(phase: string): void {
    if (!phase) throw new Error('startPhase: phase id is required');
    this.addPhase(phase);
    this.current = phase;
    // A phase started after finish() means the run goes on: watch it again.
    this.finished.set(this.idLabel(), 0);
    this.done = false;
    for (const p of this.knownPhases) this.phase.set({ ...this.idLabel(), phase: p }, p === phase ? 1 : 0);
    this.markProgress();
  }

  /**
   * Report this run over (completed, rolled back, abandoned, or stopped on purpose):
   * migration_finished becomes 1 and every migobs alert of the migration stops, now and after the
   * runner exits. Without it, a runner that disappears counts as crashed and
   * MigrationMetricsAbsent fires. Make sure Prometheus sees it before the runner exits:
   * `await server.waitForScrape(...)` after `serve()`, or one more `push()` for a Pushgateway.
   * A later startPhase() (or a new run of the same migration id) makes it active again.
   */
  finish(): void {
    this.finished.set(this.idLabel(), 1);
    this.done = true;
  }

  /** Whether finish() was called (and no phase started since). */
  get isFinished(): boolean {
    return this.done;
  }

  /** The phase set by the last startPhase, if any. */
  get currentPhase(): string | undefined {
    return this.current;
  }

  /**
   * Record one finished batch: its rows (progress), duration (histogram) and outcome. A successful
   * batch with rows moves migration_last_progress_timestamp_seconds; a failed one counts an error.
   */
  recordBatch(batch: BatchRecord): void {
    const outcome = batch.outcome ?? 'success';
    assertCount('rows', batch.rows);
    if (!Number.isFinite(batch.durationSeconds) || batch.durationSeconds < 0) throw new Error(`recordBatch: durationSeconds must be a finite number >= 0, got ${batch.durationSeconds}`);
    const l = this.idLabel();
    this.batches.inc({ ...l, outcome }, 1);
    this.batchDuration.observe(l, batch.durationSeconds);
    if (outcome === 'error') {
      this.errors.inc(l, 1);
      return;
    }
    if (batch.rows > 0) {
      this.rowsProcessed.inc(l, batch.rows);
      this.processed += batch.rows;
      this.markProgress();
    }
  }

  /**
   * Set migration_rows_processed_total to a cumulative count read from a tool (gh-ost's
   * GH_OST_COPIED_ROWS) instead of adding batches. More rows than before is progress; fewer is
   * refused, because a counter only goes up (start a new MigrationMetrics for a new run).
   */
  setRowsProcessed(total: number): void {
    assertCount('total', total);
    if (total < this.processed) throw new Error(`setRowsProcessed: ${total} is less than the ${this.processed} rows already counted (a counter only goes up)`);
    if (total === this.processed) return;
    this.rowsProcessed.inc(this.idLabel(), total - this.processed);
    this.processed = total;
    this.markProgress();
  }

  /** Count an error that is not a failed batch (a failed verification query, a retry). */
  recordError(count = 1): void {
    assertCount('count', count);
    this.errors.inc(this.idLabel(), count);
  }

  /** 1 while the runner holds itself back (own throttle or a `migobs gate` pause), 0 otherwise. */
  setThrottled(throttled: boolean): void {
    this.throttled.set(this.idLabel(), throttled ? 1 : 0);
  }

  /** Record a sampled verification: rows compared with the source and how many differed. */
  recordVerification(result: VerificationRecord): void {
    assertCount('verified', result.verified);
    assertCount('mismatched', result.mismatched);
    if (result.mismatched > result.verified) throw new Error('recordVerification: mismatched cannot exceed verified');
    this.rowsVerified.inc(this.idLabel(), result.verified);
    this.rowsMismatched.inc(this.idLabel(), result.mismatched);
  }

  /** The lag the runner measures (replica lag, CDC backlog), in seconds. */
  setLag(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`setLag: seconds must be a finite number >= 0, got ${seconds}`);
    this.lag.set(this.idLabel(), seconds);
  }

  /** The (estimated) number of rows the migration has to process; used for progress and ETA. */
  setRowsTotal(rows: number): void {
    assertCount('rows', rows);
    this.rowsTotal.set(this.idLabel(), rows);
  }

  /** The exposition text of these metrics. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of metrics(). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Serve `GET /metrics` on host:port (default 127.0.0.1; port 0 picks a free port). Other paths
   * answer 404. Resolves once listening.
   */
  serve(port: number, host = '127.0.0.1'): Promise<MetricsServer> {
    // Callers of waitForScrape(), released by the first scrape that *started* after them (one
    // already under way may carry values from before finish()).
    let scrapes = 0;
    let waiting: Array<{ after: number; release: () => void }> = [];
    const server: Server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
        return;
      }
      const scrape = ++scrapes;
      this.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': this.contentType }).end(text, () => {
            const done = waiting.filter((w) => w.after < scrape);
            waiting = waiting.filter((w) => w.after >= scrape);
            for (const w of done) w.release();
          });
        },
        (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e instanceof Error ? e.message : String(e)}\n`),
      );
    });
    const waitForScrape = (timeoutMs: number): Promise<boolean> =>
      new Promise((resolve) => {
        const waiter = {
          after: scrapes,
          release: (): void => {
            clearTimeout(timer);
            resolve(true);
          },
        };
        const timer = setTimeout(() => {
          waiting = waiting.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs);
        waiting.push(waiter);
      });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve({
          url: `http://${shownHost}:${address.port}/metrics`,
          port: address.port,
          waitForScrape,
          close: () => new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
        });
      });
    });
  }

  /**
   * Push these metrics to a Pushgateway (PUT: replaces the group), grouped by job and migration_id.
   * For short-lived runners; call it after every batch or on a timer, and `deleteFromGateway` at the end.
   */
  async push(options: PushOptions): Promise<void> {
    const { gateway, params } = this.gateway(options);
    await gateway.push(params);
  }

  /** Remove this migration's group from the Pushgateway (after the migration finished). */
  async deleteFromGateway(options: PushOptions): Promise<void> {
    const { gateway, params } = this.gateway(options);
    await gateway.delete(params);
  }

  private gateway(options: PushOptions): { gateway: Pushgateway<'text/plain; version=0.0.4; charset=utf-8'>; params: Pushgateway.Parameters } {
    const gateway = new Pushgateway(options.url, options.requestOptions ?? {}, this.registry as Registry<'text/plain; version=0.0.4; charset=utf-8'>);
    return { gateway, params: { jobName: options.jobName ?? 'migobs', groupings: { ...options.groupings, migration_id: this.migrationId } } };
  }

  private addPhase(phase: string): void {
    if (this.knownPhases.has(phase)) return;
    this.knownPhases.add(phase);
    this.phase.set({ ...this.idLabel(), phase }, phase === this.current ? 1 : 0);
  }

  private markProgress(): void {
    this.lastProgress.set(this.idLabel(), this.now() / 1000);
  }

  private idLabel(): Labels<'migration_id'> {
    return { migration_id: this.migrationId };
  }
}

function assertCount(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a finite number >= 0, got ${value}`);
}
