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
  /** 1 while the migration is active (started, not finished, inside its schedule); absent otherwise. */
  lifecycleActive: 'migration:lifecycle:active',
  /** 1 while the clock is inside spec.schedule (only with a schedule). */
  scheduleOpen: 'migration:schedule:open',
} as const;

/**
 * How long the runner's metrics are remembered (docs/definition.md "Lifecycle"): a migration is
 * started once `migration_phase` was exported within this window, a runner that vanished keeps its
 * last phase for it, and MigrationMetricsAbsent keeps firing for at most this long after the runner
 * disappeared without finishing. Long enough to outlast a night with nobody looking, short enough
 * that a migration that was never marked finished goes quiet the next day.
 */
export const LIFECYCLE_LOOKBACK = '24h';

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

/**
 * The output layout, relative to the output folder: the one place that knows where each file goes.
 * Laid out by consumer so that one fixed setting loads every migration (docs/layout.md):
 * Prometheus `rule_files: [<out>/prometheus/rules/*.yaml]` (a glob only in the last segment, and it
 * matches no test file), one Grafana file provider on `<out>/grafana/dashboards`, and the
 * per-migration docs together in `<out>/docs/<id>/` for review.
 */
export const FILES = {
  rules: (id: string): string => `prometheus/rules/${id}.yaml`,
  /** promtool unit tests; their `rule_files` points at ../rules/<id>.yaml (resolved relative to the test file). */
  rulesTest: (id: string): string => `prometheus/tests/${id}.test.yaml`,
  dashboard: (id: string): string => `grafana/dashboards/${id}.json`,
  alertmanager: (id: string): string => `alertmanager/${id}.yaml`,
  alertmanagerTest: (id: string): string => `alertmanager/${id}.routes.txt`,
  runbook: (id: string): string => `docs/${id}/${DOC_FILE.runbook}`,
  alertsDoc: (id: string): string => `docs/${id}/${DOC_FILE.alertsDoc}`,
  dashboardDoc: (id: string): string => `docs/${id}/${DOC_FILE.dashboardDoc}`,
  /** One file for every migration: a single Grafana provider reading the dashboards folder. */
  provisioning: 'grafana/provisioning/dashboards/migobs.yaml',
  // Deploy flavours (`generate --flavor`, docs/deploy.md): the same payload, packaged for other loaders.
  /** prometheus-operator: a `PrometheusRule` holding the same rule groups as rules(id). */
  prometheusRule: (id: string): string => `kubernetes/prometheus-operator/${id}.prometheusrule.yaml`,
  /** prometheus-operator: an `AlertmanagerConfig` with the same routes and inhibit rules as alertmanager(id). */
  alertmanagerConfig: (id: string): string => `kubernetes/prometheus-operator/${id}.alertmanagerconfig.yaml`,
  /** grafana-operator: a `GrafanaDashboard` whose spec.json is the bytes of dashboard(id). */
  grafanaDashboard: (id: string): string => `kubernetes/grafana-operator/${id}.grafanadashboard.yaml`,
  /** configmap: a ConfigMap for the Grafana sidecar holding the bytes of dashboard(id). */
  dashboardConfigMap: (id: string): string => `kubernetes/configmap/${id}.dashboard.yaml`,
  /** configmap (deploy.configmap.rules: true): a ConfigMap holding the bytes of rules(id). */
  rulesConfigMap: (id: string): string => `kubernetes/configmap/${id}.rules.yaml`,
  /** mimir: the same rule groups under a ruler namespace, as `mimirtool rules sync` reads them. */
  mimirRules: (id: string): string => `mimir/rules/${id}.yaml`,
  /** mimir: the routing fragment for a tenant's Alertmanager (merged with `migobs alertmanager --base`). */
  mimirAlertmanager: (id: string): string => `mimir/alertmanager/${id}.yaml`,
  /** grafana-alerting: the gates as Grafana-managed alert rules (file provisioning format). */
  grafanaAlerting: (id: string): string => `grafana/alerting/${id}.yaml`,
} as const;

