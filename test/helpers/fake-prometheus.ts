/**
 * A tiny HTTP(S) server standing in for Prometheus where the real one cannot produce the answer
 * under test: garbage bodies, HTTP errors, hangs, and the "doubtful answers" of docs/security.md
 * (partial data, stale or future timestamps, values Prometheus never writes, another migration's
 * series, hostile text). Every request is recorded.
 *
 * `startFake(reply)` answers each request with whatever `reply` returns; `gateAnswers(phase, values,
 * mode)` behaves like an honest Prometheus for `migobs gate`/`watch` queries, bent by one mode.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  path: string;
  query: string;
  /** The `time` parameter as sent (seconds with a fraction), or undefined. */
  time: string | undefined;
  /** Every query parameter (range queries: start, end, step). */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export type Reply = { status?: number; body: string; contentType?: string } | 'hang' | 'destroy';

export interface FakePrometheus {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startFake(reply: (query: string, req: Recorded) => Reply, listen: (handler: Parameters<typeof createServer>[1]) => Server = (h) => createServer(h)): Promise<FakePrometheus> {
  const requests: Recorded[] = [];
  const server = listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: Recorded = { path: url.pathname, query: url.searchParams.get('query') ?? '', time: url.searchParams.get('time') ?? undefined, params: Object.fromEntries(url.searchParams), headers: req.headers };
    requests.push(rec);
    const r = reply(rec.query, rec);
    if (r === 'hang') return; // never answers; the client's timeout must end it
    if (r === 'destroy') {
      req.socket.destroy();
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': r.contentType ?? 'application/json' }).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = 'setSecureContext' in server ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The evaluation time of a request as Prometheus would echo it (seconds), or a fixed one when none was sent. */
export const evalTime = (rec: Recorded | undefined): number => (rec?.time !== undefined ? Number(rec.time) : 1700000000);

/** A Prometheus success answer with an instant vector, every sample at `at` (seconds). */
export function vector(samples: { metric: Record<string, string>; value: string }[], at: number, extra: Record<string, unknown> = {}): Reply {
  return { body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: samples.map((s) => ({ metric: s.metric, value: [at, s.value] })) }, ...extra }) };
}

/** The evaluation times (seconds) of a range request, as Prometheus computes them: start, start+step, ... <= end. */
export function rangeTimes(rec: Recorded): number[] {
  const start = Math.round(Number(rec.params.start) * 1000);
  const end = Math.round(Number(rec.params.end) * 1000);
  const step = Math.round(Number(rec.params.step) * 1000);
  const out: number[] = [];
  for (let t = start; t <= end; t += step) out.push(t / 1000);
  return out;
}

/**
 * A Prometheus success answer with a range vector: one series per entry, valued at each evaluation
 * time of the request by `value(t)` (seconds; undefined = no sample at that step).
 */
export function matrix(rec: Recorded, series: { metric: Record<string, string>; value: (t: number) => string | undefined }[], extra: Record<string, unknown> = {}): Reply {
  const times = rangeTimes(rec);
  const result = series
    .map((s) => ({ metric: s.metric, values: times.flatMap((t) => { const v = s.value(t); return v === undefined ? [] : [[t, v]]; }) }))
    .filter((s) => s.values.length > 0);
  return { body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result }, ...extra }) };
}

/** Gate ids named in a batched gate query (label_replace(..., "gate", "<id>", "", "")). */
export function gateIdsIn(query: string): string[] {
  return [...query.matchAll(/"gate", "([^"]+)", "", ""\)/g)].map((m) => m[1]!);
}

/** Terminal control text a hostile server might send: clear the screen, home the cursor, print a fake verdict. */
export const ANSI_FAKE_GREEN = '\u001b[2J\u001b[H\u001b[32mgreen: PROCEED\u001b[0m\r\n';

/**
 * Ways an answer can look fine and still not be trustworthy. Each bends an otherwise honest answer.
 * docs/security.md ("Doubtful answers") lists them with the reason migobs prints.
 */
