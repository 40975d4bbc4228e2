/**
 * dashboard.json, built with the Grafana foundation SDK from the layout in panels.ts. Only this
 * module (and so only `generate`) loads the SDK. Rows are expanded, so their panels follow them at
 * the top level (Grafana ignores panels nested in an expanded row); the SDK lays out the grid.
 */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { ResolvedMigration } from '../../model/types';
import { GENERATED_NOTE } from '../../render/serialize';
import { docUrl, runbookUrl } from '../urls';
import { DATASOURCE_VARIABLE, dashboardLayout, type PanelSpec, type QuerySpec, type ThresholdStep, type ValueMappingSpec } from './panels';
import { dashboardQueries } from './queries';

const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/** Neutral colour for values that are neither good nor bad. */
const NEUTRAL = 'blue';
const REFRESH = '30s';

type AnyPanelBuilder = timeseries.PanelBuilder | stat.PanelBuilder | statetimeline.PanelBuilder | table.PanelBuilder;

function target(q: QuerySpec): prometheus.DataqueryBuilder {
  const b = new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(q.refId).expr(q.expr).editorMode(prometheus.QueryEditorMode.Code);
  if (q.legend) b.legendFormat(q.legend);
  if (q.table) b.format(prometheus.PromQueryFormat.Table);
  return q.instant ? b.instant() : b.range();
}

function thresholds(steps: ThresholdStep[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps.map((s) => ({ value: s.value, color: s.color })));
}

/** Exact values become one value map; `null` (no data) becomes a special-value map. */
function mappings(specs: ValueMappingSpec[]): dashboard.ValueMapping[] {
  const values: Record<string, dashboard.ValueMappingResult> = {};
  const out: dashboard.ValueMapping[] = [];
  specs.forEach((m, index) => {
    if (m.value !== null) values[String(m.value)] = { text: m.text, color: m.color, index };
  });
  if (Object.keys(values).length) out.push({ type: dashboard.MappingType.ValueToText, options: values });
  specs.forEach((m, index) => {
    if (m.value === null) {
      out.push({ type: dashboard.MappingType.SpecialValue, options: { match: dashboard.SpecialValueMatch.NullAndNan, result: { text: m.text, color: m.color, index } } });
    }
  });
  return out;
}

const legend = (): common.VizLegendOptionsBuilder =>
  new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).calcs([]);
const tooltip = (): common.VizTooltipOptionsBuilder => new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending);

function timeseriesPanel(p: PanelSpec): timeseries.PanelBuilder {
  const b = new timeseries.PanelBuilder().legend(legend()).tooltip(tooltip()).lineWidth(1).fillOpacity(10).showPoints(common.VisibilityMode.Never);
  if (p.showThresholds) b.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.LineAndArea));
  if (p.softMin !== undefined) b.axisSoftMin(p.softMin);
  if (p.softMax !== undefined) b.axisSoftMax(p.softMax);
  return b;
}

function statPanel(p: PanelSpec): stat.PanelBuilder {
  const b = new stat.PanelBuilder()
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(p.showName ? common.BigValueColorMode.None : common.BigValueColorMode.Value)
    .graphMode(p.showName ? common.BigValueGraphMode.None : common.BigValueGraphMode.Area)
    .textMode(p.showName ? common.BigValueTextMode.Name : common.BigValueTextMode.Value);
  return b;
}

function stateTimelinePanel(): statetimeline.PanelBuilder {
  return new statetimeline.PanelBuilder().legend(legend()).tooltip(tooltip()).showValue(common.VisibilityMode.Never).mergeValues(true).fillOpacity(80);
}

/**
 * Gate table: the latest state per gate, coloured cells. (The published schema refuses field
 * overrides by name, so the mappings apply to the whole table; its only numbers are states.)
 */
function gateTablePanel(): table.PanelBuilder {
  return new table.PanelBuilder()
    .withTransformation({
      id: 'organize',
      options: { excludeByName: { Time: true }, renameByName: { gate: 'Gate', Value: 'State' }, indexByName: { gate: 0, Value: 1 } },
    })
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Gate')])
    .cellOptions({ type: common.TableCellDisplayMode.ColorBackground, mode: common.TableCellBackgroundDisplayMode.Basic, applyToRow: false });
}

function panel(p: PanelSpec): AnyPanelBuilder {
  let b: AnyPanelBuilder;
  switch (p.kind) {
    case 'timeseries':
      b = timeseriesPanel(p);
      break;
    case 'stat':
      b = statPanel(p);
      break;
    case 'state-timeline':
      b = stateTimelinePanel();
      break;
    case 'table':
      b = gateTablePanel();
      break;
  }
  b.id(p.id).title(p.title).description(p.description).datasource(DATASOURCE).unit(p.unit).span(p.width).height(p.height);
  b.targets(p.queries.map(target));
  b.thresholds(thresholds(p.thresholds ?? [{ value: null, color: NEUTRAL }]));
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  if (p.mappings) b.mappings(mappings(p.mappings));
  if (p.mappings && p.kind === 'state-timeline') b.colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds));
  if (p.links?.length) b.links(p.links.map((l) => link(l.title, l.url)));
  return b;
}

function link(title: string, url: string): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder(title).type(dashboard.DashboardLinkType.Link).url(url).targetBlank(true);
}

/** Wide enough to show the whole planned window, with some margin; 6h when none is set. */
export function timeRange(model: Pick<ResolvedMigration, 'expectedDurationSeconds'>): { from: string; to: string } {
  const seconds = Math.max(3600, Math.ceil((model.expectedDurationSeconds ?? 6 * 3600) * 1.25));
  const from = seconds > 2 * 86400 ? `now-${Math.ceil(seconds / 86400)}d` : `now-${Math.ceil(seconds / 3600)}h`;
  return { from, to: 'now' };
}

/** The dashboard as Grafana's JSON model. */
export function buildDashboard(model: ResolvedMigration): dashboard.Dashboard {
  const q = dashboardQueries(model);
  const builder = new dashboard.DashboardBuilder(model.title)
    .uid(model.id)
    .description(`${model.typeTitle} migration owned by ${model.owner}. ${GENERATED_NOTE}`)
    .tags(['migobs', model.type, model.engine])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time(timeRange(model))
    .refresh(REFRESH)
    .withVariable(
      new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE)
        .label('Prometheus')
        .type('prometheus')
        .current({ selected: true, text: model.grafana.datasourceUid, value: model.grafana.datasourceUid }),
    )
    .annotation(
      new dashboard.AnnotationQueryBuilder()
        .name('Phase changes')
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor('blue')
        .expr(q.phaseChanges)
        .titleFormat('Phase: {{phase}}')
        .textFormat('The migration entered phase {{phase}}.')
        .tagKeys('phase'),
    )
    .link(link('Runbook', runbookUrl(model)).icon('doc'))
    .link(link('Alerts', docUrl(model, 'alertsDoc')).icon('bolt'))
    .link(link('Dashboard guide', docUrl(model, 'dashboardDoc')).icon('info'));
  for (const l of model.links) builder.link(link(l.title, l.url).icon('external link'));
  for (const row of dashboardLayout(model)) {
    builder.withRow(new dashboard.RowBuilder(row.title).id(row.id).collapsed(false));
    for (const p of row.panels) builder.withPanel(panel(p) as cog.Builder<dashboard.Panel>);
  }
  return builder.build();
}
