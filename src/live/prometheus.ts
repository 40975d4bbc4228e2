/**
 * A minimal Prometheus HTTP API client for instant queries, built for fail-closed callers: every way
 * a query can go wrong (unreachable, timeout, TLS, HTTP status, not JSON, not a Prometheus answer,
 * status "error") ends in a PrometheusError with a one-line reason, never in a guessed value.
 *
 * Node's http/https modules are used (not fetch) because a private CA (`--ca-file`) needs the
 * `ca` request option, which the built-in fetch does not take without the undici package.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PrometheusAuth {
  bearerToken?: string;
  basic?: { user: string; password: string };
}

export interface PrometheusClientOptions {
  /** Base URL, e.g. `https://prometheus.example.com` or `http://127.0.0.1:9090/prom` (a path prefix is kept). */
  url: string;
  /** Deadline of one query, in milliseconds. */
  timeoutMs: number;
  auth?: PrometheusAuth;
  /** PEM text of extra CA certificates for https. */
  ca?: string;
}

/** One series of an instant vector; the value is parsed from Prometheus' string form ("NaN", "+Inf" included). */
export interface Sample {
  metric: Record<string, string>;
  value: number;
  /** The value exactly as Prometheus sent it. */
  raw: string;
}

export class PrometheusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusError';
  }
}

/** Answers larger than this are not a gate answer; refuse instead of buffering without bound. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Auth from the environment: MIGOBS_PROMETHEUS_TOKEN (bearer) or MIGOBS_PROMETHEUS_USER +
 * MIGOBS_PROMETHEUS_PASSWORD (basic). Secrets never come from the command line, where `ps` shows them.
 */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): PrometheusAuth {
  const token = env.MIGOBS_PROMETHEUS_TOKEN;
  if (token) return { bearerToken: token };
  const user = env.MIGOBS_PROMETHEUS_USER;
  if (user) return { basic: { user, password: env.MIGOBS_PROMETHEUS_PASSWORD ?? '' } };
  return {};
}

export function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new PrometheusError(`cannot read CA file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export class PrometheusClient {
  private readonly base: URL;

  constructor(private readonly options: PrometheusClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new PrometheusError(`--prometheus-url is not a URL: ${options.url}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new PrometheusError(`--prometheus-url must be http(s): ${options.url}`);
    if (base.username || base.password) throw new PrometheusError('put credentials in MIGOBS_PROMETHEUS_USER/MIGOBS_PROMETHEUS_PASSWORD, not in --prometheus-url');
    this.base = base;
  }

  /** The URL shown in messages (never contains credentials). */
  get url(): string {
    return this.base.origin + this.base.pathname.replace(/\/+$/, '');
  }

  /**
   * `GET /api/v1/query?query=...` and return the instant vector. A scalar answer becomes one sample
   * without labels; any other result type is refused.
   */
  async query(expr: string, signal?: AbortSignal): Promise<Sample[]> {
    const target = new URL(this.base.href);
    target.pathname = `${target.pathname.replace(/\/+$/, '')}/api/v1/query`;
    target.search = new URLSearchParams({ query: expr }).toString();
    const { status, contentType, body } = await this.get(target, signal);
    return parseQueryResponse(status, contentType, body);
  }

  private get(target: URL, outer?: AbortSignal): Promise<{ status: number; contentType: string; body: string }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = this.options.auth ?? {};
    if (auth.bearerToken) headers.authorization = `Bearer ${auth.bearerToken}`;
    else if (auth.basic) headers.authorization = `Basic ${Buffer.from(`${auth.basic.user}:${auth.basic.password}`).toString('base64')}`;
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeoutMs = this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (message: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
        req.destroy();
        reject(new PrometheusError(message));
      };
      const onAbort = (): void => fail('query cancelled');
      const timer = setTimeout(() => fail(`no answer from ${this.url} within ${timeoutMs / 1000}s (timeout)`), timeoutMs);
      const req = request(target, { method: 'GET', headers, ...(this.options.ca ? { ca: this.options.ca } : {}) }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) fail(`answer from ${this.url} is larger than ${MAX_BODY_BYTES} bytes`);
          else chunks.push(chunk);
        });
        res.on('error', (e) => fail(`reading the answer from ${this.url} failed: ${e.message}`));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          outer?.removeEventListener('abort', onAbort);
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => fail(`cannot reach Prometheus at ${this.url}: ${e.code && !e.message.includes(e.code) ? `${e.code} ` : ''}${e.message}`));
      if (outer?.aborted) onAbort();
      else outer?.addEventListener('abort', onAbort, { once: true });
      req.end();
    });
  }
}

/** Turn an HTTP answer into samples or a PrometheusError naming what was wrong. Exported for tests. */
export function parseQueryResponse(status: number, contentType: string, body: string): Sample[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const hint = status >= 400 ? `HTTP ${status}` : `HTTP ${status}, content-type ${contentType || 'none'}`;
    throw new PrometheusError(`not a Prometheus answer (${hint}, body is not JSON: ${snippet(body)})`);
  }
  const answer = json as { status?: unknown; data?: unknown; error?: unknown; errorType?: unknown };
  if (answer === null || typeof answer !== 'object' || (answer.status !== 'success' && answer.status !== 'error')) {
    throw new PrometheusError(`not a Prometheus answer (HTTP ${status}, JSON without status success/error: ${snippet(body)})`);
  }
  if (answer.status === 'error') {
    throw new PrometheusError(`Prometheus refused the query (HTTP ${status}, ${String(answer.errorType ?? 'error')}: ${String(answer.error ?? 'no message')})`);
  }
  if (status < 200 || status >= 300) throw new PrometheusError(`Prometheus answered HTTP ${status}`);
  const data = answer.data as { resultType?: unknown; result?: unknown } | undefined;
  if (!data || typeof data !== 'object') throw new PrometheusError('not a Prometheus answer (no data)');
  if (data.resultType === 'scalar') {
    const value = parseSampleValue(data.result);
    return [{ metric: {}, ...value }];
  }
  if (data.resultType !== 'vector' || !Array.isArray(data.result)) {
    throw new PrometheusError(`expected an instant vector, got resultType ${JSON.stringify(data.resultType)}`);
  }
  return data.result.map((entry: unknown) => {
    const e = entry as { metric?: unknown; value?: unknown };
    if (!e || typeof e !== 'object' || !e.metric || typeof e.metric !== 'object') throw new PrometheusError('not a Prometheus answer (malformed vector sample)');
    const metric: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.metric as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new PrometheusError('not a Prometheus answer (label value is not a string)');
      metric[k] = v;
    }
    return { metric, ...parseSampleValue(e.value) };
  });
}

function parseSampleValue(pair: unknown): { value: number; raw: string } {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string') throw new PrometheusError('not a Prometheus answer (malformed sample value)');
  const raw = pair[1];
  // Prometheus writes floats with strconv.FormatFloat: "NaN", "+Inf", "-Inf" or a decimal.
  const value = raw === 'NaN' ? Number.NaN : raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
  if (raw.trim() === '' || (Number.isNaN(value) && raw !== 'NaN')) throw new PrometheusError(`not a Prometheus answer (sample value ${JSON.stringify(raw)})`);
  return { value, raw };
}

function snippet(body: string): string {
  const oneLine = body.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return 'empty body';
  return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 80)}…` : oneLine);
}
