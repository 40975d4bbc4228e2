/**
 * Partial data from a real Prometheus: Prometheus A scrapes replica r1 (lag 0) and the runner's
 * migration_phase, and reads Prometheus B through remote_read; B alone scrapes replica r2, whose lag
 * is 100 (past the rollback threshold of 60). While B answers, A's answer holds both replicas and the
 * gate rolls back. With B stopped, A still answers `"status":"success"` — with r1 only (lag 0) and a
 * `warnings` entry saying the remote read failed. Taken at face value that is "proceed"; migobs must
 * answer unknown (exit 4), never 0. docs/security.md "Doubtful answers".
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askGateUntil, gateOf } from '../helpers/gate';
import { closeServers, metricsServer } from '../helpers/http-fixtures';
import { migobsAsync, Services, sleep, waitFor, type AsyncCliResult, type Prometheus } from '../helpers/services';

const DEFINITION = join(__dirname, 'fixtures', 'partial-data.yaml');

describe('a remote-read store goes down: partial data is unknown, never proceed', () => {
  const services = new Services();
  const servers: Server[] = [];
  let a: Prometheus;

  const gate = (...extra: string[]): Promise<AsyncCliResult> => migobsAsync(['gate', DEFINITION, '--prometheus-url', a.url, '--timeout', '10s', '--json', ...extra]);

  beforeAll(async () => {
    try {
      const local = await metricsServer(['# TYPE replica_lag_seconds gauge', 'replica_lag_seconds{replica="r1"} 0', '# TYPE migration_phase gauge', 'migration_phase{migration_id="partial-data-e2e",phase="canary"} 1']);
      const remote = await metricsServer(['# TYPE replica_lag_seconds gauge', 'replica_lag_seconds{replica="r2"} 100']);
      servers.push(local.server, remote.server);
      const b = await services.startPrometheus({ name: 'prometheus-b', targets: [{ job: 'replicas-b', target: remote.target }] });
      a = await services.startPrometheus({ name: 'prometheus-a', targets: [{ job: 'partial-data-runner', target: local.target }], remoteRead: [`${b.url}/api/v1/read`] });
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 60_000);

  afterAll(async () => {
    await services.stopAll();
    closeServers(servers);
  });

  it('store B up: A answers both replicas, the gate sees lag 100 and rolls back (exit 3)', async () => {
    // Until A has scraped the runner (phase) and B has scraped r2, the answer may be something else.
    const { answer } = await askGateUntil(() => gate(), 'gate to exit 3 in phase canary through remote read', (r) => r.result.code === 3 && r.answer?.phase === 'canary');
    expect(answer!.phase).toBe('canary');
    expect(gateOf(answer!, 'replica-lag')).toMatchObject({ state: 'rollback', value: 100 });
  }, 40_000);

  it('store B stopped: A answers success with r1 only and a warning; the gate is unknown (exit 4), never 0', async () => {
    await services.proc('prometheus-b').stop();
    // The same question asked of A directly: a success holding only r1 (lag 0) plus a warning. This
    // is the answer that would read as "proceed" if the warning were ignored.
    type Answer = { status: string; warnings?: string[]; data: { result: { value: [number, string] }[] } };
    const direct = await waitFor('A to answer success with r1 only and a remote-read warning', async () => {
      const j = (await fetch(`${a.url}/api/v1/query?${new URLSearchParams({ query: 'max(replica_lag_seconds)' })}`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.json())) as Answer;
      return j.status === 'success' && j.warnings?.length && j.data.result.map((x) => x.value[1]).join() === '0' ? j : undefined;
    }, 30_000, 500);
    expect(direct.warnings!.join(' ')).toMatch(/read/i);

    for (const extra of [[], ['--phase', 'canary']]) {
      const r = await gate(...extra);
      expect(r.code, r.stdout + r.stderr).toBe(4);
      const answer = JSON.parse(r.stdout) as { gates: { gate: string; state: string; value: number | null; reason: string }[] };
      expect(answer.gates.find((g) => g.gate === 'replica-lag')).toMatchObject({ state: 'unknown', value: null, reason: expect.stringMatching(/^partial answer: Prometheus warned /) });
      expect(r.stderr).toMatch(/gate replica-lag unknown: partial answer/);
    }
    // And it stays so: asked again and again, never 0.
    for (let i = 0; i < 3; i++) {
      await sleep(500);
      expect((await gate()).code).toBe(4);
    }
  }, 60_000);
});
