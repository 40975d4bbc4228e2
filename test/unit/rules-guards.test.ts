/**
 * The gate value's guards, proved with the real promtool on generated tests: with a NaN series
 * among healthy ones, one of the expected series missing, or one too many, the gate is unknown
 * and its absent-signal alert fires. And the generated tests can fail: put back the old, unguarded
 * gate value (`max(signal) >= -Inf`) and promtool must report exactly those cases.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulesFiles } from '../../src/generate/rules';
import { FILES } from '../../src/generate/names';
import { gateValueExpr } from '../../src/generate/rules/promql';
import { loadDefinitionText } from '../../src/pipeline';
import { runTool } from '../helpers/tools';

// A mysql backfill with two replicas (library heartbeat lag, one series per replica) and a gate on
// a signal of its own without a count (the NaN guard alone). The other preset gates are off to
// keep promtool quick.
const DEFINITION = `
apiVersion: migobs/v1
kind: Migration
metadata: {id: guard-check, title: Guard check, owner: team-sre}
spec:
  type: backfill
  engine: mysql
  selector: 'job="runner"'
  targets:
    replicas: {selector: 'instance=~"db[2-9]:9104"', count: 2}
  signals:
    queueLag: {expr: 'max(queue_lag_seconds{queue="orders"})', unit: s}
  gates:
    - {id: active-sessions, enabled: false}
    - {id: history-list-length, enabled: false}
    - {id: batch-error-ratio, enabled: false}
    - {id: batch-duration, enabled: false}
    - {id: mismatch-ratio, enabled: false}
    - {id: app-error-ratio, enabled: false}
    - {id: disk-free, enabled: false}
    - {id: queue-lag, signal: queueLag, pause: 10, rollback: 60, for: 1m, phases: [canary, ramp, full], remediation: Pause.}
`;

const model = (() => {
  const r = loadDefinitionText('guard-check.yaml', DEFINITION);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.migrations[0]!.model;
})();
const files = rulesFiles(model);
const rulesYaml = files.find((f) => f.path === FILES.rules(model.id))!.content;
const testsYaml = files.find((f) => f.path === FILES.rulesTest(model.id))!.content;

function promtoolTest(rules: string): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'migobs-guards-'));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.path === FILES.rules(model.id) ? rules : f.content);
  }
  const r = runTool('promtool', ['test', 'rules', FILES.rulesTest(model.id)], { cwd: dir, timeoutMs: 180_000 });
  return { code: r.code, output: r.stdout + r.stderr };
}

/** The gate value as it was before the guards: the worst series, NaN result dropped. */
const unguarded = (id: string): [string, string] => {
  const g = model.gates.find((x) => x.id === id)!;
  return [gateValueExpr(model, g), `${g.direction === 'above' ? 'max' : 'min'}(${model.signals[g.signal]!.expr}) >= -Inf`];
};

describe('gate value guards in the generated promtool tests', () => {
  it('generates the guard cases for both gates, all built (none skipped)', () => {
    expect(model.gates.map((g) => g.id)).toEqual(['replication-lag', 'queue-lag']);
    expect(model.signals.replicationLag!.expectedSeries).toBe(2);
    for (const name of [
      'gate replication-lag (above, pause 5, rollback 120): one of 2 input series reports NaN, the others green',
      'gate replication-lag (above, pause 5, rollback 120): 1 of the 2 expected series, all green',
      'gate replication-lag (above, pause 5, rollback 120): 3 series where 2 are expected, all green',
      'gate queue-lag (above, pause 10, rollback 60): one of 2 input series reports NaN, the others green',
    ]) {
      expect(testsYaml).toContain(name);
    }
    expect(testsYaml).not.toContain('Cases not generated');
  });

  it('promtool passes on the generated rules', () => {
    const r = promtoolTest(rulesYaml);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  }, 240_000);

  // promtool names no test group in its failures: each guard case checks the gate state once, so
  // count the failed state checks, each this gate reading green (0) where the guard says unknown (3).
  it.each([
    ['replication-lag', 3],
    ['queue-lag', 1],
  ] as const)('gate %s without the guards: promtool fails its %i guard case(s), where the gate read green', (id, guardCases) => {
    const [guarded, old] = unguarded(id);
    expect(rulesYaml).toContain(guarded);
    const r = promtoolTest(rulesYaml.replace(guarded, old));
    expect(r.code).not.toBe(0);
    const gotStates = [...r.output.matchAll(/got: \{__name__="migration:gate:state", gate="([^"]+)", migration_id="guard-check"\} (\S+)/g)].map((m) => [m[1], Number(m[2])]);
    expect(gotStates).toEqual(Array.from({ length: guardCases }, () => [id, 0]));
  }, 240_000);
});
