/**
 * `migobs gate --serve`: the gate as a long-running HTTP server for tools that poll (gh-ost's
 * `--throttle-http`, freno-style clients, Argo Rollouts' `web` metric, Flagger webhooks).
 *
 * The gates are evaluated on an interval with the same logic as `migobs gate` (runGates: one
 * explicit evaluation time, one deadline, doubtful answers refused, rollback > unknown > pause >
 * green). Requests are answered from that cached verdict and never wait for Prometheus, so a poller
 * with a 1 s timeout is answered at once however slow Prometheus is. Fail-closed:
 *
 * - before the first evaluation has finished, the answer is unknown;
 * - a verdict older than `staleAfterMs` (3 intervals) is unknown: an evaluation hanging on
 *   Prometheus, or a stuck loop, can never keep an old "proceed" alive;
 * - every fault of the one-shot gate (unreachable, timeout, HTTP error, not JSON, NaN, empty,
 *   warnings, stale samples) is an unknown gate, as in `migobs gate`.
 *
 * HTTP status of each verdict (docs/integrations.md): 200 proceed, 429 pause, 417 rollback,
 * 503 unknown, on /throttle and /check; /verdict always 200 with the verdict in the body (for
 * clients that evaluate the body, such as Argo Rollouts); /rollback 200 only for rollback
 * (Flagger's rollback webhook), else 412.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isIP } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { GATE_STATE } from '../generate/names';
import type { ResolvedMigration } from '../model/types';
import { formatThreshold, formatValue, gateReportJson, printable, safeJson, type GateReportJson } from './format';
import { scheduleAnswer } from './schedule';
import { runGates, type GateClient, type GateReport, type GateRunOptions, type GateState } from './gate';

/** What a caller is told to do. */
export type Verdict = 'proceed' | 'pause' | 'rollback' | 'unknown';

export const VERDICT_OF_STATE: Record<GateState, Verdict> = { green: 'proceed', pause: 'pause', rollback: 'rollback', unknown: 'unknown' };

/**
 * HTTP status of each verdict on /throttle and /check. 200 only for proceed: gh-ost throttles on
 * anything but 200, freno clients write only on 200. 429 and 417 are the codes freno uses for
 * "threshold exceeded" and "forbidden to write", so gh-ost's log names them; 503 = no trustworthy answer.
 */
export const HTTP_STATUS: Record<Verdict, number> = { proceed: 200, pause: 429, rollback: 417, unknown: 503 };

/** /rollback (Flagger's `rollback` webhook rolls back on 2xx): 200 for rollback, else this. */
export const NOT_ROLLBACK_STATUS = 412;

/** Numeric state in /metrics, the same encoding as the `migration:gate:state` recording rule. */
const STATE_NUMBER: Record<Verdict, number> = { proceed: GATE_STATE.green, pause: GATE_STATE.pause, rollback: GATE_STATE.rollback, unknown: GATE_STATE.unknown };

/** A verdict older than this many intervals is unknown. */
export const STALE_INTERVALS = 3;

/** Request bodies (Flagger POSTs a small JSON payload) are read up to this size and ignored. */
const MAX_BODY_BYTES = 64 * 1024;

export interface GateServerOptions {
  model: ResolvedMigration;
  client: GateClient;
  /** `--phase` / `--gate` selection, as for `migobs gate`. */
  run?: Omit<GateRunOptions, 'timeMs'>;
  /** Evaluate every this many ms. */
  intervalMs: number;
  host: string;
  port: number;
  /** Connections held at once; more are refused (the poller then throttles). */
  maxConnections?: number;
  /** Whole-request budget (headers and body), ms. */
  requestTimeoutMs?: number;
  /** One line per event (listening, verdict changes, evaluation errors); already printable. */
  log?: (line: string) => void;
  /** Clock in ms (tests). */
  now?: () => number;
  /**
   * Credentials sent to Prometheus. Any text this server sends or logs has them replaced by `***`:
   * a hostile or misconfigured Prometheus (or a proxy) echoing the Authorization header in an error
   * message must not make this unauthenticated endpoint publish it.
   */
  secrets?: string[];
}

