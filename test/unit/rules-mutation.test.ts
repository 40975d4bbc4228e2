/**
 * Issue 5: the generated tests must be able to fail. Change ONE gate threshold in a generated
 * rules.yaml (pause or rollback, of an `above` and of a `below` gate) and promtool test rules
 * must then fail, while the untouched file passes. The same for the lifecycle (issue 12 item 5):
 * drop the guard, the finished state, the schedule, the runner's memory or the phase fallback.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILES } from '../../src/generate/names';
import { rulesFiles } from '../../src/generate/rules';
import {
  currentPhaseExpr,
  gateAbsentExpr,
  gateAlertExpr,
  gateStateExpr,
  lifecycleActiveExpr,
  lifecycleGuardSelector,
  promNumber,
  runnerSeenExpr,
  runnerFinishedExpr,
} from '../../src/generate/rules/promql';
import type { ResolvedGate, ResolvedMigration } from '../../src/model/types';
import { loadDefinitionText } from '../../src/pipeline';
import { writeTree } from '../helpers/outputs';
import { PROMTOOL_TEST_MS, PROMTOOL_TEST_TIMEOUT, runTool } from '../helpers/tools';

const DEFINITION = `
apiVersion: migobs/v1
kind: Migration
metadata: {id: mutation-check, title: Mutation check, owner: team-sre}
spec:
  type: backfill
  engine: generic
  selector: 'job="runner"'
  signals:
    lag: {expr: 'max(migration_lag_seconds)', unit: s}
    errors: {expr: '(sum(rate(migration_errors_total[5m])) or vector(0)) / clamp_min(sum(rate(migration_rows_processed_total[5m])), 1)', unit: ratio}
    freeDisk: {expr: 'min(node_filesystem_avail_bytes{mountpoint="/data"} / node_filesystem_size_bytes{mountpoint="/data"})', unit: ratio}
  gates:
    # Only the three gates under test (the preset's own gates are switched off to keep promtool fast).
    - {id: replication-lag, enabled: false}
    - {id: batch-error-ratio, enabled: false}
    - {id: batch-duration, enabled: false}
    - {id: mismatch-ratio, enabled: false}
    - {id: app-error-ratio, enabled: false}
    - {id: disk-free, enabled: false}
    - {id: lag, signal: lag, pause: 10, rollback: 60, for: 2m, phases: [canary, ramp, full], remediation: Halve the batch size.}
    - {id: error-ratio, signal: errors, pause: 0.01, rollback: 0.05, for: 1m, rollbackFor: 3m, remediation: Pause.}
    - {id: free-disk, signal: freeDisk, direction: below, pause: 0.2, rollback: 0.1, for: 2m, remediation: Free space.}
`;

const load = (text: string): ResolvedMigration => {
  const r = loadDefinitionText('mutation-check.yaml', text);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.migrations[0]!.model;
};
const model = load(DEFINITION);
if (model.gates.map((g) => g.id).join() !== 'lag,error-ratio,free-disk') throw new Error(`unexpected gates ${model.gates.map((g) => g.id).join()}`);
const files = rulesFiles(model);
const rulesYaml = files.find((f) => f.path === FILES.rules(model.id))!.content;

// The same migration inside a change window that promtool's 1970 clock never reaches.
const scheduled = load(DEFINITION.replace("  selector: 'job=\"runner\"'\n", "  selector: 'job=\"runner\"'\n  schedule: {notBefore: '2027-01-12T21:00:00+01:00', notAfter: '2027-01-13T05:00:00+01:00'}\n"));
if (!scheduled.schedule) throw new Error('the scheduled mutation definition has no schedule');
const scheduledFiles = rulesFiles(scheduled);
const scheduledRules = scheduledFiles.find((f) => f.path === FILES.rules(scheduled.id))!.content;

function promtoolTest(rules: string, generated = files): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'migobs-mutation-'));
  writeTree(dir, generated);
  writeFileSync(join(dir, FILES.rules(model.id)), rules);
  const r = runTool('promtool', ['test', 'rules', FILES.rulesTest(model.id)], { cwd: dir, timeoutMs: PROMTOOL_TEST_MS });
  return { code: r.code, output: r.stdout + r.stderr };
}

/**
 * Move one threshold of one gate by 2 % (the "just past" cases sit 1 % beyond it), in every rule
 * that uses it: the alert and the gate state.
 */
