/**
 * rules.yaml as data: one group of recording rules and one group of alerts per migration.
 * Every alert carries migration_id, action and severity (gate alerts also `gate`; `phase` comes
 * from the phase join), and annotations summary, description, runbook_url and dashboard_url.
 */
import type { ResolvedGate, ResolvedMigration } from '../../model/types';
import { tpl } from '../../render/prom-template';
import { formatDuration } from '../../util/duration';
import { ALERT, GATE_STATE, LIFECYCLE_LOOKBACK, META_ANCHOR, RECORD, SEVERITY, gateAnchor, groupName, type GateAction } from '../names';
import { PANEL, gatePanelIds } from '../panel-ids';
import { dashboardUrl, runbookUrl } from '../urls';
import { runnerRecordingRules } from '../../progress-sources/gitlab-bbm';
import * as q from './promql';
import { stalledForSeconds } from './test-plan';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string; dashboard_url: string };
}

export interface RuleGroup<R> {
  name: string;
  rules: R[];
}

export interface RulesFile {
  groups: [RuleGroup<RecordingRule>, RuleGroup<AlertingRule>];
}

/** Meta alerts: how long each must hold and which panel shows the problem. */
export const META = {
  etaOverrunFor: '15m',
  metricsAbsentFor: '10m',
  stalledPanel: PANEL.rowsRate,
  etaPanel: PANEL.eta,
  metricsAbsentPanel: PANEL.currentPhase,
} as const;

/** Stalled already waits stalledAfter; a short hold only rides out one late scrape. */
export const stalledFor = (m: ResolvedMigration): string => formatDuration(stalledForSeconds(m.scrapeIntervalSeconds) * 1000);

export const META_ACTION = 'investigate';

/**
 * The rules of a migration, built once: the rules file, its tests, the alerts page and the
 * flavours' payload all read them (never change the result). A resolved model is not changed once
 * built.
 */
const rulesCache = new WeakMap<ResolvedMigration, RulesFile>();
export function rulesFor(m: ResolvedMigration): RulesFile {
  let rules = rulesCache.get(m);
  if (!rules) rulesCache.set(m, (rules = buildRules(m)));
  return rules;
}

export function buildRules(m: ResolvedMigration): RulesFile {
  const ids = { migration_id: m.id };
  const recording: RecordingRule[] = [
    // A runner's own metrics mapped onto the contract, first: the rules below read them this round.
    ...runnerRecordingRules(m),
    { record: RECORD.rowsRate, expr: q.rowsRateExpr(m) },
    { record: RECORD.progress, expr: q.progressExpr(m) },
    { record: RECORD.eta, expr: q.etaExpr(m) },
    { record: RECORD.batchErrorRatio, expr: q.batchErrorRatioExpr(m) },
    { record: RECORD.currentPhase, expr: q.currentPhaseExpr(m) },
    ...lifecycleRules(m),
  ];
  for (const g of m.gates) {
    recording.push({ record: RECORD.gateValue, expr: q.gateValueExpr(m, g), labels: { ...ids, gate: g.id } });
  }
  // After every gate value: a group evaluates its rules in order, so the state reads this round's value.
  for (const g of m.gates) {
    recording.push({ record: RECORD.gateState, expr: q.gateStateExpr(m, g), labels: { ...ids, gate: g.id } });
  }

  const alerts: AlertingRule[] = [];
  for (const g of m.gates) alerts.push(gateAlert(m, g, 'pause'), gateAlert(m, g, 'rollback'), absentAlert(m, g));
  alerts.push(stalledAlert(m));
  if (m.expectedDurationSeconds !== undefined && m.expectedDurationSeconds > 0) alerts.push(etaOverrunAlert(m, m.expectedDurationSeconds));
  alerts.push(metricsAbsentAlert(m));
  // Every alert only while the migration is active: not before it started, not after it finished.
  for (const a of alerts) a.expr = q.whileActive(m, a.expr);

  return {
    groups: [
      { name: groupName(m.id, 'recording'), rules: recording },
      { name: groupName(m.id, 'alerts'), rules: alerts },
    ],
  };
}

/** migration:schedule:open (with a schedule), then migration:lifecycle:active, which reads it. */
function lifecycleRules(m: ResolvedMigration): RecordingRule[] {
  const ids = { migration_id: m.id };
  const open = q.scheduleOpenExpr(m);
  return [
    ...(open === undefined ? [] : [{ record: RECORD.scheduleOpen, expr: open, labels: ids }]),
    { record: RECORD.lifecycleActive, expr: q.lifecycleActiveExpr(m), labels: ids },
  ];
}

export const gateThreshold = (g: ResolvedGate, action: GateAction): number => (action === 'pause' ? g.pause : g.rollback);
export const gateFor = (g: ResolvedGate, action: GateAction): string => (action === 'pause' ? g.pauseFor : g.rollbackFor);

const gateLinks = (m: ResolvedMigration, g: ResolvedGate): Pick<AlertingRule['annotations'], 'runbook_url' | 'dashboard_url'> => ({
  runbook_url: runbookUrl(m, gateAnchor(g)),
  dashboard_url: dashboardUrl(m, gatePanelIds(m).get(g.id)),
});

