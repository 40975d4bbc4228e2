/**
 * src/live/range-query.ts against the fake Prometheus: chunking on the exact grid, the point bound,
 * and every way a chunk can fail ending the whole query (never a partial range).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusClient, PrometheusError } from '../../../src/live/prometheus';
import { alignToStep, checkRangeSize, pickStep, queryRange, RangeTooLargeError, stepCount } from '../../../src/live/range-query';
import { matrix, rangeTimes, startFake, type FakePrometheus, type Recorded, type Reply } from '../../helpers/fake-prometheus';

let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const T0 = Date.UTC(2026, 10, 1); // 2026-11-01T00:00:00Z
const client = (url: string, extra: Partial<ConstructorParameters<typeof PrometheusClient>[0]> = {}) => new PrometheusClient({ url, timeoutMs: 5000, ...extra });
const lag = (t: number): string => String((t - T0 / 1000) % 100);

describe('grid helpers', () => {
  it.each([
    [0, 0, 1000, 1],
    [0, 999, 1000, 1],
    [0, 1000, 1000, 2],
    [0, 3_600_000, 60_000, 61],
    [10, 5, 1, 0],
  ])('stepCount(%d, %d, %d) = %d', (a, b, s, n) => expect(stepCount(a, b, s)).toBe(n));

  it('alignToStep rounds down to a multiple of the step since the epoch', () => {
    expect(alignToStep(T0 + 59_999, 60_000)).toBe(T0);
    expect(alignToStep(T0 + 60_000, 60_000)).toBe(T0 + 60_000);
  });

  it.each([
    [7 * 86_400_000, 11_000, 1000, 60_000],
    [3_600_000, 11_000, 15_000, 15_000],
    [3_600_000, 11_000, 1000, 1000],
    [365 * 86_400_000, 100, 1000, 4 * 86_400_000],
  ])('pickStep(%d ms, max %d steps, min %d) = %d', (range, max, min, step) => {
    const s = pickStep(range, max, min);
    expect(s).toBe(step);
    expect(Math.floor(range / s) + 1).toBeLessThanOrEqual(max);
  });

  it('checkRangeSize names a step that fits', () => {
    expect(() => checkRangeSize(T0, T0 + 7 * 86_400_000, 15_000, 10_000)).toThrow(
      /2026-11-01T00:00:00.000Z to 2026-11-08T00:00:00.000Z at step 15s needs 40321 points, more than the limit of 10000: use a step of at least 2m or a shorter range/,
    );
    expect(checkRangeSize(T0, T0 + 7 * 86_400_000, 120_000, 10_000)).toBe(5041);
  });
});

describe('queryRange against a fake Prometheus', () => {
  it('splits a long range into small requests on one grid and merges the series', async () => {
    fake = await startFake((_q, rec) => matrix(rec, [
      { metric: { gate: 'lag' }, value: lag },
      // A series that exists only in the second half: its points must stay where they were.
      { metric: { gate: 'late' }, value: (t) => (t >= T0 / 1000 + 1500 * 15 ? '1' : undefined) },
    ]));
    const end = T0 + 2499 * 15_000;
    const answer = await queryRange(client(fake.url), 'max(migration_lag_seconds)', { startMs: T0, endMs: end + 14_000, stepMs: 15_000, pointsPerRequest: 1000 });
    expect(answer.requests).toBe(3);
    expect(answer.steps).toBe(2500);
    expect(answer.endMs).toBe(end);
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v1/query_range', '/api/v1/query_range', '/api/v1/query_range']);
    // Contiguous chunks, no overlap, no gap: the union of evaluation times is exactly the grid.
    const times = fake.requests.flatMap((r) => rangeTimes(r));
    expect(times).toEqual(Array.from({ length: 2500 }, (_, k) => T0 / 1000 + k * 15));
    for (const r of fake.requests) expect(r.params).toMatchObject({ query: 'max(migration_lag_seconds)', step: '15.000' });
    const byGate = Object.fromEntries(answer.series.map((s) => [s.metric.gate, s.points]));
    expect(byGate.lag).toHaveLength(2500);
    expect(byGate.lag!.slice(0, 3)).toEqual([[T0, 0], [T0 + 15_000, 15], [T0 + 30_000, 30]]);
    expect(byGate.late).toHaveLength(1000);
    expect(byGate.late![0]![0]).toBe(T0 + 1500 * 15_000);
  });

  it('keeps NaN and ±Inf as Prometheus wrote them (the caller decides what they mean)', async () => {
    const values = ['NaN', '+Inf', '-Inf', '2.5'];
    fake = await startFake((_q, rec) => matrix(rec, [{ metric: {}, value: (t) => values[(t - T0 / 1000) / 60] }]));
    const answer = await queryRange(client(fake.url), 'x', { startMs: T0, endMs: T0 + 180_000, stepMs: 60_000 });
    expect(answer.series[0]!.points.map(([, v]) => v)).toEqual([NaN, Infinity, -Infinity, 2.5]);
  });

  it('an empty answer is no series (no data), not zeros', async () => {
    fake = await startFake((_q, rec) => matrix(rec, []));
    const answer = await queryRange(client(fake.url), 'x', { startMs: T0, endMs: T0 + 3_600_000, stepMs: 60_000 });
    expect(answer.series).toEqual([]);
    expect(answer.steps).toBe(61);
  });

  it('sends the auth header on every chunk and collects infos', async () => {
    fake = await startFake((_q, rec) => matrix(rec, [{ metric: {}, value: () => '1' }], { infos: ['PromQL info: something'] }));
    const answer = await queryRange(client(fake.url, { auth: { bearerToken: 'tok' } }), 'x', { startMs: T0, endMs: T0 + 99 * 60_000, stepMs: 60_000, pointsPerRequest: 40 });
    expect(fake.requests).toHaveLength(3);
    for (const r of fake.requests) expect(r.headers.authorization).toBe('Bearer tok');
    expect(answer.infos).toEqual(['PromQL info: something']);
  });

  it('refuses a range needing too many points before asking anything', async () => {
    fake = await startFake((_q, rec) => matrix(rec, []));
    await expect(queryRange(client(fake.url), 'x', { startMs: T0, endMs: T0 + 30 * 86_400_000, stepMs: 15_000, maxPoints: 50_000 })).rejects.toThrow(RangeTooLargeError);
    await expect(queryRange(client(fake.url), 'x', { startMs: T0, endMs: T0 + 30 * 86_400_000, stepMs: 15_000, maxPoints: 50_000 })).rejects.toThrow(/needs 172801 points, more than the limit of 50000: use a step of at least 1m/);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses as soon as the series returned make the answer too large', async () => {
    fake = await startFake((_q, rec) => matrix(rec, [1, 2, 3].map((i) => ({ metric: { instance: `db-${i}` }, value: () => '1' }))));
    await expect(queryRange(client(fake.url), 'x', { startMs: T0, endMs: T0 + 999 * 60_000, stepMs: 60_000, maxPoints: 2500 })).rejects.toThrow(/returns 3 or more series of 1000 points, more than the limit of 2500 points/);
  });

  it('refuses an empty or reversed range and a bad step', async () => {
    fake = await startFake((_q, rec) => matrix(rec, []));
    await expect(queryRange(client(fake.url), 'x', { startMs: T0, endMs: T0 - 1, stepMs: 1000 })).rejects.toThrow(/must end after it starts/);
    await expect(queryRange(client(fake.url), 'x', { startMs: T0, endMs: T0 + 1000, stepMs: 0 })).rejects.toThrow(/step must be/);
    expect(fake.requests).toHaveLength(0);
  });

  const failing: [string, (n: number, rec: Recorded) => Reply, RegExp][] = [
    ['HTTP 503 on the second chunk', (n) => ({ status: 503, contentType: 'text/plain', body: 'Service Unavailable' }), /range query failed \(chunk 2 of 3, 2026-11-01T00:40:00.000Z to 2026-11-01T01:19:00.000Z\): not a Prometheus answer \(HTTP 503, body is not JSON: "Service Unavailable"\); nothing is reported from a partial range/],
    ['an error answer', () => ({ status: 422, body: JSON.stringify({ status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' }) }), /chunk 2 of 3.*Prometheus refused the query \(HTTP 422, execution: query processing would load too many samples/],
    ['warnings (partial data)', (_n, rec) => matrix(rec, [{ metric: {}, value: () => '1' }], { warnings: ['store gateway down'] }), /chunk 2 of 3.*partial answer: Prometheus warned "store gateway down"/],
    ['HTTP 206', (_n, rec) => ({ ...(matrix(rec, [{ metric: {}, value: () => '1' }]) as object), status: 206 }) as Reply, /chunk 2 of 3.*HTTP 206 Partial Content/],
    ['an instant vector instead of a matrix', () => ({ body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }) }), /chunk 2 of 3.*expected a range vector \(matrix\), got resultType "vector"/],
    ['a sample off the grid (a frontend aligning steps)', (_n, rec) => ({ body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[Number(rec.params.start) + 30, '1']] }] } }) }), /chunk 2 of 3.*a sample evaluated at 2026-11-01T00:40:30.000Z, not on the evaluation grid asked \(every 1m from 2026-11-01T00:40:00.000Z/],
    ['a sample outside the chunk', (_n, rec) => ({ body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[Number(rec.params.end) + 60, '1']] }] } }) }), /chunk 2 of 3.*not on the evaluation grid asked/],
    ['points out of order', (_n, rec) => ({ body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[Number(rec.params.start) + 60, '1'], [Number(rec.params.start), '1']] }] } }) }), /chunk 2 of 3.*out of time order/],
    ['the same series twice', (_n, rec) => ({ body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: 'b' }, values: [] }, { metric: { a: 'b' }, values: [] }] } }) }), /chunk 2 of 3.*the same series twice/],
    ['a value Prometheus never writes', (_n, rec) => matrix(rec, [{ metric: {}, value: () => '0x1' }]), /chunk 2 of 3.*sample value "0x1" is not a number/],
    ['the connection dropped', () => 'destroy', /chunk 2 of 3.*cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*socket hang up/],
    ['no answer (timeout)', () => 'hang', /chunk 2 of 3.*no answer from http:\/\/127\.0\.0\.1:\d+ within 2s \(timeout\)/],
  ];

  it.each(failing)('a chunk failing mid-way ends the whole query: %s', async (_name, bad, message) => {
    let n = 0;
    fake = await startFake((_q, rec) => (++n === 2 ? bad(n, rec) : matrix(rec, [{ metric: {}, value: () => '1' }])));
    const done: number[] = [];
    const p = queryRange(client(fake.url, { timeoutMs: 2000 }), 'x', { startMs: T0, endMs: T0 + 119 * 60_000, stepMs: 60_000, pointsPerRequest: 40, onChunk: (d) => done.push(d) });
    await expect(p).rejects.toThrow(PrometheusError);
    await expect(p).rejects.toThrow(message);
    expect(done).toEqual([1]);
    expect(fake.requests).toHaveLength(2); // stops at the failing chunk
  });

  it('Prometheus down: a clear error, no result', async () => {
    fake = await startFake(() => ({ body: '' }));
    const url = fake.url;
    await fake.close();
    fake = undefined;
    await expect(queryRange(client(url), 'x', { startMs: T0, endMs: T0 + 60_000, stepMs: 60_000 })).rejects.toThrow(/range query failed: cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});
