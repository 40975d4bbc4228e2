/**
 * Names shared by every generator, so the dashboard, rules, routing and docs always agree:
 * recording rules, alert names, runbook/alerts.md anchors and output file names.
 */
import type { ResolvedGate } from '../model/types';

export const RECORD = {
  rowsRate: 'migration:rows_processed:rate5m',
  progress: 'migration:progress:ratio',
  eta: 'migration:eta:seconds',
  batchErrorRatio: 'migration:batch_errors:ratio_rate5m',
  currentPhase: 'migration:phase:current',
  gateValue: 'migration:gate_signal:value',
  gateState: 'migration:gate:state',
} as const;

/** Values of migration:gate:state. Unknown (no data) is worse than rollback: `gate` exits 4. */
export const GATE_STATE = { green: 0, pause: 1, rollback: 2, unknown: 3 } as const;
export type GateStateName = keyof typeof GATE_STATE;

export const ALERT = {
  pause: 'MigrationGatePause',
  rollback: 'MigrationGateRollback',
  absent: 'MigrationGateSignalAbsent',
  stalled: 'MigrationStalled',
  etaOverrun: 'MigrationEtaOverrun',
  metricsAbsent: 'MigrationMetricsAbsent',
} as const;

export type GateAction = 'pause' | 'rollback';

/** Alert label values. */
export const SEVERITY = { pause: 'warning', rollback: 'critical' } as const;

export const FILES = {
  dashboard: 'dashboard.json',
  rules: 'rules.yaml',
  rulesTest: 'rules.test.yaml',
  alertmanager: 'alertmanager.yaml',
  alertmanagerTest: 'alertmanager.test.txt',
  runbook: 'runbook.md',
  dashboardDoc: 'dashboard.md',
  alertsDoc: 'alerts.md',
  provisioning: 'grafana/provisioning/dashboards/migobs.yaml',
} as const;

/** Runbook section of a gate (DESIGN: runbook_url ends in #gate-<gate id>). */
export const gateAnchor = (gate: Pick<ResolvedGate, 'id'>): string => `gate-${gate.id}`;
/** Runbook sections of the meta alerts. */
export const META_ANCHOR = { stalled: 'stalled', etaOverrun: 'eta-overrun', metricsAbsent: 'metrics-absent' } as const;
/** alerts.md section of one alert of a gate, e.g. `alert-replication-lag-pause`. */
export const alertAnchor = (gateId: string, kind: GateAction | 'absent'): string => `alert-${gateId}-${kind}`;
/** alerts.md section of a meta alert, e.g. `alert-migrationstalled`. */
export const metaAlertAnchor = (alertName: string): string => `alert-${alertName.toLowerCase()}`;
/** dashboard.md section of a panel. */
export const panelAnchor = (panelId: number): string => `panel-${panelId}`;

/** Rule group names in rules.yaml. */
export const groupName = (migrationId: string, kind: 'recording' | 'alerts'): string => `migobs-${migrationId}-${kind}`;