/** One finished evaluation. */
export interface Evaluation {
  report: GateReport;
  /** The evaluation time sent to Prometheus (ms since the epoch): the verdict's age counts from here. */
  atMs: number;
  durationMs: number;
}

/** The answer to a request at one moment. */
export interface Answer {
  verdict: Verdict;
  /** Why the verdict is not proceed (null for proceed). */
  reason: string | null;
  stale: boolean;
  evaluation?: Evaluation;
  ageMs?: number;
}

/** Body of /check and /verdict. */
export interface CheckJson {
  verdict: Verdict;
  httpStatus: number;
  migration: string;
  reason: string | null;
  stale: boolean;
  evaluatedAt: string | null;
  verdictAgeSeconds: number | null;
  intervalSeconds: number;
  staleAfterSeconds: number;
  /** The cached evaluation, exactly as `migobs gate --json` prints it; null before the first. */
  evaluation: GateReportJson | null;
}

/** Why a report is not proceed, in one line: the overall reason and each gate that is not green. */
export function verdictReason(report: GateReport): string | null {
  const parts: string[] = [];
  if (report.reason) parts.push(report.reason);
  for (const g of report.gates) {
    if (g.state === 'green') continue;
    if (g.state === 'unknown') parts.push(`gate ${g.gate} unknown: ${g.reason ?? 'no value'}`);
    else parts.push(`gate ${g.gate} ${g.state}: value ${formatValue(g.value, g.raw)}, ${g.state} when ${formatThreshold(g.direction, g.state === 'pause' ? g.pause : g.rollback)}`);
  }
  return parts.length ? parts.join('; ') : null;
}

/** `host:port` or `[v6]:port`; the host is required, port 0 picks a free one. */
export function parseListen(text: string): { host: string; port: number } | { error: string } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):([0-9]{1,5})$/.exec(text);
  if (!m) return { error: `--listen ${JSON.stringify(text)}: give host:port, e.g. 127.0.0.1:9090, [::1]:9090, or 0.0.0.0:9090 for every interface` };
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port > 65535) return { error: `--listen ${JSON.stringify(text)}: port ${port} is out of range (0-65535)` };
  if (m[1] !== undefined && isIP(host) !== 6) return { error: `--listen ${JSON.stringify(text)}: ${host} is not an IPv6 address` };
  return { host, port };
}

/** Loopback addresses: reachable only from this machine. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) {
    // The URL parser writes an IPv6 address in its one canonical form (::1, ::ffff:7f00:1).
    const canonical = new URL(`http://[${host}]/`).hostname;
    return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
  }
  return false;
}

interface Route {
  methods: string[];
  handle(req: IncomingMessage, res: ServerResponse, answer: Answer): void | Promise<void>;
}

/** The evaluation loop plus the HTTP server answering from its cached verdict. */
export class GateServer {
  readonly registry = new Registry();
  readonly intervalMs: number;
  readonly staleAfterMs: number;
  private last: Evaluation | undefined;
  private lastVerdict: Verdict | undefined;
  private stopped = false;
  private started = false;
  private inFlight: AbortController | undefined;
  private wake: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private loopDone: Promise<void> | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly routes: Record<string, Route>;
  private readonly metrics: {
    evaluations: Counter<'migration_id' | 'verdict'>;
    queryErrors: Counter<'migration_id'>;
    evaluationErrors: Counter<'migration_id'>;
    duration: Histogram<'migration_id'>;
    requests: Counter<'endpoint' | 'code'>;
    gateState: Gauge<'migration_id' | 'gate'>;
    gateValue: Gauge<'migration_id' | 'gate'>;
  };