function mutate(gate: ResolvedGate, which: 'pause' | 'rollback', factor: number): string {
  const moved: ResolvedGate = { ...gate, [which]: gate[which] * factor };
  let text = rulesYaml;
  const swaps: Array<[string, string]> = [
    [gateAlertExpr(model, gate, gate[which]), gateAlertExpr(model, moved, moved[which])],
    [gateStateExpr(model, gate), gateStateExpr(model, moved)],
  ];
  for (const [from, to] of swaps) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  expect(text).not.toBe(rulesYaml);
  return text;
}

describe('promtool test rules catches a single changed threshold', { timeout: PROMTOOL_TEST_TIMEOUT }, () => {
  it('passes on the generated rules.yaml', () => {
    const r = promtoolTest(rulesYaml);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  const cases = (['lag', 'error-ratio', 'free-disk'] as const).flatMap((gate) =>
    (['pause', 'rollback'] as const).flatMap((which) => [1.02, 0.98].map((factor) => [gate, which, factor] as const)),
  );
  it.each(cases)('gate %s: %s threshold times %s fails', (gateId, which, factor) => {
    const gate = model.gates.find((g) => g.id === gateId)!;
    const r = promtoolTest(mutate(gate, which, factor));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('FAILED');
    // promtool 2.x names the group of a failing alert_rule_test, and a failing promql_expr_test by
    // its expression: either way, this gate's.
    const group = `gate ${gateId} (${gate.direction}, pause ${promNumber(gate.pause)}, rollback ${promNumber(gate.rollback)})`;
    expect(r.output.includes(group) || r.output.includes(`gate=\\"${gateId}\\"`), r.output).toBe(true);
  });

  it.each([
    ['lag', 'pause', '>', '>='],
    ['free-disk', 'rollback', '<', '<='],
  ] as const)('gate %s: %s comparison loosened from %s to %s fails (the at-threshold case pins it)', (gateId, which, from, to) => {
    const gate = model.gates.find((g) => g.id === gateId)!;
    const expr = gateAlertExpr(model, gate, gate[which]);
    const loosened = expr.replace(` ${from} ${promNumber(gate[which])})`, ` ${to} ${promNumber(gate[which])})`);
    expect(loosened).not.toBe(expr);
    const r = promtoolTest(rulesYaml.replace(expr, loosened));
    expect(r.code).not.toBe(0);
    // Only the at-threshold case holds the value exactly there: its "not even pending" query fails.
    const alert = which === 'pause' ? 'MigrationGatePause' : 'MigrationGateRollback';
    expect(r.output).toContain(`expr: "ALERTS{alertname=\\"${alert}\\", migration_id=\\"mutation-check\\", gate=\\"${gateId}\\"}"`);
    expect(r.output).toMatch(new RegExp(`got: \\{__name__="ALERTS", action="${which}", alertname="${alert}", alertstate="pending", gate="${gateId}"`));
  });

  // The absent-signal alert is listed in full only in the "signal absent" case; every other case
  // checks with an ALERTS query that this gate's absent alert is quiet. Make it fire on a present
  // signal (absent(x) -> x) and those queries must fail.
  it.each(['lag', 'free-disk'] as const)('gate %s: an absent-signal alert that fires while the signal is present fails', (gateId) => {
    const gate = model.gates.find((g) => g.id === gateId)!;
    const expr = gateAbsentExpr(model, gate);
    const present = expr.replace(/absent\((.*)\)$/, 'max by (migration_id, gate) ($1)');
    expect(present).not.toBe(expr);
    const r = promtoolTest(rulesYaml.replace(expr, present));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('ALERTS{alertname=\\"MigrationGateSignalAbsent\\"');
    expect(r.output).toContain(`gate=\\"${gateId}\\"`);
  });
});

describe('promtool test rules catches a broken lifecycle', { timeout: PROMTOOL_TEST_TIMEOUT }, () => {
  /** Every occurrence replaced, and at least one. */
  const swap = (text: string, from: string, to: string): string => {
    expect(text).toContain(from);
    const out = text.split(from).join(to);
    expect(out).not.toBe(text);
    return out;
  };

  it('passes on the generated rules.yaml of a scheduled migration', () => {
    const r = promtoolTest(scheduledRules, scheduledFiles);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  // promtool 2.x names the failing expression and time, not the test group: each mutant is
  // recognised by what it breaks.
  const failing = (expr: string, wrong: string): RegExp =>
    new RegExp(`expr: "${expr.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/"/g, '\\\\"')}", time: \\d+m,\\s+exp: [^\\n]*\\n\\s+got: ${wrong}`);
  const ALERTS = 'ALERTS{migration_id="mutation-check"}';
  const FIRING = 'ALERTS{migration_id="mutation-check", alertstate="firing"}';
  const ACTIVE = 'migration:lifecycle:active{migration_id="mutation-check"}';
  const PHASE = 'migration:phase:current{migration_id="mutation-check"}';

  it.each([
    // No guard: MetricsAbsent fires with no input at all (and gate alerts for a finished run).
    ['the lifecycle guard dropped from every alert', () => swap(rulesYaml, ` and on (migration_id) ${lifecycleGuardSelector(model)}`, ''), [/alertname: MigrationMetricsAbsent, time: \d+m,\s+exp:\[\],/, failing(ALERTS, '\\{__name__="ALERTS", action="investigate", alertname="MigrationMetricsAbsent"')]],
    // A finished run is still active: its gate alerts keep firing.
    ['the finished state ignored', () => swap(rulesYaml, `unless on (migration_id) (${runnerFinishedExpr(model)})`, 'unless on (migration_id) (vector(0) > 1)'), [failing(ACTIVE, '\\{__name__="migration:lifecycle:active"'), failing(ALERTS, '\\{__name__="ALERTS", action="pause", alertname="MigrationGateSignalAbsent"')]],
    // A runner that left is forgotten after 5 minutes: a crash never pages.
    ['the runner remembered for 5m instead of 24h', () => swap(rulesYaml, runnerSeenExpr(model), runnerSeenExpr(model).replace('[24h]', '[5m]')), [failing(FIRING, 'nil'), /alertname: MigrationMetricsAbsent, time: \d+m,\s+exp:\[\s*0:/]],
    // Without the last known phase, a vanished runner silences every gate alert.
    ['no fallback to the last phase', () => swap(rulesYaml, currentPhaseExpr(model), currentPhaseExpr(model).replace(/ or on \(migration_id\) .*$/, '')), [failing(PHASE, 'nil')]],
  ] as const)('%s fails', (_name, mutant, failures) => {
    const r = promtoolTest(mutant());
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('FAILED');
    for (const f of failures) expect(r.output).toMatch(f);
  });

  it('the schedule dropped from migration:lifecycle:active fails (the rule is closed at 1970, alerts must be quiet)', () => {
    const active = lifecycleActiveExpr(scheduled);
    const unscheduled = active.replace(/^\((.*)\) and on \(migration_id\) migration:schedule:open\{[^}]*\}$/, '$1');
    expect(unscheduled).not.toBe(active);
    const r = promtoolTest(swap(scheduledRules, active, unscheduled), scheduledFiles);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toMatch(failing(ALERTS, '\\{__name__="ALERTS", action="pause", alertname="MigrationGateSignalAbsent"'));
  });
});

describe('promtool test rules catches a broken stalled alert', { timeout: PROMTOOL_TEST_TIMEOUT }, () => {
  // The stalled cases put the last progress before the test's start (test-plan.ts stallTimeline),
  // so stalledAfter is reached at step 1 whatever its length; the boundary must still be pinned.
  const after = model.stalledAfterSeconds;
  const swapOnce = (text: string, from: string, to: string): string => {
    expect(text.split(from)).toHaveLength(2);
    return text.replace(from, to);
  };
  it.each([
    ['`>` loosened to `>=` (fires at exactly stalledAfter)', `) > ${after})`, `) >= ${after})`],
    ['stalledAfter one minute longer', `) > ${after})`, `) > ${after + 60})`],
    ['stalledAfter one minute shorter', `) > ${after})`, `) > ${after - 60})`],
    ['the throttled exception dropped', ' unless on (migration_id) (max by (migration_id) (migration_throttled{', ' unless on (migration_id) (0 * max by (migration_id) (migration_throttled{'],
  ])('%s fails', (_name, from, to) => {
    const r = promtoolTest(swapOnce(rulesYaml, from, to));
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('MigrationStalled');
  });
});
