/**
 * A minimal Prometheus HTTP API client for instant queries, built for fail-closed callers: every way
 * a query can go wrong (unreachable, timeout, TLS, HTTP status, not JSON, not a Prometheus answer,
 * status "error") ends in a PrometheusError with a one-line reason, never in a guessed value.
 *
 * It also refuses answers that look complete but may not be (docs/security.md "Doubtful answers"):
 * a success with `warnings` (partial data: a remote-read or Thanos store down), any HTTP status but
 * 200 (206 Partial Content), samples evaluated at another time than the `time` migobs sent (a cache
 * in front of Prometheus), and sample values that are not numbers as Prometheus writes them.
 *
 * Node's http/https modules are used (not fetch) because a private CA (`--ca-file`) needs the
 * `ca` request option, which the built-in fetch does not take without the undici package.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PrometheusAuth {
  bearerToken?: string;
  basic?: { user: string; password: string };
}

export interface PrometheusClientOptions {
  /** Base URL, e.g. `https://prometheus.example.com` or `http://127.0.0.1:9090/prom` (a path prefix is kept). */
  url: string;
  /** Time budget of one answer (all its queries, see `deadline()`), in milliseconds. */
  timeoutMs: number;
  auth?: PrometheusAuth;
  /** PEM text of extra CA certificates for https. */
  ca?: string;
  /**
   * Do not verify the server's certificate (`--insecure-skip-verify`). Without it, certificates are
   * verified whatever NODE_TLS_REJECT_UNAUTHORIZED says.
   */
  insecureSkipVerify?: boolean;
  /**
   * Extra request headers (`--header`, `headers:` in the config, MIGOBS_PROMETHEUS_HEADERS), e.g.
   * `X-Scope-OrgID` for Mimir, Cortex and Thanos query frontends. Their values are never printed.
   */
  headers?: Record<string, string>;
}

/** One series of an instant vector; the value is parsed from Prometheus' string form ("NaN", "+Inf" included). */
export interface Sample {
  metric: Record<string, string>;
  value: number;
  /** The value exactly as Prometheus sent it. */
  raw: string;
}

/** A trustworthy answer: its samples, plus Prometheus' `infos` (notes that do not make it doubtful). */
export interface QueryAnswer {
  samples: Sample[];
  infos: string[];
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Evaluation time in ms since the epoch, sent as `time`; every sample must carry it. Default: now. */
  timeMs?: number;
  /** Give up at this moment (ms since the epoch). Default: now + timeoutMs. */
  deadline?: number;
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

/**
 * Why these credentials cannot be sent, or undefined. A control character (a trailing newline
 * from a token file, a CR/LF smuggling a second header) cannot be in an HTTP header; a bearer token
 * is visible ASCII without spaces (RFC 6750 b64token); a basic-auth user has no colon (RFC 7617).
 * The secret itself is never part of the message.
 */
export function credentialProblem(auth: PrometheusAuth): string | undefined {
  if (auth.bearerToken !== undefined) {
    const bad = firstBad(auth.bearerToken, (cp) => cp <= 0x20 || cp >= 0x7f);
    if (bad) return `MIGOBS_PROMETHEUS_TOKEN contains ${bad}: a bearer token is printable ASCII without spaces or line breaks (a trailing newline from a token file?)`;
  }
  if (auth.basic) {
    const user = firstBad(auth.basic.user, isControl);
    if (user) return `MIGOBS_PROMETHEUS_USER contains ${user}: an HTTP header cannot carry control characters`;
    if (auth.basic.user.includes(':')) return 'MIGOBS_PROMETHEUS_USER contains a colon, which basic auth cannot carry in a user name (RFC 7617)';
    const password = firstBad(auth.basic.password, isControl);
    if (password) return `MIGOBS_PROMETHEUS_PASSWORD contains ${password}: an HTTP header cannot carry control characters (a trailing newline from a file?)`;
  }
  return undefined;
}

const isControl = (cp: number): boolean => cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);

