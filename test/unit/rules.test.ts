/** The rules (prometheus/rules/<id>.yaml), their promtool tests and alerts.md: structure, escaping, determinism and helpers. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERT, FILES, GATE_STATE, RECORD, alertAnchor, gateAnchor, metaAlertAnchor } from '../../src/generate/names';
import { gatePanelIds } from '../../src/generate/panel-ids';
import { rulesFiles } from '../../src/generate/rules';
import { expandTemplate, humanize, humanizeDuration } from '../../src/generate/rules/go-template';
import { promNumber, regexAlternation } from '../../src/generate/rules/promql';
import { buildRules } from '../../src/generate/rules/rules';
import { gateValue, regexSample, synthesizeSignal } from '../../src/generate/rules/test-inputs';
import { gateValue as gateValueBuilder } from '../../src/promql/gate-value';
import { parseAst } from '../../src/generate/rules/promql-ast';
import { buildRuleTests, seriesValues } from '../../src/generate/rules/tests';
import type { ResolvedMigration } from '../../src/model/types';
import { loadDefinitionText } from '../../src/pipeline';
import { writeTree } from '../helpers/outputs';
import { PROMTOOL_TEST_MS, PROMTOOL_TEST_TIMEOUT, runTool } from '../helpers/tools';

const definition = (extra: { title?: string; remediation?: string; signalExpr?: string; config?: object } = {}): ResolvedMigration => {
  const text = `
apiVersion: migobs/v1
kind: Migration
metadata: {id: rules-unit, title: ${JSON.stringify(extra.title ?? 'Rules unit')}, owner: team-sre}
spec:
  type: backfill
  engine: generic
  expectedDuration: 6h
  selector: 'job="runner", env=~"prod|staging"'
  targets: {hosts: 'instance="db1:9100"'}
  signals:
    lag: {expr: ${JSON.stringify(extra.signalExpr ?? 'max(migration_lag_seconds)')}, unit: s}
  gates:
    - {id: replication-lag, enabled: false}
    - {id: batch-error-ratio, enabled: false}
    - {id: batch-duration, enabled: false}
    - {id: mismatch-ratio, enabled: false}
    - {id: app-error-ratio, enabled: false}
    - {id: lag, signal: lag, pause: 10, rollback: 60, for: 2m, rollbackFor: 5m, phases: [canary, ramp], remediation: ${JSON.stringify(extra.remediation ?? 'Halve the batch size.')}}
  routing: {page: pd-orders, notify: slack-orders}
`;
  const r = loadDefinitionText('rules-unit.yaml', text, extra.config ?? {});
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.migrations[0]!.model;
};

describe('rules.yaml', () => {
  const m = definition();
  const rules = buildRules(m);
  const [recording, alerting] = rules.groups;

  it('has a recording group and an alerts group named after the migration', () => {
    expect(recording.name).toBe('migobs-rules-unit-recording');
    expect(alerting.name).toBe('migobs-rules-unit-alerts');
    // migration:schedule:open only exists with a spec.schedule (below).
    expect(recording.rules.map((r) => r.record)).toEqual(expect.arrayContaining(Object.values(RECORD).filter((r) => r !== RECORD.scheduleOpen)));
    expect(recording.rules.map((r) => r.record)).not.toContain(RECORD.scheduleOpen);
  });

  it('guards every alert with the lifecycle, which the recording group computes before it', () => {
    const guard = ' and on (migration_id) migration:lifecycle:active{migration_id="rules-unit"}';
    for (const a of alerting.rules) expect(a.expr.endsWith(guard), a.alert).toBe(true);
    const active = recording.rules.find((r) => r.record === RECORD.lifecycleActive)!;
    expect(active.labels).toEqual({ migration_id: 'rules-unit' });
    expect(active.expr).toBe(
      'max by (migration_id) (present_over_time(migration_phase{migration_id="rules-unit", job="runner", env=~"prod|staging"}[24h]))' +
        ' unless on (migration_id) (max by (migration_id) (last_over_time(migration_finished{migration_id="rules-unit", job="runner", env=~"prod|staging"}[24h])) == 1' +
        ' unless on (migration_id) (migration_finished{migration_id="rules-unit", job="runner", env=~"prod|staging"} == 0))',
    );
    // The current phase falls back to the last one the runner reported.
    expect(recording.rules.find((r) => r.record === RECORD.currentPhase)!.expr).toContain('or on (migration_id) max by (migration_id, phase) (last_over_time(migration_phase{');
  });

  it.each([
    [{ notBefore: '2027-01-12T21:00:00+01:00', notAfter: '2027-01-13T05:00:00+01:00' }, 'vector(1) and (vector(time()) >= 1799784000 < 1799812800)'],
    [{ notBefore: '2027-01-12T20:00:00.25Z' }, 'vector(1) and (vector(time()) >= 1799784000.25)'],
    [{ notAfter: '2027-01-13T04:00:00-00:30' }, 'vector(1) and (vector(time()) < 1799814600)'],
  ])('spec.schedule %o becomes unix seconds in migration:schedule:open, which the lifecycle reads', (schedule, expr) => {
    const scheduled = { ...m, schedule: Object.fromEntries(Object.entries(schedule).map(([k, text]) => [k, { text, seconds: Date.parse(text) / 1000 }])) };
    const [rec] = buildRules(scheduled).groups;
    const open = rec.rules.find((r) => r.record === RECORD.scheduleOpen)!;
    expect(open).toEqual({ record: RECORD.scheduleOpen, expr, labels: { migration_id: 'rules-unit' } });
    const names = rec.rules.map((r) => r.record);
    expect(names.indexOf(RECORD.scheduleOpen)).toBeLessThan(names.indexOf(RECORD.lifecycleActive));
    expect(rec.rules.find((r) => r.record === RECORD.lifecycleActive)!.expr).toMatch(/ and on \(migration_id\) migration:schedule:open\{migration_id="rules-unit"\}$/);
  });

  it('writes thresholds as literal numbers with the strict comparison of the direction', () => {
    const pause = alerting.rules.find((r) => r.alert === ALERT.pause && r.labels.gate === 'lag')!;
    const rollback = alerting.rules.find((r) => r.alert === ALERT.rollback && r.labels.gate === 'lag')!;
    expect(pause.expr).toContain('migration:gate_signal:value{migration_id="rules-unit", gate="lag"} > 10)');
    expect(rollback.expr).toContain('> 60)');
    expect(pause.expr).toContain('phase=~"canary|ramp"');
    expect(pause.for).toBe('2m');
    expect(rollback.for).toBe('5m');
    const disk = m.gates.find((g) => g.id === 'disk-free')!;
    expect(disk.direction).toBe('below');
    const diskPause = alerting.rules.find((r) => r.alert === ALERT.pause && r.labels.gate === 'disk-free')!;
    expect(diskPause.expr).toContain(`< ${promNumber(disk.pause)})`);
    const state = recording.rules.find((r) => r.record === RECORD.gateState && r.labels?.gate === 'disk-free')!;
    expect(state.expr).toContain(`< bool ${promNumber(disk.pause)}`);
    expect(state.expr).toContain(`vector(${GATE_STATE.unknown})`);
  });

  it('uses min for a below gate and max for an above gate, with the migration matchers injected', () => {
    const value = (gate: string) => recording.rules.find((r) => r.record === RECORD.gateValue && r.labels?.gate === gate)!.expr;
    const lag = 'migration_lag_seconds{migration_id="rules-unit", job="runner", env=~"prod|staging"}';
    // The signal's own max is the worst series; NaN among its series makes the value absent.
    expect(value('lag')).toBe(`(max(${lag}) + 0 * sum(clamp(${lag}, -1, 1))) > -Inf`);
    expect(value('disk-free').startsWith('(min(min by (instance) (node_filesystem_avail_bytes{instance="db1:9100", ')).toBe(true);
  });

  it('labels and links every gate alert as docs/alerts.md says', () => {
    const panel = gatePanelIds(m).get('lag');
    for (const [name, action, severity] of [[ALERT.pause, 'pause', 'warning'], [ALERT.rollback, 'rollback', 'critical'], [ALERT.absent, 'pause', 'warning']] as const) {
      const a = alerting.rules.find((r) => r.alert === name && r.labels.gate === 'lag')!;
      expect(a.labels).toEqual({ migration_id: 'rules-unit', gate: 'lag', action, severity });
      // Without runbookBaseUrl: the runbook's path in the output folder.
      expect(a.annotations.runbook_url).toBe(`docs/rules-unit/runbook.md#${gateAnchor({ id: 'lag' })}`);
      expect(a.annotations.dashboard_url).toBe(`/d/rules-unit?viewPanel=${panel}`);
      expect(a.expr).toContain('group_left (gate)');
    }
  });

  it('prefixes links with grafanaUrl and runbookBaseUrl when configured', () => {
    // runbookBaseUrl is where <out>/docs is published.
    const withConfig = definition({ config: { grafanaUrl: 'https://grafana.example.com', runbookBaseUrl: 'https://git.example.com/obs/out/docs' } });
    const a = buildRules(withConfig).groups[1].rules.find((r) => r.alert === ALERT.stalled)!;
    expect(a.annotations.runbook_url).toBe('https://git.example.com/obs/out/docs/rules-unit/runbook.md#stalled');
    expect(a.annotations.dashboard_url).toBe('https://grafana.example.com/d/rules-unit?viewPanel=3');
  });

  it('has the meta alerts, ETA overrun only with an expected duration', () => {
    const names = alerting.rules.filter((r) => !r.labels.gate).map((r) => r.alert);
    expect(names).toEqual([ALERT.stalled, ALERT.etaOverrun, ALERT.metricsAbsent]);
    expect(alerting.rules.find((r) => r.alert === ALERT.stalled)!.labels.severity).toBe('critical');
    expect(alerting.rules.find((r) => r.alert === ALERT.etaOverrun)!.expr).toContain('> 21600)');
  });

  it('keeps user text inert in annotations (no template execution)', () => {
    const evil = definition({ title: 'Evil {{ $labels.job }} title', remediation: 'Run {{ query "up" }} now' });
    const a = buildRules(evil).groups[1].rules.find((r) => r.alert === ALERT.pause && r.labels.gate === 'lag')!;
    expect(expandTemplate(a.annotations.description, { phase: 'canary' }, 11)).toContain('of Evil {{ $labels.job }} title. Run {{ query "up" }} now');
    expect(a.annotations.description).toContain('Run {{ query \\"up\\" }} now" }}');
  });

  it('rules with hostile text still pass promtool check rules', () => {
    const evil = definition({ title: 'Evil {{ $labels.job }} "quoted" `tick`', remediation: 'Run {{ query "up" }}\nnow' });
    const dir = mkdtempSync(join(tmpdir(), 'migobs-rules-unit-'));
    writeTree(dir, rulesFiles(evil));
    const check = runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', FILES.rules(evil.id)], { cwd: dir });
    expect(check.code, check.stderr + check.stdout).toBe(0);
    const test = runTool('promtool', ['test', 'rules', FILES.rulesTest(evil.id)], { cwd: dir, timeoutMs: PROMTOOL_TEST_MS });
    expect(test.code, test.stdout + test.stderr).toBe(0);
  }, PROMTOOL_TEST_TIMEOUT);

  it('is deterministic: same model, same bytes; a header comment on each file', () => {
    const a = rulesFiles(definition());
    const b = rulesFiles(definition());
    expect(a).toEqual(b);
    expect(a.map((f) => f.path)).toEqual(['prometheus/rules/rules-unit.yaml', 'prometheus/tests/rules-unit.test.yaml', 'docs/rules-unit/alerts.md']);
    expect(a[0]!.content.startsWith('# Generated by migobs')).toBe(true);
    expect(a[1]!.content.startsWith('# Generated by migobs')).toBe(true);
    expect(a[2]!.content.startsWith('<!-- Generated by migobs')).toBe(true);
  });
});

describe('the promtool tests (prometheus/tests/<id>.test.yaml)', () => {
  const m = definition();
  const tests = buildRuleTests(m);
  const parsed = parse(rulesFiles(m)[1]!.content);

  it('grows linearly with the number of gates (the lifecycle cases list each gate a fixed number of times)', () => {
    const size = (n: number, schedule: boolean): number => {
      const gates = Array.from({ length: n }, (_, i) => ({ id: `g${i}`, signal: `s${i}`, pause: 10, rollback: 60, for: '2m', phases: ['canary', 'ramp'] }));
      const signals = Object.fromEntries(gates.map((g, i) => [g.signal, { expr: `max(metric_${i}{instance="db1"})`, unit: 's' }]));
      const off = ['replication-lag', 'batch-error-ratio', 'batch-duration', 'mismatch-ratio', 'app-error-ratio', 'disk-free'].map((id) => ({ id, enabled: false }));
      const def = { apiVersion: 'migobs/v1', kind: 'Migration', metadata: { id: 'size', title: 'Size', owner: 'team' }, spec: { type: 'backfill', engine: 'generic', ...(schedule ? { schedule: { notBefore: '2027-01-12T21:00:00+01:00' } } : {}), signals, gates: [...off, ...gates] } };
      const r = loadDefinitionText('size.yaml', stringify(def));
      if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
      return rulesFiles(r.migrations[0]!.model)[1]!.content.length;
    };
    for (const schedule of [false, true]) {
      const [a, b, c] = [6, 12, 24].map((n) => size(n, schedule));
      // Linear: doubling the gates doubles the increment (ratio 2); quadratic would make it 4.
      expect((c! - b!) / (b! - a!), `schedule ${schedule}`).toBeLessThan(2.3);
    }
  });

  it('runs against ../rules/<id>.yaml (promtool resolves it relative to the test file) with recording rules evaluated first', () => {
    expect(parsed.rule_files).toEqual(['../rules/rules-unit.yaml']);
    expect(parsed.group_eval_order).toEqual(['migobs-rules-unit-recording', 'migobs-rules-unit-alerts']);
  });

  it.each([
    'just green of pause',
    'just past pause: no alert before 2m, pause fires after 2m, rollback not even pending',
    'just past rollback: no rollback alert before 5m, rollback fires after 5m',
    'exactly at pause (10)',
    'exactly at rollback (60)',
    'signal absent',
    "outside the gate's phases",
    'recovery: green again, alerts clear',
  ])('has the case "%s" for every gate', (fragment) => {
    for (const g of m.gates) {
      // A packed group's name lists its cases, one `gate <id> (...): <case>` each.
      const names = tests.file.tests.flatMap((t) => t.name.split(/; (?=gate )/)).filter((n) => n.startsWith(`gate ${g.id} (`));
      const own = fragment.replace('(10)', `(${promNumber(g.pause)})`).replace('(60)', `(${promNumber(g.rollback)})`).replaceAll('2m', g.pauseFor).replaceAll('5m', g.rollbackFor);
      expect(names.some((n) => n.includes(own)), `${g.id}: ${own} in ${names.join('\n')}`).toBe(true);
    }
  });

  it('expects alerts with every label and annotation', () => {
    const t = tests.file.tests.find((x) => x.name.split(/; (?=gate )/).some((n) => n.startsWith('gate lag (') && n.includes('pause fires after')))!;
    const pause = t.alert_rule_test!.find((a) => a.alertname === ALERT.pause && a.exp_alerts.some((x) => x.exp_labels.gate === 'lag'))!;
    const lag = pause.exp_alerts.find((x) => x.exp_labels.gate === 'lag')!;
    expect(lag.exp_labels).toEqual({ migration_id: 'rules-unit', gate: 'lag', action: 'pause', severity: 'warning', phase: 'canary' });
    expect(lag.exp_annotations.description).toContain('lag is 10.1, strictly above the pause threshold 10 for 2m, in phase canary');
    expect(lag.exp_annotations.runbook_url).toBe('docs/rules-unit/runbook.md#gate-lag');
  });

  it('reports (in a YAML comment) the cases it cannot build, and still tests absence and phases', () => {
    const odd = definition({ signalExpr: 'max(topk(1, migration_lag_seconds))' });
    const t = buildRuleTests(odd);
    expect(t.skipped.filter((s) => s.gate === 'lag').map((s) => s.test)).toContain('just green of pause: no alert, not even pending');
    expect(t.notes).toContain('# Cases not generated');
    expect(t.notes).toMatch(/gate lag, just green of pause: no alert, not even pending: .*topk/);
    expect(t.file.tests.some((x) => x.name.includes('gate lag (') && x.name.includes('signal absent'))).toBe(true);
    expect(rulesFiles(odd)[1]!.content).toContain('# Cases not generated');
  });
});

describe('alerts.md', () => {
  const m = definition();
  const doc = rulesFiles(m)[2]!.content;
  it('has an anchored section per alert and a paging table with receivers', () => {
    for (const a of buildRules(m).groups[1].rules) {
      const anchor = a.labels.gate ? alertAnchor(a.labels.gate, a.alert === ALERT.pause ? 'pause' : a.alert === ALERT.rollback ? 'rollback' : 'absent') : metaAlertAnchor(a.alert);
      expect(doc).toContain(`<a id="${anchor}"></a>`);
      expect(doc).toContain(`(#${anchor})`);
    }
    expect(doc).toContain('## Paging policy');
    expect(doc).toMatch(/MigrationGateRollback\]\(#alert-lag-rollback\) \| `lag` \| critical \| rollback \| `pd-orders` \| &gt; `60` \| `5m` \|/);
    expect(doc).toMatch(/MigrationGatePause\]\(#alert-lag-pause\) \| `lag` \| warning \| pause \| `slack-orders` \| &gt; `10` \| `2m` \|/);
    expect(doc).toContain('(runbook.md#gate-lag)');
    expect(doc).toContain('Rules: [prometheus/rules/rules-unit.yaml](../../prometheus/rules/rules-unit.yaml), unit tests: [prometheus/tests/rules-unit.test.yaml](../../prometheus/tests/rules-unit.test.yaml)');
  });
  it('escapes user text', () => {
    const evil = rulesFiles(definition({ title: '<script>alert(1)</script> *bold*' }))[2]!.content;
    expect(evil).not.toContain('<script>');
    expect(evil).toContain('&lt;script>alert(1)&lt;/script> \\*bold\\*');
  });
});

describe('helpers', () => {
  it.each([
    [10, '10'],
    [0.05, '0.05'],
    [1e-9, '1e-9'],
    [1e21, '1e+21'],
    [-0, '0'],
    [-2.5, '-2.5'],
  ])('promNumber(%s) = %s', (n, text) => expect(promNumber(n)).toBe(text));

  it('regexAlternation escapes metacharacters', () => expect(regexAlternation(['a.b', 'c|d', 'cut-over'])).toBe('a\\.b|c\\|d|cut-over'));

  it.each([
    [[1, 1, 1], '1x2'],
    [[0, 2, 4, 6], '0+2x3'],
    [[undefined, undefined, 5], '_x2 5'],
    [[3, undefined, 3], '3 _ 3'],
    [[5, 4, 3], '5-1x2'],
  ])('seriesValues(%j) = %s', (samples, text) => expect(seriesValues(samples)).toBe(text));

  it.each([
    [0, '0'],
    [10.1, '10.1'],
    [0.0101, '10.1m'],
    [1234567, '1.235M'],
    [123456.7, '123.5k'],
  ])('humanize(%s) = %s', (v, text) => expect(humanize(v)).toBe(text));

  it.each([
    [0, '0s'],
    [42, '42s'],
    [600, '10m 0s'],
    [22200, '6h 10m 0s'],
    [90061, '1d 1h 1m 1s'],
  ])('humanizeDuration(%s) = %s', (v, text) => expect(humanizeDuration(v)).toBe(text));

  it.each([['5..', '5xx'], ['waiting_for_.*_lock', 'waiting_for__lock'], ['prod|staging', 'prod'], ['[0-9]+', '0']])('regexSample(%s)', (re, sample) => {
    expect(regexSample(re)).toBe(sample);
    expect(new RegExp(`^(?:${re})$`).test(sample)).toBe(true);
  });

  // One value per member when a target expects several series: db-0, db-1, ... all matching.
  it.each([
    ['db-[0-9]+:9104', 2, 'db-2:9104'],
    ['pg-[a-c]', 4, 'pg-b'],
    ['host-.*', 1, 'host-m1'],
    ['a\\d', 3, 'a3'],
  ])('regexSample(%s, variant %i) = %s', (re, variant, sample) => {
    expect(regexSample(re, variant)).toBe(sample);
    expect(new RegExp(`^(?:${re})$`).test(sample)).toBe(true);
  });

  it.each([
    ['max(x)', 7],
    ['sum(rate(c_total[5m]))', 0.5],
    ['1 - avg(a / b)', 0.25],
    ['histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))', 0.75],
    ['(sum(rate(r{code=~"5.."}[5m])) or vector(0)) / (sum(rate(r[5m])) > 0)', 0.05],
    ['sum(increase(d{datname!=""}[10m]))', 2],
  ])('synthesizes inputs for %s = %s exactly', (expr, target) => {
    const t = Array.from({ length: 15 }, () => target);
    const gv = gateValueBuilder({ expr, direction: 'above' });
    const gate = { signal: expr, value: gv.value, inner: gv.inner, aggregation: gv.aggregation, direction: 'above' as const };
    const { series } = synthesizeSignal(gate, t, [{ step: 13, accept: (v) => v === target }], 60);
    expect(gateValue(parseAst(gv.value), { stepSeconds: 60, series }, 13)).toBe(target);
  });
});

describe('a signal the synthesizer cannot steer', () => {
  it('still yields promtool tests that run green (absence and phase cases)', () => {
    const odd = definition({ signalExpr: 'max(topk(1, migration_lag_seconds))' });
    const dir = mkdtempSync(join(tmpdir(), 'migobs-rules-odd-'));
    writeTree(dir, rulesFiles(odd));
    const r = runTool('promtool', ['test', 'rules', FILES.rulesTest(odd.id)], { cwd: dir, timeoutMs: PROMTOOL_TEST_MS });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, PROMTOOL_TEST_TIMEOUT);
});
