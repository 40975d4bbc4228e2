/**
 * `gate` evaluation: threshold semantics and every fail-closed path, against a tiny local HTTP
 * server (the real Prometheus is exercised in test/e2e). No answer may ever turn into "proceed".
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classify, exitCodeFor, gatesQuery, runGates, worstState, type GateState } from '../../../src/live/gate';
import { PrometheusClient, parseQueryResponse, authFromEnv } from '../../../src/live/prometheus';
import { loadModel } from '../../../src/live/setup';
import { parsePromql, syntaxProblems } from '../../../src/promql/parse';
import { evalTime, gateAnswers, startFake, vector, type FakePrometheus, type Recorded, type Reply } from '../../helpers/fake-prometheus';

const model = loadModel(join(__dirname, 'gate-fixture.yaml'));
let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const client = (url: string, timeoutMs = 2000, auth = {}): PrometheusClient => new PrometheusClient({ url, timeoutMs, auth });

describe('classify (docs/architecture.md gate semantics)', () => {
  const above = { direction: 'above' as const, pause: 10, rollback: 60 };
  const below = { direction: 'below' as const, pause: 0.2, rollback: 0.1 };
  it.each([
    [above, 0, 'green'],
    [above, 10, 'green'], // exactly at pause: green side
    [above, 10.0001, 'pause'],
    [above, 60, 'pause'], // exactly at rollback: still pause
    [above, 60.5, 'rollback'],
    [below, 0.5, 'green'],
    [below, 0.2, 'green'],
    [below, 0.19, 'pause'],
    [below, 0.1, 'pause'],
    [below, 0.05, 'rollback'],
    [above, Number.NaN, 'unknown'],
    // The bad side's infinity (errors over no traffic) is past every threshold: rollback, as the rules say.
    [above, Infinity, 'rollback'],
    [below, -Infinity, 'rollback'],
    // The good side's infinity is not a measurement: unknown, never green.
    [above, -Infinity, 'unknown'],
    [below, Infinity, 'unknown'],
  ])('%o with value %s is %s', (gate, value, state) => {
    expect(classify(value, gate).state).toBe(state);
  });

  it.each<[GateState[], GateState, number]>([
    [[], 'green', 0],
    [['green', 'pause'], 'pause', 2],
    [['pause', 'rollback', 'green'], 'rollback', 3],
    [['rollback', 'unknown'], 'rollback', 3], // evidence of danger is never hidden by missing data
    [['unknown', 'rollback', 'pause'], 'rollback', 3],
    [['unknown', 'pause'], 'unknown', 4],
    [['green', 'unknown'], 'unknown', 4],
  ])('worst of %o is %s (exit %d)', (states, worst, code) => {
    expect(worstState(states)).toBe(worst);
    expect(exitCodeFor(worstState(states))).toBe(code);
  });
});

describe('batched gate query', () => {
  it('is valid PromQL naming every gate once, with the worst-series aggregation per direction', () => {
    const q = gatesQuery(model, model.gates);
    expect(syntaxProblems(parsePromql(q))).toEqual([]);
    // The same guarded gate value as the recording rule (src/promql/gate-value.ts).
    const lag = 'migration_lag_seconds{migration_id="gate-unit", job="unit"}';
    expect(q).toContain(`label_replace((max(${lag}) + 0 * sum(clamp(${lag}, -1, 1))) > -Inf, "gate", "lag", "", "")`);
    expect(q).toContain('label_replace((min(some_free_ratio) + 0 * sum(clamp(some_free_ratio, -1, 1))) < +Inf, "gate", "free", "", "")');
    expect(q.match(/label_replace\(/g)).toHaveLength(model.gates.length);
  });
});

describe('runGates against an HTTP server', () => {
  it.each([
    ['all green', { lag: '1', errors: '0' }, 'green', 0],
    ['at the thresholds exactly', { lag: '10', errors: '0.05' }, 'green', 0],
    ['one gate past pause', { lag: '11', errors: '0' }, 'pause', 2],
    ['one past rollback, one past pause', { lag: '61', errors: '0.06' }, 'rollback', 3],
    ['one gate with no series', { lag: '1' }, 'unknown', 4],
    ['NaN', { lag: 'NaN', errors: '0' }, 'unknown', 4],
    ['+Inf on an above gate: past every threshold', { lag: '+Inf', errors: '0' }, 'rollback', 3],
    ['-Inf on an above gate: not a measurement', { lag: '-Inf', errors: '0' }, 'unknown', 4],
    ['rollback plus missing data: rollback wins', { lag: '100' }, 'rollback', 3],
    ['pause plus missing data: unknown', { lag: '30' }, 'unknown', 4],
  ])('%s -> %s', async (_name, values, state, code) => {
    fake = await startFake(gateAnswers('canary', values));
    const r = await runGates(client(fake.url), model);
    expect(r.phase).toBe('canary');
    expect(r.gates.map((g) => g.gate)).toEqual(['lag', 'errors']);
    expect(r.state).toBe(state);
    expect(r.exitCode).toBe(code);
    for (const g of r.gates) expect(g.state === 'unknown').toBe(g.reason !== undefined);
  });

  it('asks exactly two queries (phase, then all gates at once), one with --phase', async () => {
    fake = await startFake(gateAnswers('canary', { lag: '1', errors: '0', free: '0.5' }));
    await runGates(client(fake.url), model);
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v1/query', '/api/v1/query']);
    fake.requests.length = 0;
    const r = await runGates(client(fake.url), model, { phase: 'ramp' });
    expect(fake.requests).toHaveLength(1);
    expect(r.gates.map((g) => g.gate)).toEqual(['lag', 'free']);
    expect(r.phaseSource).toBe('flag');
  });

  it('--gate evaluates exactly the named gates, without asking for the phase', async () => {
    fake = await startFake(gateAnswers(undefined, { free: '0.15' }));
    const r = await runGates(client(fake.url), model, { gateIds: ['free'] });
    expect(fake.requests).toHaveLength(1);
    expect(r.gates.map((g) => [g.gate, g.state])).toEqual([['free', 'pause']]);
    expect(r.exitCode).toBe(2);
  });

  it('keeps a path prefix of the Prometheus URL', async () => {
    fake = await startFake(gateAnswers('canary', { lag: '1', errors: '0' }));
    await runGates(client(`${fake.url}/prom/`), model);
    expect(fake.requests[0]!.path).toBe('/prom/api/v1/query');
  });

  const twoPhases = (values: Record<string, string>) => (q: string, rec?: Recorded): Reply =>
    q.startsWith('migration_phase') ? vector([{ metric: { migration_id: 'gate-unit', job: 'unit', phase: 'canary' }, value: '1' }, { metric: { migration_id: 'gate-unit', job: 'unit', phase: 'ramp' }, value: '1' }], evalTime(rec)) : gateAnswers(undefined, values)(q, rec);
  const phaseProblems: [string, (values: Record<string, string>) => (q: string, rec?: Recorded) => Reply, RegExp][] = [
    ['no phase series', (v) => gateAnswers(undefined, v), /no migration_phase series/],
    ['two current phases', twoPhases, /ambiguous/],
    ['a phase the definition does not have', (v) => gateAnswers('warp', v), /not a phase of gate-unit/],
    ['the phase query fails', (v) => (q, rec) => (q.startsWith('migration_phase') ? { status: 503, body: 'overloaded' } : gateAnswers(undefined, v)(q, rec)), /current phase unknown: not a Prometheus answer \(HTTP 503/],
    ['another migration\'s phase series', (v) => gateAnswers('canary', v, 'other-migration-phase'), /holds a series outside migration_id="gate-unit"/],
  ];
  it.each(phaseProblems)('current phase problem: %s -> every gate of every phase is evaluated; all green is still unknown (exit 4)', async (_name, reply, reason) => {
    fake = await startFake(reply({ lag: '1', errors: '0', free: '0.9' }));
    const r = await runGates(client(fake.url), model);
    expect(r.exitCode).toBe(4);
    expect(r.state).toBe('unknown');
    expect(r.reason).toMatch(reason);
    expect(r.evaluated).toBe('all-phases');
    expect(r.gates.map((g) => [g.gate, g.phases, g.state])).toEqual([
      ['lag', ['canary', 'ramp'], 'green'],
      ['errors', ['canary'], 'green'],
      ['free', ['ramp'], 'green'],
    ]);
  });
  it.each(phaseProblems)('current phase problem: %s, one gate past rollback -> rollback (exit 3)', async (_name, reply) => {
    fake = await startFake(reply({ lag: '1', errors: '0', free: '0.05' }));
    const r = await runGates(client(fake.url), model);
    expect(r.exitCode).toBe(3);
    expect(r.gates.find((g) => g.gate === 'free')!.state).toBe('rollback');
  });
  it('current phase unknown and a gate pauses: unknown, not pause (which gates apply is not known)', async () => {
    fake = await startFake(gateAnswers(undefined, { lag: '30', errors: '0', free: '0.9' }));
    const r = await runGates(client(fake.url), model);
    expect(r.exitCode).toBe(4);
  });

  const failures: [string, Reply, RegExp][] = [
    ['HTTP 500 with a text body', { status: 500, body: 'internal error', contentType: 'text/plain' }, /not a Prometheus answer \(HTTP 500/],
    ['HTTP 401', { status: 401, body: 'Unauthorized\n', contentType: 'text/plain' }, /HTTP 401/],
    ['HTTP 503 with a Prometheus-shaped success body', { status: 503, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }) }, /HTTP 503/],
    ['an HTML page (a login proxy)', { body: '<html><body>Sign in</body></html>', contentType: 'text/html' }, /body is not JSON/],
    ['JSON that is not a Prometheus answer', { body: '{"hello":"world"}' }, /without status success\/error/],
    ['status error', { status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }) }, /refused the query.*bad_data: parse error/],
    ['a matrix instead of a vector', { body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }) }, /expected an instant vector/],
    ['a malformed sample', { body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { gate: 'lag' }, value: [1, 'abc'] }] } }) }, /sample value/],
    ['an empty body', { body: '' }, /empty body/],
    ['a connection reset', 'destroy', /cannot reach Prometheus/],
  ];
  it.each(failures)('gate query answered with %s -> every gate unknown (exit 4)', async (_name, reply, reason) => {
    const good = gateAnswers('canary', { lag: '1', errors: '0' });
    fake = await startFake((q, rec) => (q.startsWith('migration_phase') ? good(q, rec) : reply));
    const r = await runGates(client(fake.url), model);
    expect(r.exitCode).toBe(4);
    expect(r.gates.map((g) => g.state)).toEqual(['unknown', 'unknown']);
    expect(r.gates[0]!.reason).toMatch(reason);
  });

  it('a server that never answers times out -> unknown', async () => {
    fake = await startFake(() => 'hang');
    const r = await runGates(client(fake.url, 300), model, { phase: 'canary' });
    expect(r.exitCode).toBe(4);
    expect(r.gates[0]!.reason).toMatch(/within 0.3s \(timeout\)/);
  });

  it('--timeout bounds the whole answer: after the phase query used it up, the gate query is not sent', async () => {
    fake = await startFake(() => 'hang');
    const r = await runGates(client(fake.url, 300), model);
    expect(r.exitCode).toBe(4);
    expect(r.reason).toMatch(/current phase unknown: no answer .* within 0.3s \(timeout\)/);
    expect(r.gates.map((g) => g.reason)).toEqual(Array(3).fill(expect.stringMatching(/within 0.3s \(timeout\)/)));
    expect(fake.requests).toHaveLength(1);
  });

  it('every query of one answer carries the same explicit evaluation time', async () => {
    fake = await startFake(gateAnswers('canary', { lag: '1', errors: '0' }));
    const r = await runGates(client(fake.url), model, { timeMs: 1_750_000_000_123 });
    expect(r.exitCode).toBe(0);
    expect(fake.requests.map((q) => q.time)).toEqual(['1750000000.123', '1750000000.123']);
  });

  it('nothing listening -> unknown', async () => {
    fake = await startFake(() => ({ body: '' }));
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const r = await runGates(client(url), model, { phase: 'canary' });
    expect(r.exitCode).toBe(4);
    expect(r.gates[0]!.reason).toMatch(/cannot reach Prometheus.*ECONNREFUSED/);
  });
});

describe('auth', () => {
  it.each([
    [{ MIGOBS_PROMETHEUS_TOKEN: 's3cret' }, 'Bearer s3cret'],
    [{ MIGOBS_PROMETHEUS_USER: 'ops', MIGOBS_PROMETHEUS_PASSWORD: 'p:w' }, `Basic ${Buffer.from('ops:p:w').toString('base64')}`],
    [{}, undefined],
  ])('env %o sends Authorization %s', async (env, header) => {
    fake = await startFake(gateAnswers('canary', { lag: '1', errors: '0' }));
    await runGates(new PrometheusClient({ url: fake.url, timeoutMs: 2000, auth: authFromEnv(env) }), model);
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([header, header]);
  });

  it('refuses credentials inside the URL (they would show in ps and logs)', () => {
    expect(() => client('http://user:pw@127.0.0.1:9090')).toThrow(/MIGOBS_PROMETHEUS_USER/);
  });
});

describe('TLS with a private CA (--ca-file)', () => {
  it('trusts the given CA and refuses an unknown certificate (unknown, never proceed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-tls-'));
    try {
      // A self-signed certificate for 127.0.0.1, made by the real openssl.
      const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=migobs-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const key = readFileSync(join(dir, 'key.pem'));
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      fake = await startFake(gateAnswers('canary', { lag: '1', errors: '0' }), (h) => createHttpsServer({ key, cert }, h));
      expect(fake.url).toMatch(/^https:/);
      const trusted = await runGates(new PrometheusClient({ url: fake.url, timeoutMs: 2000, ca: cert }), model);
      expect(trusted.exitCode).toBe(0);
      const untrusted = await runGates(new PrometheusClient({ url: fake.url, timeoutMs: 2000 }), model);
      expect(untrusted.exitCode).toBe(4);
      expect(untrusted.reason).toMatch(/SELF_SIGNED|self.signed/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseQueryResponse', () => {
  it('reads a scalar as one unlabelled sample', () => {
    expect(parseQueryResponse(200, 'application/json', JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '2.5'] } }))).toEqual({ samples: [{ metric: {}, value: 2.5, raw: '2.5' }], infos: [] });
  });

  // Go's strconv.FormatFloat(v, 'f', -1, 64) as Prometheus writes values, plus exponents (other servers).
  it.each(['0', '-0', '12', '0.5', '-3.25', '1234567890123', '1e+06', '2.5E-3', 'NaN', '+Inf', '-Inf'])('accepts the value %j', (raw) => {
    const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, raw] }] } });
    expect(parseQueryResponse(200, 'application/json', body).samples[0]!.raw).toBe(raw);
  });
  it.each(['0x0', ' 0 ', '1_0', 'Infinity', '-Infinity', 'inf', 'nan', '', '+1', '.5', '5.', '0b1', '0o7', '1 2', '١'])('refuses the value %j', (raw) => {
    const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, raw] }] } });
    expect(() => parseQueryResponse(200, 'application/json', body)).toThrow(/is not a number as Prometheus writes it/);
  });
  it.each([
    [1750000000.123, undefined],
    [1750000000.1229999, undefined], // float noise of the same millisecond
    [1750000000.122, /stale answer: evaluated at 2025-06-15T15:06:40.122Z, 0.001s before/],
    [1749996400.123, /stale answer: .*3600s before the time asked \(2025-06-15T15:06:40.123Z\)/],
    [1750003600.123, /answer from the future: .*3600s after/],
  ])('a sample evaluated at %d when 1750000000.123 was asked: %s', (ts, error) => {
    const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [ts, '1'] }] } });
    const parse = (): unknown => parseQueryResponse(200, 'application/json', body, 1_750_000_000_123);
    if (error) expect(parse).toThrow(error);
    else expect(parse()).toMatchObject({ samples: [{ value: 1 }] });
  });
  it('passes infos through and refuses warnings', () => {
    const ok = { status: 'success', data: { resultType: 'vector', result: [] } };
    expect(parseQueryResponse(200, '', JSON.stringify({ ...ok, infos: ['PromQL info: x'] })).infos).toEqual(['PromQL info: x']);
    expect(parseQueryResponse(200, '', JSON.stringify({ ...ok, warnings: [] })).samples).toEqual([]);
    expect(() => parseQueryResponse(200, '', JSON.stringify({ ...ok, warnings: ['store down'] }))).toThrow(/partial answer: Prometheus warned "store down"/);
    expect(() => parseQueryResponse(200, '', JSON.stringify({ ...ok, warnings: 'store down' }))).toThrow(/warnings is not a list of strings/);
    expect(() => parseQueryResponse(206, '', JSON.stringify(ok))).toThrow(/HTTP 206 Partial Content/);
  });
});