function firstBad(text: string, bad: (cp: number) => boolean): string | undefined {
  let i = 0;
  for (const ch of text) {
    i++;
    const cp = ch.codePointAt(0)!;
    if (bad(cp)) return `${cp === 0x20 ? 'a space' : cp === 0x0a ? 'a line feed' : cp === 0x0d ? 'a carriage return' : isControl(cp) ? 'a control character' : 'a non-ASCII character'} (U+${cp.toString(16).toUpperCase().padStart(4, '0')}) at character ${i}`;
  }
  return undefined;
}

/**
 * URL text for a message, with anything that may be credentials (everything before the last `@`
 * after the scheme) replaced: an invalid URL is echoed so the user sees what was wrong, never its password.
 */
export function redactUrl(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  return `${scheme}***${text.slice(at)}`;
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
      throw new PrometheusError(`--prometheus-url is not a URL: ${redactUrl(options.url)}`);
    }
    if (base.username || base.password) throw new PrometheusError('put credentials in MIGOBS_PROMETHEUS_USER/MIGOBS_PROMETHEUS_PASSWORD, not in --prometheus-url');
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new PrometheusError(`--prometheus-url must be http(s): ${redactUrl(options.url)}`);
    this.base = base;
  }

  /** The URL shown in messages (never contains credentials). */
  get url(): string {
    return this.base.origin + this.base.pathname.replace(/\/+$/, '');
  }

  /** True when certificates are not verified (`--insecure-skip-verify` on an https URL). */
  get insecure(): boolean {
    return Boolean(this.options.insecureSkipVerify) && this.base.protocol === 'https:';
  }

  /** The deadline of an answer that starts now: several queries of one answer share it. */
  deadline(): number {
    return Date.now() + this.options.timeoutMs;
  }

  /**
   * `GET /api/v1/query?query=...&time=...` and return the instant vector. A scalar answer becomes one
   * sample without labels; any other result type is refused.
   */
  async query(expr: string, opts: QueryOptions = {}): Promise<QueryAnswer> {
    // Prometheus keeps millisecond precision; so does the time sent, so it can be compared exactly.
    const timeMs = Math.round(opts.timeMs ?? Date.now());
    const { status, contentType, body } = await this.getApi('query', { query: expr, time: (timeMs / 1000).toFixed(3) }, opts);
    return parseQueryResponse(status, contentType, body, timeMs);
  }

  /**
   * `GET /api/v1/<endpoint>?<params>` with this client's TLS, auth, timeout and size limit; the raw
   * answer, for callers that parse another result type (range-query.ts parses matrices with
   * `parseEnvelope`). Transport failures are PrometheusErrors.
   */
  getApi(endpoint: string, params: Record<string, string>, opts: { deadline?: number; signal?: AbortSignal } = {}): Promise<{ status: number; contentType: string; body: string }> {
    const target = new URL(this.base.href);
    target.pathname = `${target.pathname.replace(/\/+$/, '')}/api/v1/${endpoint}`;
    target.search = new URLSearchParams(params).toString();
    return this.get(target, opts.deadline ?? this.deadline(), opts.signal);
  }

  private get(target: URL, deadline: number, outer?: AbortSignal): Promise<{ status: number; contentType: string; body: string }> {
    const headers: Record<string, string> = { ...this.options.headers, accept: 'application/json' };
    const auth = this.options.auth ?? {};
    if (auth.bearerToken) headers.authorization = `Bearer ${auth.bearerToken}`;
    else if (auth.basic) headers.authorization = `Basic ${Buffer.from(`${auth.basic.user}:${auth.basic.password}`).toString('base64')}`;
    const https = target.protocol === 'https:';
    const request = https ? httpsRequest : httpRequest;
    const timeoutMs = this.options.timeoutMs;
    // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn verification off.
    const tls = https ? { rejectUnauthorized: !this.options.insecureSkipVerify, ...(this.options.ca ? { ca: this.options.ca } : {}) } : {};
    // The answer's time budget is spent (an earlier query of it timed out): do not start another wait.
    if (deadline <= Date.now()) return Promise.reject(new PrometheusError(`no answer from ${this.url} within ${timeoutMs / 1000}s (timeout)`));
    return new Promise((resolve, reject) => {
      let settled = false;
      let req: ClientRequest | undefined;
      const fail = (message: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
        req?.destroy();
        reject(new PrometheusError(message));
      };
      const onAbort = (): void => fail('query cancelled');
      const timer = setTimeout(() => fail(`no answer from ${this.url} within ${timeoutMs / 1000}s (timeout)`), Math.max(0, deadline - Date.now()));
      try {
        req = request(target, { method: 'GET', headers, ...tls }, (res: IncomingMessage) => {
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
      } catch (e) {
        // Node refuses a request it cannot send (e.g. a header with a line break) by throwing.
        fail(`cannot send the request to ${this.url}: ${(e as Error).message}`);
        return;
      }
      req.on('error', (e: NodeJS.ErrnoException) => fail(`cannot reach Prometheus at ${this.url}: ${e.code && !e.message.includes(e.code) ? `${e.code} ` : ''}${e.message}`));
      if (outer?.aborted) onAbort();
      else outer?.addEventListener('abort', onAbort, { once: true });
      req.end();
    });
  }
}

/**
 * Turn an HTTP answer into samples or a PrometheusError naming what was wrong. With `timeMs`, every
 * sample must have been evaluated at exactly that time. Exported for tests.
 */
export function parseQueryResponse(status: number, contentType: string, body: string, timeMs?: number): QueryAnswer {
  const { data, infos } = parseEnvelope(status, contentType, body);
  if (data.resultType === 'scalar') {
    return { samples: [{ metric: {}, ...parseSampleValue(data.result, timeMs) }], infos };
  }
  if (data.resultType !== 'vector' || !Array.isArray(data.result)) {
    throw new PrometheusError(`expected an instant vector, got resultType ${JSON.stringify(data.resultType)}`);
  }
  const samples = data.result.map((entry: unknown) => {
    const e = entry as { metric?: unknown; value?: unknown };
    return { metric: parseMetric(e), ...parseSampleValue(e.value, timeMs) };
  });
  return { samples, infos };
}

/**
 * The checks every Prometheus API answer must pass, whatever its result type: JSON, status
 * success, HTTP 200 exactly, no `warnings` (partial data), a `data` object. Returns `data` and the
 * `infos` notes. Exported for range-query.ts and tests.
 */
export function parseEnvelope(status: number, contentType: string, body: string): { data: { resultType?: unknown; result?: unknown }; infos: string[] } {
  // Refused for want of credentials or a tenant header: unknown, whatever the body says.
  if (status === 401 || status === 403) throw new PrometheusError(`Prometheus answered HTTP ${status} (${status === 401 ? 'unauthorised' : 'forbidden'}): check the credentials and the headers (--header, e.g. X-Scope-OrgID for Mimir/Cortex)`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const hint = status >= 400 ? `HTTP ${status}` : `HTTP ${status}, content-type ${contentType || 'none'}`;
    throw new PrometheusError(`not a Prometheus answer (${hint}, body is not JSON: ${snippet(body)})`);
  }
  const answer = json as { status?: unknown; data?: unknown; error?: unknown; errorType?: unknown; warnings?: unknown; infos?: unknown };
  if (answer === null || typeof answer !== 'object' || (answer.status !== 'success' && answer.status !== 'error')) {
    throw new PrometheusError(`not a Prometheus answer (HTTP ${status}, JSON without status success/error: ${snippet(body)})`);
  }
  if (answer.status === 'error') {
    throw new PrometheusError(`Prometheus refused the query (HTTP ${status}, ${String(answer.errorType ?? 'error')}: ${String(answer.error ?? 'no message')})`);
  }
  // Prometheus answers a successful query with 200 only; 206 (Partial Content) says data is missing.
  if (status === 206) throw new PrometheusError('partial answer: HTTP 206 Partial Content (some of the data the query needs could not be read)');
  if (status !== 200) throw new PrometheusError(`Prometheus answered HTTP ${status}`);
  const warnings = stringList(answer.warnings, 'warnings');
  if (warnings.length) throw new PrometheusError(`partial answer: Prometheus warned ${warnings.map((w) => JSON.stringify(w)).join('; ')} (a remote-read or store backend failing?)`);
  const infos = stringList(answer.infos, 'infos');
  const data = answer.data as { resultType?: unknown; result?: unknown } | undefined;
  if (!data || typeof data !== 'object') throw new PrometheusError('not a Prometheus answer (no data)');
  return { data, infos };
}

/** The label set of one vector or matrix entry, checked. Exported for range-query.ts. */
export function parseMetric(entry: unknown): Record<string, string> {
  const e = entry as { metric?: unknown };
  if (!e || typeof e !== 'object' || !e.metric || typeof e.metric !== 'object' || Array.isArray(e.metric)) throw new PrometheusError('not a Prometheus answer (malformed vector sample)');
  const metric: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.metric as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new PrometheusError('not a Prometheus answer (label value is not a string)');
    metric[k] = v;
  }
  return metric;
}