function gateAlert(m: ResolvedMigration, g: ResolvedGate, action: GateAction): AlertingRule {
  const threshold = gateThreshold(g, action);
  const comparison = g.direction === 'above' ? 'above' : 'below';
  const verb = action === 'pause' ? 'Pause' : 'Roll back';
  const todo = action === 'pause'
    ? (g.remediation ?? 'Pause the migration and follow the runbook section of this gate.')
    : 'Stop the migration and follow the rollback procedure in the runbook.';
  const description = tpl()
    .text(`${g.title} is `)
    .code('{{ $value | humanize }}')
    .text(`, strictly ${comparison} the ${action} threshold ${q.promNumber(threshold)} for ${gateFor(g, action)}, in phase `)
    .code('{{ $labels.phase }}')
    .text(` of ${m.title}. ${todo}`);
  return {
    alert: action === 'pause' ? ALERT.pause : ALERT.rollback,
    expr: q.gateAlertExpr(m, g, threshold),
    for: gateFor(g, action),
    labels: { migration_id: m.id, gate: g.id, action, severity: SEVERITY[action] },
    annotations: {
      summary: tpl().text(`${verb} ${m.id}: ${g.title} ${comparison} ${q.promNumber(threshold)}`).build(),
      description: description.build(),
      ...gateLinks(m, g),
    },
  };
}

function absentAlert(m: ResolvedMigration, g: ResolvedGate): AlertingRule {
  const signal = m.signals[g.signal];
  return {
    alert: ALERT.absent,
    expr: q.gateAbsentExpr(m, g),
    for: g.pauseFor,
    labels: { migration_id: m.id, gate: g.id, action: 'pause', severity: SEVERITY.pause },
    annotations: {
      summary: tpl().text(`Pause ${m.id}: no data for gate ${g.title}`).build(),
      description: tpl()
        .text(`Signal ${g.signal} of gate ${g.title} returns no samples in phase `)
        .code('{{ $labels.phase }}')
        .text(`. Missing data is never green: the gate state is unknown (${GATE_STATE.unknown}), which counts as pause.`)
        .text(signal?.requires ? ` It needs: ${signal.requires}.` : '')
        .build(),
      ...gateLinks(m, g),
    },
  };
}

function stalledAlert(m: ResolvedMigration): AlertingRule {
  return {
    alert: ALERT.stalled,
    expr: q.stalledExpr(m),
    for: stalledFor(m),
    labels: { migration_id: m.id, action: META_ACTION, severity: 'critical' },
    annotations: {
      summary: tpl().text(`${m.id} has made no progress for more than ${m.stalledAfter}`).build(),
      description: tpl()
        .text(`${m.title}: last progress `)
        .code('{{ $value | humanizeDuration }}')
        .text(' ago in phase ')
        .code('{{ $labels.phase }}')
        .text(`, while not throttled and not finished. Owner: ${m.owner}.`)
        .build(),
      runbook_url: runbookUrl(m, META_ANCHOR.stalled),
      dashboard_url: dashboardUrl(m, META.stalledPanel),
    },
  };
}

function etaOverrunAlert(m: ResolvedMigration, expectedSeconds: number): AlertingRule {
  return {
    alert: ALERT.etaOverrun,
    expr: q.etaOverrunExpr(m, expectedSeconds),
    for: META.etaOverrunFor,
    labels: { migration_id: m.id, action: META_ACTION, severity: 'warning' },
    annotations: {
      summary: tpl().text(`${m.id} will not finish within its planned ${m.expectedDuration ?? formatDuration(expectedSeconds * 1000)}`).build(),
      description: tpl()
        .text(`${m.title}: remaining time at the current rate is `)
        .code('{{ $value | humanizeDuration }}')
        .text(`, longer than the whole planned window (${m.expectedDuration ?? formatDuration(expectedSeconds * 1000)}). Owner: ${m.owner}.`)
        .build(),
      runbook_url: runbookUrl(m, META_ANCHOR.etaOverrun),
      dashboard_url: dashboardUrl(m, META.etaPanel),
    },
  };
}

function metricsAbsentAlert(m: ResolvedMigration): AlertingRule {
  return {
    alert: ALERT.metricsAbsent,
    expr: q.metricsAbsentExpr(m),
    for: META.metricsAbsentFor,
    labels: { migration_id: m.id, action: META_ACTION, severity: 'warning' },
    annotations: {
      summary: tpl().text(`${m.id}: the runner stopped exporting metrics before finishing`).build(),
      description: tpl()
        .text(`${m.title}: the runner exported migration_phase within the last ${LIFECYCLE_LOOKBACK} but none for ${META.metricsAbsentFor}, and never reported the run finished. It crashed, was stopped without finish(), or is no longer scraped; every gate reading its metrics is unknown. Owner: ${m.owner}.`)
        .build(),
      runbook_url: runbookUrl(m, META_ANCHOR.metricsAbsent),
      dashboard_url: dashboardUrl(m, META.metricsAbsentPanel),
    },
  };
}
