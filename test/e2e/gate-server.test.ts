/**
 * The gate server contract (docs/integrations.md): every state and every fault of the one-shot gate
 * maps to its HTTP status on /throttle (gh-ost --throttle-http) and /check (freno-style), the body
 * says why, a verdict that goes stale answers non-200, 50 concurrent HEAD /throttle are each
 * answered within gh-ost's 1 s timeout, and SIGTERM stops the server with exit 0.
 *
 * The real `migobs gate --serve` process is asked over HTTP; Prometheus is a fake that can be bent
 * into every fault (test/helpers/fake-prometheus.ts), and a real Prometheus in the last block.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationMetrics } from '../../src/emitter';
import { gateAnswers, startFake, type FakePrometheus, type Mode, type Reply } from '../helpers/fake-prometheus';
import { ask, check, FIXTURE, startGateServer, type CheckBody, type GateServerProc } from '../helpers/gate-server';
import { migobsAsync, Services, waitFor } from '../helpers/services';

const STATUS = { proceed: 200, pause: 429, rollback: 417, unknown: 503 } as const;
type Verdict = keyof typeof STATUS;

/** What the fake Prometheus does now; switched by each case. */
let behave: (query: string, rec: Parameters<Parameters<typeof startFake>[0]>[1]) => Reply = gateAnswers('canary', { lag: '1', errors: '0' });
const honest = (values: Record<string, string>, mode: Mode = 'honest') => gateAnswers('canary', values, mode);

interface Case {
  name: string;
  reply: typeof behave;
  verdict: Verdict;
  reason: RegExp | null;
}

