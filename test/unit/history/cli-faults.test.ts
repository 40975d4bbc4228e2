/**
 * Faults of `migobs baseline` and `migobs backtest` (the built CLI against a fake Prometheus):
 * Prometheus down, failing mid-way, doubtful answers, a range needing too many points, bad input.
 * Always a clear message, exit 1, no report on stdout, and the definition untouched by --write.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migobsAsync } from '../../helpers/services';
import { matrix, startFake, type FakePrometheus, type Recorded, type Reply } from '../../helpers/fake-prometheus';

const FIXTURE = join(__dirname, '..', '..', 'e2e', 'fixtures', 'history-unit.yaml');
const END = '2026-11-30T12:00:00Z';
let fake: FakePrometheus | undefined;
let dir: string;
let def: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migobs-history-cli-'));
  def = join(dir, 'def.yaml');
  writeFileSync(def, readFileSync(FIXTURE, 'utf8'));
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Honest answers: lag 20 (crosses pause 10), free 0.5, the phase canary; `bend` may replace any. */
const honest = (q: string, rec: Recorded): Reply => {
  if (q.includes('replica_lag_seconds')) return matrix(rec, [{ metric: {}, value: () => '20' }]);
  if (q.includes('free_ratio')) return matrix(rec, [{ metric: {}, value: () => '0.5' }]);
  if (q.includes('migration_phase')) return matrix(rec, [{ metric: { migration_id: 'hist-unit', phase: 'canary' }, value: () => '1' }]);
  return matrix(rec, []);
};
const baseline = (url: string, extra: string[] = []) => migobsAsync(['baseline', def, '--prometheus-url', url, '--end', END, '--window', '1d', '--step', '1m', '--write', ...extra]);
const backtest = (url: string, extra: string[] = []) => migobsAsync(['backtest', def, '--prometheus-url', url, '--from', '2026-11-30T10:00:00Z', '--to', END, '--step', '1m', ...extra]);
const untouched = () => {
  expect(readFileSync(def, 'utf8')).toBe(readFileSync(FIXTURE, 'utf8'));
  expect(readdirSync(dir)).toEqual(['def.yaml']); // no temp file left behind
};

describe('history commands: faults', () => {
  it('honest answers: baseline --write changes the file (the fault cases below would too)', async () => {
    fake = await startFake(honest);
    const r = await baseline(fake.url);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(def, 'utf8')).toMatch(/pause: 24 {10}# preset value/);
  });

  it('Prometheus down: exit 1, nothing written', async () => {
    fake = await startFake(honest);
    const url = fake.url;
    await fake.close();
    fake = undefined;
    for (const r of [await baseline(url), await backtest(url)]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^migobs: (baseline|backtest): (gate lag|migration phase): range query failed.*: cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*; nothing is reported from a partial range$/m);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe('');
    }
    untouched();
  });

  const midway: [string, Reply][] = [
    ['HTTP 503', { status: 503, contentType: 'text/plain', body: 'overloaded' }],
    ['warnings (partial data)', { body: JSON.stringify({ status: 'success', warnings: ['store down'], data: { resultType: 'matrix', result: [] } }) }],
    ['an error answer', { status: 422, body: JSON.stringify({ status: 'error', errorType: 'execution', error: 'too many samples' }) }],
  ];
  it.each(midway)('failing mid-way (%s): exit 1, nothing written, no made-up number', async (_name, bad) => {
    // The lag gate is answered; the second chunk of the free gate fails.
    let freeRequests = 0;
    fake = await startFake((q, rec) => (q.includes('free_ratio') && ++freeRequests === 2 ? bad : honest(q, rec)));
    const r = await baseline(fake.url);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^migobs: baseline: gate free: range query failed \(chunk 2 of 2, .*\): .*; nothing is reported from a partial range$/m);
    expect(r.stdout).toBe('');
    untouched();
  });

  it('backtest failing mid-way: exit 1, no report', async () => {
    let n = 0;
    fake = await startFake((q, rec) => (q.includes('free_ratio') && ++n === 1 ? { status: 503, contentType: 'text/plain', body: 'overloaded' } : honest(q, rec)));
    const r = await backtest(fake.url);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^migobs: backtest: gate free: range query failed: not a Prometheus answer \(HTTP 503/m);
    expect(r.stdout).toBe('');
  });

  it('a range needing too many points: refused before any query, exit 1', async () => {
    fake = await startFake(honest);
    const r = await baseline(fake.url, ['--window', '30d', '--step', '1s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^migobs: baseline: .* at step 1s needs 2592001 points, more than the limit of 200000: use a step of at least 15s or a shorter range$/m);
    const b = await backtest(fake.url, ['--from', '2026-01-01T00:00:00Z', '--step', '1s', '--phase', 'canary']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/needs \d+ points, more than the limit of 200000/);
    expect(fake.requests).toHaveLength(0);
    untouched();
  });

  it.each([
    [['backtest', '--from', 'yesterday', '--to', 'now'], /--from "yesterday" is not a time: use RFC 3339/],
    [['backtest', '--from', 'now', '--to', 'now-1h'], /--to must be after --from/],
    [['backtest', '--from', 'now-1h', '--to', 'now', '--phase', 'nope'], /--phase nope: not a phase of hist-unit/],
    [['backtest', '--to', 'now'], /--from and --to are required/],
    [['baseline', '--window', '7x'], /--window must be a duration/],
    [['baseline', '--margin', 'lots'], /--margin must be a percentage/],
    [['baseline', '--max-points', '0'], /--max-points must be a whole number/],
  ])('bad input %j: exit 1', async (args, message) => {
    fake = await startFake(honest);
    const [cmd, ...rest] = args;
    const r = await migobsAsync([cmd!, def, '--prometheus-url', fake.url, ...rest]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(fake.requests).toHaveLength(0);
    untouched();
  });

  it('every chunk carries the auth header and the exact grid', async () => {
    fake = await startFake(honest);
    const r = await migobsAsync(['baseline', FIXTURE, '--prometheus-url', fake.url, '--end', END, '--window', '1d', '--step', '1m', '--json'], { env: { MIGOBS_PROMETHEUS_TOKEN: 'sekret' } });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests.length).toBe(3 * 2); // 3 gates x 1441 steps in chunks of 1000
    for (const q of fake.requests) {
      expect(q.path).toBe('/api/v1/query_range');
      expect(q.headers.authorization).toBe('Bearer sekret');
      expect(q.params.step).toBe('60.000');
    }
    expect(r.stdout).not.toMatch(/sekret/);
  });
});
