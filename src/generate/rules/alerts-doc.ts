/**
 * alerts.md: every alert of the migration (expression, threshold, for, severity, receiver, runbook
 * link) and the paging policy. Built from the same rules data as rules.yaml.
 */
import type { ResolvedMigration } from '../../model/types';
import { mdAnchor, mdCode, mdCodeBlock, mdLink, mdTable, mdText } from '../../render/markdown';
import { markdownHeader } from '../../render/serialize';
import { ALERT, FILES, GATE_STATE, alertAnchor, metaAlertAnchor, relativeLink, type GateAction } from '../names';
import { sourceName } from '../index';
import { lifecycleText } from '../lifecycle-text';
import { promNumber } from './promql';
import { META_ACTION, gateThreshold, type AlertingRule, type RulesFile } from './rules';

const receiverOf = (m: ResolvedMigration, severity: string): string => (severity === 'critical' ? m.routing.page : m.routing.notify);

/** alerts.md anchor of an alert rule. */
export function anchorOfRule(rule: AlertingRule): string {
  const gate = rule.labels.gate;
  if (gate === undefined) return metaAlertAnchor(rule.alert);
  return alertAnchor(gate, rule.alert === ALERT.pause ? 'pause' : rule.alert === ALERT.rollback ? 'rollback' : 'absent');
}

export function buildAlertsDoc(m: ResolvedMigration, rules: RulesFile): string {
  const alerts = rules.groups[1].rules;
  const out: string[] = [markdownHeader(sourceName(m)), `# Alerts: ${mdText(m.title)}`, ''];
  const here = FILES.alertsDoc(m.id);
  const fileLink = (path: string): string => mdLink(path, relativeLink(here, path));
  out.push(
    `Migration ${mdCode(m.id)}, owner ${mdText(m.owner)}. Rules: ${fileLink(FILES.rules(m.id))}, unit tests: ${fileLink(FILES.rulesTest(m.id))}, runbook: ${mdLink('runbook', relativeLink(here, FILES.runbook(m.id)))}.`,
    '',
    'A gate alert compares the gate value (the worst series of its signal: `max` for a gate that is bad above its threshold, `min` for one that is bad below) with a threshold, strictly: a value exactly at the threshold is green. It only fires while the migration is in one of the gate\'s phases, and carries that phase as the `phase` label.',
    '',
    lifecycleText(m),
    '',
    '## Paging policy',
    '',
    mdTable(
      ['Alert', 'Gate', 'Severity', 'Action', 'Receiver', 'Threshold', 'For'],
      alerts.map((a) => [
        mdLink(a.alert, `#${anchorOfRule(a)}`),
        a.labels.gate ? mdCode(a.labels.gate) : '—',
        mdText(a.labels.severity!),
        mdText(a.labels.action!),
        mdCode(receiverOf(m, a.labels.severity!)),
        thresholdText(m, a),
        mdCode(a.for),
      ]),
    ),
    '',
    `Critical alerts go to ${mdCode(m.routing.page)} (paged), warnings to ${mdCode(m.routing.notify)}. A rollback alert inhibits the pause alert of the same gate. Gate states recorded in ${mdCode('migration:gate:state')}: ${Object.entries(GATE_STATE).map(([k, v]) => `${v} = ${k}`).join(', ')}; unknown (no data) counts as pause.`,
    '',
  );
  for (const a of alerts) out.push(...section(m, a));
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function thresholdText(m: ResolvedMigration, a: AlertingRule): string {
  const g = m.gates.find((x) => x.id === a.labels.gate);
  if (g && (a.alert === ALERT.pause || a.alert === ALERT.rollback)) {
    return `${g.direction === 'above' ? '&gt;' : '&lt;'} ${mdCode(promNumber(gateThreshold(g, a.labels.action as GateAction)))}`;
  }
  if (a.alert === ALERT.absent) return 'no samples';
  if (a.alert === ALERT.stalled) return `no progress for &gt; ${mdCode(m.stalledAfter)}`;
  if (a.alert === ALERT.etaOverrun) return `ETA &gt; ${mdCode(m.expectedDuration ?? '')}`;
  if (a.alert === ALERT.metricsAbsent) return 'runner gone before finishing';
  return 'no samples';
}

function section(m: ResolvedMigration, a: AlertingRule): string[] {
  const g = m.gates.find((x) => x.id === a.labels.gate);
  const title = g ? `${a.alert}: ${g.title}` : a.alert;
  const rows: string[][] = [
    ['Severity', mdText(a.labels.severity!)],
    ['Action', mdText(a.labels.action!)],
    ['Receiver', mdCode(receiverOf(m, a.labels.severity!))],
    ['Threshold', thresholdText(m, a)],
    ['For', mdCode(a.for)],
    ['Labels', Object.entries(a.labels).map(([k, v]) => mdCode(`${k}=${v}`)).join(' ') + (a.labels.action === META_ACTION && a.alert === ALERT.metricsAbsent ? '' : ` ${mdCode('phase')} (current phase)`)],
  ];
  if (g) rows.splice(0, 0, ['Gate', `${mdText(g.title)} (${mdCode(g.id)}), signal ${mdCode(g.signal)}, bad ${g.direction} the threshold, phases ${g.phases.map((p) => mdCode(p)).join(', ')}`]);
  return [
    `${mdAnchor(anchorOfRule(a))}`,
    `## ${mdText(title)}`,
    '',
    mdTable(['Field', 'Value'], rows),
    '',
    mdCodeBlock(a.expr, 'promql'),
    '',
    // The runbook next to this file (works in the repo and wherever docs/ is published); the alert's own runbook_url may be relative to the output folder.
    `Runbook: ${mdLink(runbookTitle(m, a), `${relativeLink(FILES.alertsDoc(m.id), FILES.runbook(m.id))}#${a.annotations.runbook_url.split('#')[1] ?? ''}`)}. Dashboard: ${mdLink('panel', a.annotations.dashboard_url)}.`,
    '',
  ];
}

function runbookTitle(m: ResolvedMigration, a: AlertingRule): string {
  const g = m.gates.find((x) => x.id === a.labels.gate);
  return g ? `gate ${g.title}` : a.alert === ALERT.stalled ? 'stalled' : a.alert === ALERT.etaOverrun ? 'ETA overrun' : 'metrics absent';
}