/** Every state, then every fault of the one-shot gate. Values are green unless the case says otherwise. */
const CASES: Case[] = [
  { name: 'every gate green', reply: honest({ lag: '1', errors: '0' }), verdict: 'proceed', reason: null },
  { name: 'a gate past pause', reply: honest({ lag: '20', errors: '0' }), verdict: 'pause', reason: /^gate lag pause: value 20, pause when > 10$/ },
  { name: 'a gate past rollback', reply: honest({ lag: '100', errors: '0' }), verdict: 'rollback', reason: /^gate lag rollback: value 100, rollback when > 60$/ },
  { name: 'rollback outranks unknown', reply: honest({ lag: '100' }), verdict: 'rollback', reason: /gate lag rollback.*gate errors unknown: no data/ },
  { name: 'pause and unknown: unknown', reply: honest({ lag: '20' }), verdict: 'unknown', reason: /gate errors unknown: no data/ },
  { name: 'empty result (no data)', reply: honest({}), verdict: 'unknown', reason: /gate lag unknown: no data: signal lagSignal returned an empty result/ },
  { name: 'NaN', reply: honest({ lag: 'NaN', errors: '0' }), verdict: 'unknown', reason: /gate lag unknown: signal value is NaN/ },
  { name: 'phase unknown, all green', reply: gateAnswers(undefined, { lag: '1', errors: '0', free: '0.9' }), verdict: 'unknown', reason: /current phase unknown: no migration_phase series/ },
  { name: 'Prometheus 5xx', reply: () => ({ status: 503, contentType: 'text/plain', body: 'overloaded' }), verdict: 'unknown', reason: /not a Prometheus answer \(HTTP 503, body is not JSON/ },
  { name: 'HTML login page', reply: () => ({ status: 200, contentType: 'text/html', body: '<html><body>Sign in</body></html>' }), verdict: 'unknown', reason: /body is not JSON: "<html>/ },
  { name: 'warnings (partial data)', reply: honest({ lag: '1', errors: '0' }, 'warnings'), verdict: 'unknown', reason: /partial answer: Prometheus warned/ },
  { name: 'stale samples (a cache)', reply: honest({ lag: '1', errors: '0' }, 'stale'), verdict: 'unknown', reason: /stale answer: evaluated at .*3600s before the time asked/ },
  { name: 'connection dropped', reply: () => 'destroy', verdict: 'unknown', reason: /cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*(socket hang up|ECONNRESET)/ },
  { name: 'timeout (Prometheus hangs)', reply: () => 'hang', verdict: 'unknown', reason: /no answer from http:\/\/127\.0\.0\.1:\d+ within 2s \(timeout\)/ },
  { name: 'back to green', reply: honest({ lag: '1', errors: '0' }), verdict: 'proceed', reason: null },
];

/** Wait until the server answers from an evaluation that started after `since` (so it saw the new behaviour). */
async function verdictAfter(url: string, since: number, done: (b: CheckBody) => boolean = () => true): Promise<CheckBody> {
  let last: CheckBody | undefined;
  try {
    return await waitFor('an evaluation after the switch', async () => {
      last = await check(url);
      return last.evaluatedAt !== null && Date.parse(last.evaluatedAt) >= since && !last.stale && done(last) ? last : undefined;
    }, 30_000, 100);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast /check: ${JSON.stringify(last)}`);
  }
}

/** gh-ost's contract: n HEAD /throttle at once, each with its own 1 s client timeout. */
async function concurrentHeads(url: string, n: number): Promise<number[]> {
  return Promise.all(Array.from({ length: n }, () => ask(`${url}/throttle`, 'HEAD', 1_000).then((r) => r.status)));
}

describe('gate server against a fake Prometheus: every state and fault', () => {
  const services = new Services();
  let fake: FakePrometheus;
  let server: GateServerProc;

  beforeAll(async () => {
    fake = await startFake((q, rec) => behave(q, rec));
    server = await startGateServer(services, FIXTURE, ['--prometheus-url', fake.url, '--interval', '1s', '--timeout', '2s']);
  });
  afterAll(async () => {
    await services.stopAll();
    await fake?.close();
  });

  it('answers unknown (503) before anything is known, never proceed', async () => {
    // The first evaluation is asked of a Prometheus that never answers within this check.
    const s = services;
    const hangFake = await startFake(() => 'hang');
    try {
      const slow = await startGateServer(s, FIXTURE, ['--prometheus-url', hangFake.url, '--interval', '1s', '--timeout', '60s'], {}, 'gate-server-first');
      const r = await ask(`${slow.url}/throttle`, 'HEAD', 1_000);
      expect(r.status).toBe(503);
      const body = await check(slow.url);
      expect(body).toMatchObject({ verdict: 'unknown', httpStatus: 503, evaluation: null, evaluatedAt: null, verdictAgeSeconds: null });
      expect(body.reason).toMatch(/no verdict yet/);
      await slow.proc.stop();
    } finally {
      await hangFake.close();
    }
  });

  it.each(CASES)('$name -> $verdict', async ({ reply, verdict, reason }) => {
    const since = Date.now();
    behave = reply;
    const body = await verdictAfter(server.url, since, (b) => b.verdict === verdict && (reason === null ? b.reason === null : reason.test(b.reason ?? '')));
    expect(body.httpStatus).toBe(STATUS[verdict]);

    // Each endpoint answers the cached verdict; statuses are the contract.
    const throttleHead = await ask(`${server.url}/throttle`, 'HEAD', 1_000);
    const throttleGet = await ask(`${server.url}/throttle`, 'GET', 1_000);
    const checkGet = await ask(`${server.url}/check`);
    const checkHead = await ask(`${server.url}/check`, 'HEAD');
    const checkPost = await ask(`${server.url}/check`, 'POST', 5_000, JSON.stringify({ name: 'podinfo', namespace: 'test', phase: 'Progressing' }));
    const verdictGet = await ask(`${server.url}/verdict`);
    const rollbackPost = await ask(`${server.url}/rollback`, 'POST', 5_000, '{}');
    // A transition between two of these requests is possible only if the behaviour changed, which it did not.
    expect(throttleHead.status).toBe(STATUS[verdict]);
    expect(throttleHead.body).toBe('');
    expect(throttleHead.headers.get('x-migobs-verdict')).toBe(verdict);
    expect(throttleGet.status).toBe(STATUS[verdict]);
    expect(throttleGet.body.split('\n')[0]).toMatch(new RegExp(`^${verdict}`));
    expect(checkGet.status).toBe(STATUS[verdict]);
    expect(checkHead.status).toBe(STATUS[verdict]);
    expect(checkPost.status).toBe(STATUS[verdict]);
    expect(verdictGet.status).toBe(200);
    expect(JSON.parse(verdictGet.body)).toMatchObject({ verdict });
    expect(rollbackPost.status).toBe(verdict === 'rollback' ? 200 : 412);
    expect(checkGet.headers.get('content-type')).toBe('application/json');
    expect(checkGet.headers.get('cache-control')).toBe('no-store');

    const json = JSON.parse(checkGet.body) as CheckBody;
    expect(json.verdict).toBe(verdict);
    expect(json.stale).toBe(false);
    expect(json.verdictAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(json.verdictAgeSeconds).toBeLessThanOrEqual(json.staleAfterSeconds);
    expect(json.staleAfterSeconds).toBe(3);
    // The evaluation is `migobs gate --json`: value, thresholds, phases, state, reason per gate.
    const lag = json.evaluation!.gates.find((g) => g.gate === 'lag')!;
    expect(lag).toMatchObject({ pause: 10, rollback: 60, phases: ['canary', 'ramp'] });
    expect(Object.keys(lag)).toEqual(expect.arrayContaining(['value', 'state', 'reason']));
  });

  it('a verdict never blocks on Prometheus: 50 concurrent HEAD /throttle while it hangs, each answered within 1 s', async () => {
    behave = () => 'hang';
    await waitFor('the hang to show', async () => ((await check(server.url)).verdict === 'unknown' ? true : undefined), 30_000, 100);
    expect(await concurrentHeads(server.url, 50)).toEqual(Array.from({ length: 50 }, () => 503));
    behave = honest({ lag: '1', errors: '0' });
  });

  it('counts its evaluations, query errors and requests on /metrics', async () => {
    const since = Date.now();
    behave = honest({ lag: '20', errors: '0' });
    await verdictAfter(server.url, since, (b) => b.verdict === 'pause');
    const r = await ask(`${server.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toMatch(/^migobs_gate_server_state\{migration_id="gate-unit"\} 1$/m);
    expect(r.body).toMatch(/^migobs_gate_server_gate_state\{migration_id="gate-unit",gate="lag"\} 1$/m);
    expect(r.body).toMatch(/^migobs_gate_server_gate_value\{migration_id="gate-unit",gate="lag"\} 20$/m);
    expect(r.body).toMatch(/^migobs_gate_server_stale\{migration_id="gate-unit"\} 0$/m);
    expect(r.body).toMatch(/^migobs_gate_server_verdict_age_seconds\{migration_id="gate-unit"\} [0-9.e-]+$/m);
    // The fault cases above failed queries: counted.
    const errors = Number(/^migobs_gate_server_query_errors_total\{migration_id="gate-unit"\} (\d+)$/m.exec(r.body)?.[1]);
    expect(errors).toBeGreaterThan(0);
    expect(r.body).toMatch(/^migobs_gate_server_evaluations_total\{migration_id="gate-unit",verdict="pause"\} [1-9]\d*$/m);
    expect(r.body).toMatch(/^migobs_gate_server_requests_total\{endpoint="\/throttle",code="429"\} [1-9]\d*$/m);
    expect(r.body).toMatch(/^migobs_gate_server_evaluation_duration_seconds_count\{migration_id="gate-unit"\} [1-9]\d*$/m);
    behave = honest({ lag: '1', errors: '0' });
  });

  it('404 for other paths, 405 (with Allow) for other methods, 413 for a body over 64 KiB', async () => {
    expect((await ask(`${server.url}/`)).status).toBe(404);
    expect((await ask(`${server.url}/throttle/`)).status).toBe(404);
    expect((await ask(`${server.url}/api/v1/query`)).status).toBe(404);
    const post = await ask(`${server.url}/throttle`, 'POST', 5_000, '{}');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const del = await ask(`${server.url}/check`, 'DELETE');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await ask(`${server.url}/metrics`, 'POST', 5_000, '')).status).toBe(405);
    const big = await ask(`${server.url}/check`, 'POST', 5_000, 'x'.repeat(70 * 1024)).catch((e: Error) => e);
    // Either the 413 arrives or the socket is closed while the client still sends: never a verdict.
    if (!(big instanceof Error)) expect(big.status).toBe(413);
    expect((await ask(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('gate server: a verdict that goes stale, secrets, signals', () => {
  const services = new Services();
  afterAll(() => services.stopAll());

  it('an evaluation hanging on Prometheus: non-200 once the verdict is older than 3 intervals, never 200 with an older one', async () => {
    let mode: 'green' | 'hang' = 'green';
    const green = gateAnswers('canary', { lag: '1', errors: '0' });
    const fake = await startFake((q, rec) => (mode === 'hang' ? 'hang' : green(q, rec)));
    try {
      // The timeout is far longer than 3 intervals, so only the staleness rule can end "proceed".
      const server = await startGateServer(services, FIXTURE, ['--prometheus-url', fake.url, '--interval', '500ms', '--timeout', '60s'], {}, 'gate-server-stale');
      await verdictAfter(server.url, Date.now(), (b) => b.verdict === 'proceed');
      mode = 'hang';
      const seen: CheckBody[] = [];
      const stale = await waitFor('the verdict to go stale', async () => {
        const b = await check(server.url);
        seen.push(b);
        return b.stale ? b : undefined;
      }, 30_000, 50);
      expect(stale).toMatchObject({ verdict: 'unknown', httpStatus: 503, stale: true });
      expect(stale.reason).toMatch(/^stale verdict: the last finished evaluation is [0-9.]+s old \(more than 3 intervals, 1\.5s\); Prometheus is hanging/);
      expect(stale.verdictAgeSeconds).toBeGreaterThan(1.5);
      // The rule itself: every proceed answered while hanging carried a verdict at most 3 intervals old.
      for (const b of seen.filter((x) => x.verdict === 'proceed')) expect(b.verdictAgeSeconds).toBeLessThanOrEqual(1.5);
      const head = await ask(`${server.url}/throttle`, 'HEAD', 1_000);
      expect(head.status).toBe(503);
      const metrics = await ask(`${server.url}/metrics`);
      expect(metrics.body).toMatch(/^migobs_gate_server_stale\{migration_id="gate-unit"\} 1$/m);
      expect(metrics.body).toMatch(/^migobs_gate_server_state\{migration_id="gate-unit"\} 3$/m);

      // SIGTERM while an evaluation hangs: the query is cancelled, the server closes, exit 0.
      server.proc.child.kill('SIGTERM');
      const code = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('still running 10 s after SIGTERM'), 10_000))]);
      expect(code, server.proc.output()).toBe(0);
      expect(server.proc.output()).toMatch(/SIGTERM: stopped/);
    } finally {
      await fake.close();
    }
  });

  it('never echoes a credential, even when Prometheus puts it in its error message', async () => {
    const token = 'tok-9f8e7d6c5b4a';
    const fake = await startFake((_q, rec) => ({ status: 422, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: `rejected header ${String(rec.headers.authorization)}` }) }));
    try {
      const server = await startGateServer(services, FIXTURE, ['--prometheus-url', fake.url, '--interval', '500ms'], { MIGOBS_PROMETHEUS_TOKEN: token }, 'gate-server-secret');
      const body = await verdictAfter(server.url, 0, (b) => b.verdict === 'unknown' && /rejected header/.test(b.reason ?? ''));
      expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${token}`);
      expect(body.reason).toMatch(/rejected header Bearer \*\*\*/);
      for (const path of ['/check', '/throttle', '/verdict', '/rollback', '/metrics']) {
        const r = await ask(`${server.url}${path}`);
        expect(r.body).not.toContain(token);
      }
      expect(server.proc.output()).toMatch(/rejected header Bearer \*\*\*/);
      expect(server.proc.output()).not.toContain(token);
      // SIGINT stops it cleanly too.
      server.proc.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('warns loudly about a non-loopback --listen address; an address it cannot bind exits 1', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here: the warning comes before the bind fails.
    const r = await migobsAsync(['gate', FIXTURE, '--serve', '--listen', '192.0.2.1:0', '--prometheus-url', 'http://127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/WARNING: --listen 192\.0\.2\.1 is not a loopback address: anyone who can reach this port can read the gates/);
    expect(r.stderr).toMatch(/cannot listen on 192\.0\.2\.1:0: EADDRNOTAVAIL \(no interface of this machine has that address\)/);
  });

  it.each([
    [['--listen', '127.0.0.1:1'], /--listen: needs --serve/],
    [['--serve', '--json'], /--json does not apply to --serve/],
    [['--serve', '--listen', ':9090'], /--listen ":9090": give host:port/],
    [['--serve', '--listen', '127.0.0.1:70000'], /port 70000 is out of range/],
    [['--serve', '--interval', '10ms'], /--interval 10ms is too short: at least 100ms/],
    [['--serve', '--interval', 'soon'], /--interval must be a duration/],
    [['--serve', '--max-connections', '0'], /--max-connections must be a whole number from 1 to 65535/],
    [['--serve', '--phase', 'nope'], /--phase nope: not a phase of gate-unit/],
  ])('usage error %j -> exit 1 before listening', async (args, message) => {
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', 'http://127.0.0.1:1', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/listening on/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('gate server against a real Prometheus', () => {
  const services = new Services();
  let metrics: MigrationMetrics;
  let closeEmitter: () => Promise<void>;
  afterAll(async () => {
    await services.stopAll();
    await closeEmitter?.();
  });

  it('proceed, pause, rollback from scraped values; 50 concurrent HEAD within 1 s; Prometheus gone -> 503', async () => {
    metrics = new MigrationMetrics({ migrationId: 'gate-unit', type: 'backfill', owner: 'team-test', phases: ['canary', 'ramp'], phase: 'canary' });
    metrics.setLag(1);
    const emitter = await metrics.serve(0);
    closeEmitter = emitter.close;
    const prometheus = await services.startPrometheus({ targets: [{ job: 'unit', target: `127.0.0.1:${emitter.port}` }] });
    const server = await startGateServer(services, FIXTURE, ['--prometheus-url', prometheus.url, '--interval', '1s']);

    await verdictAfter(server.url, 0, (b) => b.verdict === 'proceed');
    expect(await concurrentHeads(server.url, 50)).toEqual(Array.from({ length: 50 }, () => 200));

    metrics.setLag(20);
    const pause = await verdictAfter(server.url, Date.now(), (b) => b.verdict === 'pause');
    expect(pause.evaluation!.gates.find((g) => g.gate === 'lag')).toMatchObject({ value: 20, state: 'pause' });
    expect((await ask(`${server.url}/throttle`, 'HEAD', 1_000)).status).toBe(429);

    metrics.setLag(100);
    await verdictAfter(server.url, Date.now(), (b) => b.verdict === 'rollback');
    expect((await ask(`${server.url}/throttle`, 'HEAD', 1_000)).status).toBe(417);
    expect((await ask(`${server.url}/rollback`, 'POST', 5_000, '{}')).status).toBe(200);

    metrics.setLag(1);
    await verdictAfter(server.url, Date.now(), (b) => b.verdict === 'proceed');
    expect((await ask(`${server.url}/throttle`, 'HEAD', 1_000)).status).toBe(200);

    const since = Date.now();
    await services.proc('prometheus').stop();
    const gone = await verdictAfter(server.url, since, (b) => b.verdict === 'unknown');
    expect(gone.reason).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect((await ask(`${server.url}/throttle`, 'HEAD', 1_000)).status).toBe(503);
    expect(await concurrentHeads(server.url, 50)).toEqual(Array.from({ length: 50 }, () => 503));
  });
});