/** `warnings` / `infos`: absent, or a list of strings. */
function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((w) => typeof w !== 'string')) throw new PrometheusError(`not a Prometheus answer (${field} is not a list of strings)`);
  return value as string[];
}

/**
 * A value as Prometheus writes it (Go's strconv.FormatFloat 'f', -1): an optional minus, digits, an
 * optional fraction; "NaN", "+Inf", "-Inf". An exponent is allowed for other Prometheus-API servers.
 * Everything JavaScript's Number() would also take ("0x0", " 0 ", "Infinity", "") is not a value.
 */
const SAMPLE_VALUE = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** A `[seconds, "value"]` pair, checked (see SAMPLE_VALUE); with `timeMs`, it must be evaluated at exactly that time. Exported for range-query.ts. */
export function parseSampleValue(pair: unknown, timeMs: number | undefined): { value: number; raw: string } {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string' || typeof pair[0] !== 'number' || !Number.isFinite(pair[0])) {
    throw new PrometheusError('not a Prometheus answer (malformed sample value)');
  }
  const raw = pair[1];
  let value: number;
  if (raw === 'NaN') value = Number.NaN;
  else if (raw === '+Inf') value = Infinity;
  else if (raw === '-Inf') value = -Infinity;
  else if (SAMPLE_VALUE.test(raw)) value = Number(raw);
  else throw new PrometheusError(`not a Prometheus answer (sample value ${JSON.stringify(raw)} is not a number as Prometheus writes it)`);
  if (timeMs !== undefined) checkTimestamp(pair[0], timeMs);
  return { value, raw };
}

/** The sample must be evaluated at the time asked: an old one comes from a cache, a later one from nowhere sane. */
function checkTimestamp(seconds: number, timeMs: number): void {
  const ms = Math.round(seconds * 1000);
  if (ms === timeMs) return;
  const asked = new Date(timeMs).toISOString();
  const got = Number.isFinite(new Date(ms).getTime()) ? new Date(ms).toISOString() : String(seconds);
  const diff = Math.abs(ms - timeMs) / 1000;
  if (ms < timeMs) throw new PrometheusError(`stale answer: evaluated at ${got}, ${diff}s before the time asked (${asked}); a cache or proxy between migobs and Prometheus?`);
  throw new PrometheusError(`answer from the future: evaluated at ${got}, ${diff}s after the time asked (${asked})`);
}

function snippet(body: string): string {
  const oneLine = body.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return 'empty body';
  return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 80)}…` : oneLine);
}