export const MODES = {
  honest: 'an honest Prometheus',
  infos: 'success with `infos` (notes that do not block)',
  warnings: 'success with `warnings` (partial data: a remote-read or store backend down)',
  'http-206': 'HTTP 206 Partial Content with a success body',
  'http-203': 'another 2xx than 200',
  stale: 'samples evaluated an hour before the time asked (a caching proxy)',
  future: 'samples evaluated an hour after the time asked',
  'off-by-ms': 'samples evaluated 1 ms before the time asked',
  'hex-value': 'value "0x0"',
  'padded-value': 'value " 0 "',
  'underscore-value': 'value "1_0"',
  'infinity-word': 'value "Infinity"',
  'empty-value': 'value ""',
  'plus-value': 'value "+0"',
  'timestamp-string': 'timestamp as a string',
  'other-migration-phase': 'the phase series of another migration_id',
  'other-selector-phase': 'the phase series outside the definition\'s selector (job="other")',
  'other-metric-phase': 'a series of another metric in the phase answer',
  'phase-value-2': 'a phase series whose value is 2 although the query asked for == 1',
  'stray-series': 'an untagged series in the gate answer',
  'ansi-error': 'status error whose message clears the screen and prints a fake verdict',
  'ansi-warning': 'a warning holding terminal control text',
  'ansi-phase': 'a phase label holding terminal control text (C1 CSI and ESC)',
  'ansi-body': 'an HTML error page holding terminal control text',
} as const;
export type Mode = keyof typeof MODES;

const VALUE_OF_MODE: Partial<Record<Mode, string>> = { 'hex-value': '0x0', 'padded-value': ' 0 ', 'underscore-value': '1_0', 'infinity-word': 'Infinity', 'empty-value': '', 'plus-value': '+0' };

/**
 * Behaves like Prometheus for gate and watch queries, answering the phase query with `phase` (for
 * migration `gate-unit` with selector job="unit", the unit fixture) and each gate with
 * `values[gate]` (a missing key = no series for that gate), bent by `mode`.
 */
export function gateAnswers(phase: string | undefined, values: Record<string, string>, mode: Mode = 'honest', migrationId = 'gate-unit'): (query: string, rec?: Recorded) => Reply {
  return (query, rec) => {
    const t = evalTime(rec);
    const at = mode === 'stale' ? t - 3600 : mode === 'future' ? t + 3600 : mode === 'off-by-ms' ? Math.round(t * 1000 - 1) / 1000 : t;
    const isPhase = query.startsWith('migration_phase');
    if (mode === 'ansi-error') return { status: 422, body: JSON.stringify({ status: 'error', errorType: 'execution', error: ANSI_FAKE_GREEN }) };
    if (mode === 'ansi-body') return { status: 502, contentType: 'text/html', body: `<html>${ANSI_FAKE_GREEN}</html>` };
    let samples: { metric: Record<string, string>; value: string }[];
    if (isPhase) {
      if (phase === undefined) samples = [];
      else {
        const metric: Record<string, string> = { __name__: 'migration_phase', migration_id: migrationId, job: 'unit', phase };
        if (mode === 'other-migration-phase') metric.migration_id = 'other-migration';
        if (mode === 'other-selector-phase') metric.job = 'other';
        if (mode === 'other-metric-phase') metric.__name__ = 'up';
        if (mode === 'ansi-phase') metric.phase = `\u009b2J${ANSI_FAKE_GREEN}`;
        samples = [{ metric, value: mode === 'phase-value-2' ? '2' : '1' }];
      }
    } else {
      const forced = VALUE_OF_MODE[mode];
      samples = gateIdsIn(query).filter((id) => id in values).map((id) => ({ metric: { gate: id }, value: forced ?? values[id]! }));
      if (mode === 'stray-series') samples.push({ metric: { __name__: 'up', job: 'x' }, value: '0' });
    }
    const extra: Record<string, unknown> =
      mode === 'warnings' ? { warnings: ['remote_read: error sending request: Post "http://store:9090/api/v1/read": dial tcp: connect: connection refused'] }
      : mode === 'ansi-warning' ? { warnings: [ANSI_FAKE_GREEN] }
      : mode === 'infos' ? { infos: ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "migration_lag_seconds"'] }
      : {};
    const reply = vector(samples, at, extra);
    if (typeof reply === 'object' && mode === 'timestamp-string') reply.body = reply.body.replace(/"value":\[([0-9.]+),/g, '"value":["$1",');
    if (typeof reply === 'object' && mode === 'http-206') reply.status = 206;
    if (typeof reply === 'object' && mode === 'http-203') reply.status = 203;
    return reply;
  };
}
