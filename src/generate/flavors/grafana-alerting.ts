/**
 * grafana-alerting flavour: the gates of each migration as Grafana-managed alert rules, in
 * Grafana's alerting file-provisioning format (`apiVersion: 1`, `groups:`), one rule group per
 * migration in grafana/alerting/<id>.yaml.
 *
 * Per gate two rules, built with the foundation SDK's alerting and expression builders:
 *   A  the gate state, computed in PromQL from the signal itself (gateStateStandaloneExpr:
 *      0 green, 1 pause, 2 rollback, 3 unknown; 0 outside the gate's phases; 0 while the
 *      migration is not active: the Prometheus alerts' lifecycle, inlined)
 *   B  reduce A to its last value;  C  threshold on B (the condition)
 * - `pause`: fires on state >= 1 (pause, rollback or unknown: unknown counts as pause), and on no
 *   data or a query error too (noDataState/execErrState `Alerting`): missing data is never green;
 * - `rollback`: fires on state 2; no data and errors become Grafana's own NoData/Error alerts
 *   (DatasourceNoData, DatasourceError), which are firing, never OK, but do not page as a rollback.
 * Labels and links are the Prometheus alerts' (migration_id, gate, action, severity; runbook_url,
 * dashboard_url, plus the rule's dashboardUid/panelId), so the same routing and runbook apply.
 *
 * Grafana expands environment variables (`$NAME`, `${NAME}`) in the provisioning file's string
 * values except the query models; `$$` is its escape for a literal `$` (pkg/services/provisioning/
 * values). Every such string is escaped here, so user text never reads the server's environment.
 */
import { createHash } from 'node:crypto';
import * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import * as expr from '@grafana/grafana-foundation-sdk/expr';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type { ResolvedGate, ResolvedMigration } from '../../model/types';
import { tpl } from '../../render/prom-template';
import { toYaml } from '../../render/serialize';
import { formatDuration } from '../../util/duration';
import type { OutputFile } from '../index';
import { FILES, SEVERITY, gateAnchor, type GateAction } from '../names';
import { gatePanelIds } from '../panel-ids';
import { gateStateStandaloneExpr, promNumber } from '../rules/promql';
import { sourceName } from '../source-name';
import { dashboardUrl, runbookUrl } from '../urls';
import type { Payload } from './payload';

/** Grafana evaluates rule groups on multiples of its 10 s base interval. */
export const BASE_INTERVAL_SECONDS = 10;
/** The datasource of Grafana's server-side expressions. */
export const EXPR_DATASOURCE = '__expr__';
/** How far back query A looks (an instant query needs only the lookback of its selectors). */
const QUERY_RANGE_SECONDS = 600;

/** The no-data and error behaviour of each rule: never `OK` and never `KeepLast` (which could keep OK). */
export const STATES: Record<GateAction, { noDataState: 'Alerting' | 'NoData'; execErrState: 'Alerting' | 'Error' }> = {
  pause: { noDataState: 'Alerting', execErrState: 'Alerting' },
  rollback: { noDataState: 'NoData', execErrState: 'Error' },
};

/** A literal string for a Grafana provisioning value: `$` doubled so that no variable expands. */
export const grafanaLiteral = (s: string): string => s.replace(/\$/g, '$$$$');
const literalMap = (m: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, grafanaLiteral(v)]));

/** A stable rule uid (Grafana allows at most 40 characters of [a-zA-Z0-9_-]). */
export function ruleUid(migrationId: string, gateId: string, action: GateAction): string {
  return `migobs-${createHash('sha256').update(`${migrationId}\u0000${gateId}\u0000${action}`).digest('hex').slice(0, 24)}`;
}

export const groupInterval = (m: ResolvedMigration): string =>
  formatDuration(Math.max(1, Math.ceil(m.scrapeIntervalSeconds / BASE_INTERVAL_SECONDS)) * BASE_INTERVAL_SECONDS * 1000);

const exprRef = { type: EXPR_DATASOURCE, uid: EXPR_DATASOURCE };