  constructor(private readonly options: GateServerOptions) {
    this.intervalMs = options.intervalMs;
    this.staleAfterMs = STALE_INTERVALS * options.intervalMs;
    this.now = options.now ?? Date.now;
    const log = options.log ?? (() => undefined);
    this.log = (line) => log(this.redact(line));
    const id = options.model.id;
    const registers = [this.registry];
    const server = this;
    new Gauge({
      name: 'migobs_gate_server_state',
      help: 'Verdict served now: 0 proceed, 1 pause, 2 rollback, 3 unknown (as migration:gate:state).',
      labelNames: ['migration_id'] as const,
      registers,
      collect() {
        this.set({ migration_id: id }, STATE_NUMBER[server.answer().verdict]);
      },
    });
    new Gauge({
      name: 'migobs_gate_server_stale',
      help: '1 while the cached verdict is older than 3 evaluation intervals (then the verdict served is unknown).',
      labelNames: ['migration_id'] as const,
      registers,
      collect() {
        this.set({ migration_id: id }, server.answer().stale ? 1 : 0);
      },
    });
    new Gauge({
      name: 'migobs_gate_server_verdict_age_seconds',
      help: 'Age of the cached verdict (since the evaluation time of its queries); absent before the first evaluation.',
      labelNames: ['migration_id'] as const,
      registers,
      collect() {
        this.reset();
        const a = server.answer();
        if (a.ageMs !== undefined) this.set({ migration_id: id }, a.ageMs / 1000);
      },
    });
    new Gauge({ name: 'migobs_gate_server_interval_seconds', help: 'Evaluation interval.', labelNames: ['migration_id'] as const, registers }).set({ migration_id: id }, this.intervalMs / 1000);
    this.metrics = {
      evaluations: new Counter({ name: 'migobs_gate_server_evaluations_total', help: 'Finished evaluations, by the verdict they gave.', labelNames: ['migration_id', 'verdict'] as const, registers }),
      queryErrors: new Counter({ name: 'migobs_gate_server_query_errors_total', help: 'Prometheus queries that failed or whose answer was refused (unreachable, timeout, HTTP error, not a Prometheus answer, partial or stale).', labelNames: ['migration_id'] as const, registers }),
      evaluationErrors: new Counter({ name: 'migobs_gate_server_evaluation_errors_total', help: 'Evaluations that ended in an internal error (the previous verdict is kept and goes stale).', labelNames: ['migration_id'] as const, registers }),
      duration: new Histogram({ name: 'migobs_gate_server_evaluation_duration_seconds', help: 'Wall time of one evaluation (all its Prometheus queries).', labelNames: ['migration_id'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
      requests: new Counter({ name: 'migobs_gate_server_requests_total', help: 'HTTP requests answered, by endpoint and status code.', labelNames: ['endpoint', 'code'] as const, registers }),
      gateState: new Gauge({ name: 'migobs_gate_server_gate_state', help: 'State of each gate in the last evaluation: 0 green, 1 pause, 2 rollback, 3 unknown.', labelNames: ['migration_id', 'gate'] as const, registers }),
      gateValue: new Gauge({ name: 'migobs_gate_server_gate_value', help: 'Value of each gate in the last evaluation (absent when it has none).', labelNames: ['migration_id', 'gate'] as const, registers }),
    };
    for (const v of Object.keys(HTTP_STATUS) as Verdict[]) this.metrics.evaluations.inc({ migration_id: id, verdict: v }, 0);
    this.metrics.queryErrors.inc({ migration_id: id }, 0);
    this.metrics.evaluationErrors.inc({ migration_id: id }, 0);

    const verdictHeaders = (a: Answer): Record<string, string> => ({ 'x-migobs-verdict': a.verdict, 'cache-control': 'no-store' });
    this.routes = {
      // gh-ost --throttle-http: HEAD every 100 ms, throttles on anything but 200.
      '/throttle': {
        methods: ['GET', 'HEAD'],
        handle: (_req, res, a) => this.send(res, '/throttle', HTTP_STATUS[a.verdict], 'text/plain; charset=utf-8', `${a.verdict}${a.reason ? `: ${printable(a.reason)}` : ''}\n`, verdictHeaders(a)),
      },
      // freno-style: same codes as /throttle, JSON body; POST for Flagger's confirm-* webhooks.
      '/check': {
        methods: ['GET', 'HEAD', 'POST'],
        handle: (_req, res, a) => this.send(res, '/check', HTTP_STATUS[a.verdict], 'application/json', safeJson(this.checkJson(a)) + '\n', verdictHeaders(a)),
      },
      // Always 200 while the server runs: for clients that judge the body (Argo Rollouts' web
      // metric treats any non-2xx as a measurement error, not as a failed or inconclusive one).
      '/verdict': {
        methods: ['GET', 'POST'],
        handle: (_req, res, a) => this.send(res, '/verdict', 200, 'application/json', safeJson(this.checkJson(a)) + '\n', verdictHeaders(a)),
      },
      // Flagger's rollback webhook rolls the canary back on 2xx: only a rollback verdict is 2xx.
      '/rollback': {
        methods: ['GET', 'HEAD', 'POST'],
        handle: (_req, res, a) => this.send(res, '/rollback', a.verdict === 'rollback' ? 200 : NOT_ROLLBACK_STATUS, 'application/json', safeJson(this.checkJson(a)) + '\n', verdictHeaders(a)),
      },
      '/metrics': {
        methods: ['GET', 'HEAD'],
        handle: async (_req, res) => {
          const text = await this.registry.metrics();
          this.send(res, '/metrics', 200, this.registry.contentType, text);
        },
      },
      // Liveness of the server itself (not of the migration): for a Kubernetes probe.
      '/healthz': {
        methods: ['GET', 'HEAD'],
        handle: (_req, res) => this.send(res, '/healthz', 200, 'text/plain; charset=utf-8', 'ok\n'),
      },
    };
  }

  /** The answer at this moment, from the cached evaluation. */
  answer(): Answer {
    const last = this.last;
    if (!last) return { verdict: 'unknown', reason: 'no verdict yet: the first evaluation has not finished', stale: false };
    const ageMs = Math.max(0, this.now() - last.atMs);
    if (ageMs > this.staleAfterMs) {
      return {
        verdict: 'unknown',
        reason: `stale verdict: the last finished evaluation is ${(ageMs / 1000).toFixed(1)}s old (more than ${STALE_INTERVALS} intervals, ${this.staleAfterMs / 1000}s); Prometheus is hanging or the evaluation loop is stuck`,
        stale: true,
        evaluation: last,
        ageMs,
      };
    }
    const verdict = VERDICT_OF_STATE[last.report.state];
    return { verdict, reason: verdict === 'proceed' ? null : verdictReason(last.report), stale: false, evaluation: last, ageMs };
  }

  checkJson(a: Answer): CheckJson {
    return {
      verdict: a.verdict,
      httpStatus: HTTP_STATUS[a.verdict],
      migration: this.options.model.id,
      reason: a.reason,
      stale: a.stale,
      evaluatedAt: a.evaluation ? new Date(a.evaluation.atMs).toISOString() : null,
      verdictAgeSeconds: a.ageMs === undefined ? null : Math.round(a.ageMs) / 1000,
      intervalSeconds: this.intervalMs / 1000,
      staleAfterSeconds: this.staleAfterMs / 1000,
      evaluation: a.evaluation ? gateReportJson(a.evaluation.report) : null,
    };
  }

  /** Start evaluating and listening; resolves with the bound address once listening. */
  async start(): Promise<{ host: string; port: number; url: string }> {
    if (this.started) throw new Error('GateServer already started');
    this.started = true;
    const server = createServer({ maxHeaderSize: 8 * 1024 }, (req, res) => this.handle(req, res));
    this.server = server;
    server.maxConnections = this.options.maxConnections ?? 256;
    server.maxHeadersCount = 64;
    const requestTimeout = this.options.requestTimeoutMs ?? 10_000;
    server.requestTimeout = requestTimeout;
    server.headersTimeout = Math.min(5_000, requestTimeout);
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A malformed request (bad header, oversized headers) gets a plain 400 and the socket closes.
    server.on('clientError', (_err, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.host, port: this.options.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.loopDone = this.loop();
    const address = server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `http://${shown}:${address.port}` };
  }

  /** Stop the loop (cancelling a query under way) and the server (closing every connection). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.inFlight?.abort();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
      await closed;
    }
    await this.loopDone;
  }

  /** Evaluate now and then every interval (measured from the start of each evaluation). */
  private async loop(): Promise<void> {
    const id = this.options.model.id;
    while (!this.stopped) {
      const atMs = Math.round(this.now());
      const controller = new AbortController();
      this.inFlight = controller;
      const started = performance.now();
      try {
        // Outside spec.schedule the answer is never proceed (the same check `migobs gate` applies).
        const report = scheduleAnswer(this.options.model, await runGates(this.countingClient(), this.options.model, { ...this.options.run, timeMs: atMs }, controller.signal), atMs);
        if (this.stopped) break;
        const durationMs = performance.now() - started;
        this.metrics.duration.observe({ migration_id: id }, durationMs / 1000);
        this.record({ report, atMs, durationMs });
      } catch (e) {
        if (this.stopped) break;
        // runGates turns every Prometheus fault into an unknown gate; reaching here is a bug. Keep
        // the previous verdict: it goes stale (unknown) unless a later evaluation succeeds.
        this.metrics.evaluationErrors.inc({ migration_id: id });
        this.log(`evaluation failed: ${printable(e instanceof Error ? e.message : String(e))}`);
      } finally {
        this.inFlight = undefined;
      }
      await this.sleep(Math.max(0, atMs + this.intervalMs - this.now()));
    }
  }

  private record(evaluation: Evaluation): void {
    const id = this.options.model.id;
    const { report } = evaluation;
    this.last = evaluation;
    const verdict = VERDICT_OF_STATE[report.state];
    this.metrics.evaluations.inc({ migration_id: id, verdict });
    this.metrics.gateState.reset();
    this.metrics.gateValue.reset();
    for (const g of report.gates) {
      this.metrics.gateState.set({ migration_id: id, gate: g.gate }, GATE_STATE[g.state]);
      if (g.value !== null) this.metrics.gateValue.set({ migration_id: id, gate: g.gate }, g.value);
    }
    if (verdict !== this.lastVerdict) {
      const reason = verdictReason(report);
      this.log(`verdict ${verdict}${this.lastVerdict ? ` (was ${this.lastVerdict})` : ''}${reason ? `: ${printable(reason)}` : ''}`);
      this.lastVerdict = verdict;
    }
  }

  /** The client, counting queries that failed or whose answer was refused. */
  private countingClient(): GateClient {
    const { client } = this.options;
    const errors = this.metrics.queryErrors;
    const id = this.options.model.id;
    return {
      get insecure() {
        return client.insecure;
      },
      deadline: () => client.deadline(),
      query: async (expr, opts) => {
        try {
          return await client.query(expr, opts);
        } catch (e) {
          errors.inc({ migration_id: id });
          throw e;
        }
      },
    };
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://gate').pathname;
    } catch {
      path = '';
    }
    const route = Object.prototype.hasOwnProperty.call(this.routes, path) ? this.routes[path] : undefined;
    if (!route) {
      req.resume();
      this.send(res, 'other', 404, 'text/plain; charset=utf-8', `not found: ${Object.keys(this.routes).join(', ')}\n`);
      return;
    }
    const method = req.method ?? '';
    if (!route.methods.includes(method)) {
      req.resume();
      this.send(res, path, 405, 'text/plain; charset=utf-8', `method ${printable(method)} not allowed on ${path}: ${route.methods.join(', ')}\n`, { allow: route.methods.join(', ') });
      return;
    }
    // Read (and ignore) a request body up to a bound; the answer is taken when the request is complete.
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES && !tooLarge) {
        tooLarge = true;
        this.send(res, path, 413, 'text/plain; charset=utf-8', `request body larger than ${MAX_BODY_BYTES} bytes\n`, { connection: 'close' });
        req.destroy();
      }
    });
    req.on('end', () => {
      if (tooLarge) return;
      Promise.resolve(route.handle(req, res, this.answer())).catch((e: unknown) => {
        this.send(res, path, 500, 'text/plain; charset=utf-8', `internal error: ${printable(e instanceof Error ? e.message : String(e))}\n`);
      });
    });
    req.on('error', () => res.destroy());
  }

  /** The text with every credential (as is, and as JSON writes it) replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.options.secrets ?? []) {
      if (secret.length < 4) continue; // too short to search for without mangling ordinary text
      for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), safeJson(secret).slice(1, -1)])) out = out.split(form).join('***');
    }
    return out;
  }

  private send(res: ServerResponse, endpoint: string, status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const body = this.redact(text);
    this.metrics.requests.inc({ endpoint, code: String(status) });
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff', ...headers });
    res.end(body);
  }
}
