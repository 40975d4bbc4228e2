/**
 * dashboard.md: every panel of the dashboard, its query and how to read it, readable without
 * Grafana. Built from the same layout as dashboard.json. Each panel has the anchor `panel-<id>`.
 */
import type { ResolvedGate, ResolvedMigration } from '../../model/types';
import { mdAnchor, mdCode, mdCodeBlock, mdLink, mdTable, mdText } from '../../render/markdown';
import { markdownHeader } from '../../render/serialize';
import { DOC_FILE, alertAnchor, gateAnchor, panelAnchor } from '../names';
import { dashboardUrl } from '../urls';
import { DATASOURCE_VARIABLE, dashboardLayout, GATE_STATE_MAPPINGS, type PanelSpec, type RowSpec } from './panels';
import { dashboardQueries } from './queries';

const KIND_NAME: Record<PanelSpec['kind'], string> = {
  stat: 'single value',
  timeseries: 'time series',
  'state-timeline': 'state timeline',
  table: 'table',
};

/** Only an absolute Grafana URL is a useful link; a bare `/d/...` path resolves nowhere in a repo. */
function grafanaLink(model: ResolvedMigration, panelId?: number): string | undefined {
  return model.config.grafanaUrl ? dashboardUrl(model, panelId) : undefined;
}

function gateSection(model: ResolvedMigration, gate: ResolvedGate): string[] {
  const unit = model.signals[gate.signal]?.unit ?? '';
  const phases = gate.phases.length ? gate.phases.map(mdCode).join(', ') : 'every phase';
  return [
    mdTable(
      ['Direction', 'Pause', 'Rollback', 'Pause for', 'Rollback for', 'Unit', 'Phases'],
      [[gate.direction, String(gate.pause), String(gate.rollback), mdCode(gate.pauseFor), mdCode(gate.rollbackFor), unit ? mdCode(unit) : '-', phases]],
    ),
    `Signal ${mdCode(gate.signal)}. What to do: ${mdLink(`runbook, gate ${gate.id}`, `${DOC_FILE.runbook}#${gateAnchor(gate)}`)}. ` +
      `Alerts: ${mdLink('pause', `${DOC_FILE.alertsDoc}#${alertAnchor(gate.id, 'pause')}`)}, ` +
      `${mdLink('rollback', `${DOC_FILE.alertsDoc}#${alertAnchor(gate.id, 'rollback')}`)}, ` +
      `${mdLink('signal absent', `${DOC_FILE.alertsDoc}#${alertAnchor(gate.id, 'absent')}`)}.`,
  ];
}

function panelSection(model: ResolvedMigration, p: PanelSpec): string {
  const parts = [
    `${mdAnchor(panelAnchor(p.id))}\n### ${mdText(p.title)}`,
    `Panel ${p.id}, ${KIND_NAME[p.kind]}, unit ${mdCode(p.unit)}.` + (grafanaLink(model, p.id) ? ` ${mdLink('Open in Grafana', grafanaLink(model, p.id)!)}.` : ''),
    p.description,
    ...p.queries.map((q) =>
      [`Query ${q.refId}${q.legend ? ` (legend ${mdCode(q.legend)})` : ''}${q.instant ? ', latest value only' : ''}:`, mdCodeBlock(q.expr, 'promql')].join('\n\n'),
    ),
  ];
  if (p.mappings) {
    parts.push(mdTable(['Value', 'Shown as', 'Colour'], p.mappings.map((m) => [m.value === null ? 'no data' : String(m.value), mdText(m.text), m.color])));
  }
  if (p.gate) parts.push(...gateSection(model, p.gate));
  parts.push(`**How to read it:** ${p.howToRead}`);
  return parts.join('\n\n');
}

function rowSection(model: ResolvedMigration, row: RowSpec): string {
  return [`${mdAnchor(panelAnchor(row.id))}\n## ${mdText(row.title)}`, ...row.panels.map((p) => panelSection(model, p))].join('\n\n');
}

/** The full dashboard.md text. */
export function renderDashboardDoc(model: ResolvedMigration, source: string): string {
  const rows = dashboardLayout(model);
  const q = dashboardQueries(model);
  const intro = [
    `# Dashboard: ${mdText(model.title)}`,
    `Grafana dashboard ${mdCode(model.id)} (uid = migration id)` +
      (grafanaLink(model) ? `, ${mdLink('open in Grafana', grafanaLink(model)!)}` : '') +
      `. Every query reads the Prometheus data source chosen in the ${mdCode(DATASOURCE_VARIABLE)} variable ` +
      `(default ${mdCode(model.grafana.datasourceUid)}); the queries below are plain PromQL and work in any Prometheus UI. ` +
      `See also the ${mdLink('runbook', DOC_FILE.runbook)} and the ${mdLink('alerts', DOC_FILE.alertsDoc)}.`,
    mdTable(
      ['Row', 'Panels'],
      rows.map((r) => [mdLink(r.title, `#${panelAnchor(r.id)}`), r.panels.map((p) => mdLink(p.title, `#${panelAnchor(p.id)}`)).join(', ')]),
    ),
    `Gate state colours: ${GATE_STATE_MAPPINGS.filter((m) => m.value !== null)
      .map((m) => `${m.value} = ${mdText(m.text)} (${m.color})`)
      .join(', ')}.`,
    `Phase changes are marked as annotations, from:\n\n${mdCodeBlock(q.phaseChanges, 'promql')}`,
  ];
  return `${markdownHeader(source)}\n${[...intro, ...rows.map((r) => rowSection(model, r))].join('\n\n')}\n`;
}