function gateRule(m: ResolvedMigration, g: ResolvedGate, action: GateAction, orgId: number): alerting.Rule {
  const threshold = action === 'pause' ? g.pause : g.rollback;
  const comparison = g.direction === 'above' ? 'above' : 'below';
  const query = new alerting.QueryBuilder('A')
    .datasourceUid(m.grafana.datasourceUid)
    .relativeTimeRange({ from: QUERY_RANGE_SECONDS, to: 0 })
    .model(new prometheus.DataqueryBuilder().refId('A').expr(gateStateStandaloneExpr(m, g)).instant().editorMode(prometheus.QueryEditorMode.Code));
  const reduce = new alerting.QueryBuilder('B')
    .datasourceUid(EXPR_DATASOURCE)
    .relativeTimeRange({ from: 0, to: 0 })
    .model(new expr.TypeReduceBuilder().refId('B').datasource(exprRef).expression('A').reducer('last'));
  // pause: state > 0.5 (1, 2 or 3); rollback: state strictly between 1.5 and 2.5 (exactly 2).
  const condition = action === 'pause' ? { type: 'gt' as const, params: [0.5] } : { type: 'within_range' as const, params: [1.5, 2.5] };
  const threshold_ = new alerting.QueryBuilder('C')
    .datasourceUid(EXPR_DATASOURCE)
    .relativeTimeRange({ from: 0, to: 0 })
    .model(new expr.TypeThresholdBuilder().refId('C').datasource(exprRef).expression('B').conditions([{ evaluator: condition }]));
  const verb = action === 'pause' ? 'Pause' : 'Roll back';
  const todo = action === 'pause'
    ? `${g.remediation ?? 'Pause the migration and follow the runbook section of this gate.'} No data or a query error also fires this rule: missing data is never green.`
    : 'Stop the migration and follow the rollback procedure in the runbook.';
  return new alerting.RuleBuilder(`${m.id} ${g.id} ${action}`)
    .uid(ruleUid(m.id, g.id, action))
    .orgID(orgId)
    .condition('C')
    .queries([query, reduce, threshold_])
    .noDataState(STATES[action].noDataState)
    .execErrState(STATES[action].execErrState)
    .forDuration(action === 'pause' ? g.pauseFor : g.rollbackFor)
    .labels({ migration_id: m.id, gate: g.id, action, severity: SEVERITY[action] })
    .annotations({
      summary: tpl().text(`${verb} ${m.id}: ${g.title} ${comparison} ${promNumber(threshold)}`).build(),
      description: tpl().text(`${g.title} is strictly ${comparison} the ${action} threshold ${promNumber(threshold)} for ${action === 'pause' ? g.pauseFor : g.rollbackFor} in one of its phases (${g.phases.join(', ')}) of ${m.title}. ${todo}`).build(),
      runbook_url: runbookUrl(m, gateAnchor(g)),
      dashboard_url: dashboardUrl(m, gatePanelIds(m).get(g.id)),
    })
    .isPaused(false)
    .build();
}

/** The SDK's built objects carry methods (e.g. `_implementsDataqueryVariant`): data only, as JSON sees it. */
const plainData = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

/** The file-provisioning shape of one rule (Grafana's AlertRuleV1), from the SDK's API-shaped rule. */
function provisionedRule(r: alerting.Rule, dashboardUid: string, panelId: number | undefined): Record<string, unknown> {
  return {
    uid: r.uid,
    title: grafanaLiteral(r.title),
    condition: r.condition,
    // The query models are read raw by Grafana (no variable expansion): they stay as built.
    data: r.data.map((q) => ({ refId: q.refId, relativeTimeRange: q.relativeTimeRange, datasourceUid: grafanaLiteral(q.datasourceUid ?? ''), model: plainData(q.model) })),
    dashboardUid: grafanaLiteral(dashboardUid),
    ...(panelId !== undefined ? { panelId } : {}),
    noDataState: r.noDataState,
    execErrState: r.execErrState,
    for: r.for,
    annotations: literalMap(r.annotations ?? {}),
    labels: literalMap(r.labels ?? {}),
    isPaused: r.isPaused ?? false,
  };
}

export function buildGrafanaAlerting(p: Payload): unknown {
  const m = p.model;
  const ga = m.config.deploy?.grafanaAlerting ?? {};
  const orgId = ga.orgId ?? 1;
  const panels = gatePanelIds(m);
  const group = new alerting.RuleGroupBuilder(`migobs-${m.id}`).interval(Math.max(1, Math.ceil(m.scrapeIntervalSeconds / BASE_INTERVAL_SECONDS)) * BASE_INTERVAL_SECONDS).build();
  const rules = m.gates.flatMap((g) => (['pause', 'rollback'] as const).map((a) => provisionedRule(gateRule(m, g, a, orgId), m.id, panels.get(g.id))));
  return {
    apiVersion: 1,
    groups: [
      {
        orgId,
        name: grafanaLiteral(group.title ?? `migobs-${m.id}`),
        folder: grafanaLiteral(ga.folder ?? m.grafana.folder),
        interval: groupInterval(m),
        rules,
      },
    ],
  };
}

export function grafanaAlertingFiles(p: Payload): OutputFile[] {
  return [{ path: FILES.grafanaAlerting(p.model.id), content: toYaml(buildGrafanaAlerting(p), sourceName(p.model)) }];
}