/** Every per-migration path a deploy flavour other than `files` may write (recognised in the manifest). */
export function flavorPaths(id: string): string[] {
  return [FILES.prometheusRule(id), FILES.alertmanagerConfig(id), FILES.grafanaDashboard(id), FILES.dashboardConfigMap(id), FILES.rulesConfigMap(id), FILES.mimirRules(id), FILES.mimirAlertmanager(id), FILES.grafanaAlerting(id)].sort();
}

/** File names of the per-migration documents inside `docs/<id>/` (also the tail of runbook URLs). */
export const DOC_FILE = { runbook: 'runbook.md', alertsDoc: 'alerts.md', dashboardDoc: 'dashboard.md' } as const;
export type DocKind = keyof typeof DOC_FILE;

/** Folders of the layout that consumers point at. */
export const DIRS = {
  rules: 'prometheus/rules',
  dashboards: 'grafana/dashboards',
  docs: 'docs',
  kubernetes: 'kubernetes',
  mimirRules: 'mimir/rules',
  grafanaAlerting: 'grafana/alerting',
} as const;

/** The `rule_files` glob (relative to the output folder) that loads every migration's rules. */
export const RULES_GLOB = `${DIRS.rules}/*.yaml`;

/**
 * Bookkeeping files of the write stage, at the top of the output folder. The names start with a
 * dot so Grafana's file provider skips them and no rule glob matches them.
 */
export const OUT_META = {
  /** What migobs wrote here: the only files it ever deletes (docs/layout.md#ownership). */
  manifest: '.migobs-manifest.json',
  /** Held while `generate` runs (pid + host), so two runs never write one folder at once. */
  lock: '.migobs.lock',
  /** Prefix of the staging folder new files are written to before they are renamed into place. */
  stagingPrefix: '.migobs-staging-',
} as const;

/** Per-migration output files (every path `generate` writes for one migration), sorted. */
export function migrationPaths(id: string): string[] {
  return [FILES.rules(id), FILES.rulesTest(id), FILES.dashboard(id), FILES.alertmanager(id), FILES.alertmanagerTest(id), FILES.runbook(id), FILES.alertsDoc(id), FILES.dashboardDoc(id)].sort();
}

/** A migration id as it may appear in an output path (the schema's id pattern). */
const ID_PATTERN = '[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?';
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PER_MIGRATION = [...migrationPaths('\u0000'), ...flavorPaths('\u0000')].map((p) => new RegExp(`^${escapeRegExp(p).split('\u0000').join(`(${ID_PATTERN})`)}$`));

/** The migration a per-migration output path belongs to (`docs/x/runbook.md` -> `x`), else undefined. */
export function migrationIdOf(path: string): string | undefined {
  for (const re of PER_MIGRATION) {
    const m = re.exec(path);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Whether a path (relative to the output folder) is one migobs could have written. A manifest entry
 * that is not is ignored, so a damaged or hostile manifest can never make `generate` delete
 * anything else (`../x`, `/etc/...`, a person's notes).
 */
export function isGeneratedPath(path: string): boolean {
  return path === FILES.provisioning || migrationIdOf(path) !== undefined;
}

/**
 * Where migobs 0.1 wrote a migration's files (`<out>/<id>/rules.yaml`, ...). Nothing reads them
 * any more; `generate` points them out so they can be deleted (it never deletes them itself).
 */
export function legacyPaths(id: string): string[] {
  return ['alertmanager.test.txt', 'alertmanager.yaml', 'alerts.md', 'dashboard.json', 'dashboard.md', 'rules.test.yaml', 'rules.yaml', 'runbook.md'].map((f) => `${id}/${f}`);
}

/** The link from one output file to another (both relative to the output folder), e.g. `../rules/x.yaml`. */
export function relativeLink(from: string, to: string): string {
  const a = from.split('/').slice(0, -1);
  const b = to.split('/');
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...Array<string>(a.length - i).fill('..'), ...b.slice(i)].join('/');
}

/** Runbook section of a gate (every gate alert's runbook_url ends in #gate-<gate id>). */
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
