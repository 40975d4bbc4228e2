/**
 * Why a gate is unknown: the gate value is absent for no data, a NaN series or a wrong series
 * count, and `migobs gate` says which (one more query, only for the empty gates).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { explainQuery, reasonFor } from '../../../src/live/explain';
import { runGates } from '../../../src/live/gate';
import { PrometheusClient } from '../../../src/live/prometheus';
import { parsePromql, syntaxProblems } from '../../../src/promql/parse';
import { check } from '../../helpers/definitions';
import { evalTime, startFake, vector, type FakePrometheus } from '../../helpers/fake-prometheus';

// The README example with two replicas behind a library signal with one series per replica.
const model = (() => {
  const r = check((d) => {
    d.spec.engine = 'mysql';
    d.spec.targets = { database: 'instance="db1:9104"', replicas: { selector: 'instance=~"db2:9104|db3:9104"', count: 2 }, hosts: 'instance="db1:9100"', app: 'job="orders-api"' };
    delete d.spec.signals;
    d.spec.gates = [{ id: 'replication-lag', pause: 10, rollback: 60 }];
  });
  expect(r.diagnostics).toEqual([]);
  return r.migrations[0]!.model;
})();
const lag = model.gates.find((g) => g.id === 'replication-lag')!;

let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('reasons for an unknown gate', () => {
  it.each([
    [0, 0, 'no data: signal replicationLag returned an empty result (reading spec.targets.replicas: instance=~"db2:9104|db3:9104")'],
    [2, 1, '1 of 2 series of signal replicationLag is not a number (NaN); max/min would skip it and answer from the others, so the gate is unknown until every series reports a number'],
    [1, 1, 'signal replicationLag has 1 series where spec.targets.replicas.count expects exactly 2: 1 stopped reporting (a vanished replica is unknown, never green)'],
    [3, 3, 'signal replicationLag has 3 series where spec.targets.replicas.count expects exactly 2: the selector matches more than the target (check it)'],
  ])('%i series, %i numbers', (series, numbers, reason) => {
    expect(reasonFor(model, lag, series, numbers)).toContain(reason);
  });

  it('counts that look right: the worst series is the good side\'s infinity (-Inf for an above gate)', () => {
    expect(reasonFor(model, lag, 2, 2)).toBe('signal replicationLag is -Inf at its worst series, which is not a measurement (an infinity past every threshold would be rollback; this one is on the good side) (reading spec.targets.replicas: instance=~"db2:9104|db3:9104")');
  });

  it('the explanation query is valid PromQL over the gate value\'s inner vector', () => {
    const q = explainQuery(model, [lag]);
    expect(syntaxProblems(parsePromql(q))).toEqual([]);
    expect(q).toContain('"migobs_explain", "replication-lag:series"');
    expect(q).toContain('count((max by (instance) (mysql_heartbeat_now_timestamp_seconds{instance=~"db2:9104|db3:9104"}');
  });

  it('runGates asks for the counts only when a gate came back empty, and reports the cause', async () => {
    fake = await startFake((query, rec) => {
      if (query.includes('"migobs_explain"')) {
        return vector(
          [
            { metric: { migobs_explain: 'replication-lag:series' }, value: '2' },
            { metric: { migobs_explain: 'replication-lag:numbers' }, value: '1' },
          ],
          evalTime(rec),
        );
      }
      return vector([], evalTime(rec));
    });
    const r = await runGates(new PrometheusClient({ url: fake.url, timeoutMs: 2000, auth: {} }), model, { gateIds: ['replication-lag'] });
    expect(r.exitCode).toBe(4);
    expect(r.gates[0]!.reason).toMatch(/^1 of 2 series of signal replicationLag is not a number/);
    expect(fake.requests).toHaveLength(2);
  });

  it('a failing explanation query leaves the plain reason (still unknown)', async () => {
    fake = await startFake((query, rec) => (query.includes('"migobs_explain"') ? { status: 500, body: 'boom' } : vector([], evalTime(rec))));
    const r = await runGates(new PrometheusClient({ url: fake.url, timeoutMs: 2000, auth: {} }), model, { gateIds: ['replication-lag'] });
    expect(r.gates[0]).toMatchObject({ state: 'unknown', reason: 'no data: signal replicationLag returned an empty result' });
  });
});
