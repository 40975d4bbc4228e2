/**
 * The resolved model: a definition merged with its preset, engine signal library and repo config.
 * Every generator is a pure function from this model to data; nothing here is optional that a
 * generator needs.
 */
import type { Direction, Engine, Link, MigrationType, RollbackDifficulty, TargetName } from '../definition/types';
import type { LabelMatcher } from '../promql/matchers';

export type Origin = 'preset' | 'engine' | 'definition';

/** One spec.targets entry, parsed. */
export interface ResolvedTarget {
  /** `fleet`: explicitly every series (no matchers). */
  fleet: boolean;
  /** The matchers injected into the selectors of signals reading this target (empty for fleet). */
  matchers: LabelMatcher[];
  /** The selector as written (or `fleet`). */
  selector: string;
  /** Series expected from a signal with one series per member of the target. */
  count?: number;
}

export interface ResolvedSignal {
  name: string;
  /**
   * Final PromQL: migration_id and the selector injected into every migration_* selector, and the
   * target's matchers into every other selector (library signals, and your own with `target:`).
   */
  expr: string;
  /** The expression as written in the preset, engine library or definition. */
  rawExpr: string;
  unit: string;
  title: string;
  description: string;
  /** Exporter setup the signal needs (from the engine library). */
  requires?: string;
  /** Plausible value range (from the engine library); see model/signal-range.ts. */
  range?: { min?: number; max?: number };
  /** The target the signal reads (`migration`: contract metrics only); undefined for your own unscoped signals. */
  target?: TargetName | 'migration';
  /** The target whose `count` says how many series the signal has (one per member). */
  seriesPer?: TargetName;
  /** Exactly this many series must be present, or the gate value is absent (unknown). */
  expectedSeries?: number;
  origin: Origin;
}

export interface ResolvedGate {
  id: string;
  title: string;
  signal: string;
  direction: Direction;
  pause: number;
  rollback: number;
  /** `for` of the pause alert (Prometheus duration text) and in seconds. */
  pauseFor: string;
  pauseForSeconds: number;
  rollbackFor: string;
  rollbackForSeconds: number;
  /** Phase ids the gate applies in, in phase order. */
  phases: string[];
  remediation?: string;
  origin: Origin;
}

export interface ResolvedPhase {
  id: string;
  title: string;
  description?: string;
  entry: string[];
  proceed: string[];
}

export interface ResolvedSchedule {
  notBefore?: { text: string; seconds: number };
  notAfter?: { text: string; seconds: number };
}

export interface RepoConfig {
  grafanaUrl?: string;
  runbookBaseUrl?: string;
  datasourceUid?: string;
  folder?: string;
  routing?: { page?: string; notify?: string };
  outDir?: string;
  /** Where Grafana reads the dashboards from (provisioning path root). */
  grafanaDashboardsPath?: string;
  /** Settings of the deploy flavours (`generate --flavor`, docs/deploy.md). */
  deploy?: DeployConfig;
  /** Extra HTTP headers for the Prometheus API (`gate`, `watch`, `gate --serve`); values are never printed. */
  headers?: Record<string, string>;
}

/** Kubernetes label or annotation map. */
export type StringMap = Record<string, string>;

/** `deploy:` in migobs.config.yaml (docs/deploy.md). Every key is optional. */
export interface DeployConfig {
  /** `--flavor` default when none is given on the command line (default: [files]). */
  flavors?: string[];
  /** metadata.namespace of every Kubernetes manifest (default: none, i.e. kubectl's namespace). */
  namespace?: string;
  /** Labels on every Kubernetes manifest. */
  labels?: StringMap;
  prometheusOperator?: {
    /** Extra labels on each PrometheusRule, e.g. `release: kube-prometheus-stack` for the Prometheus ruleSelector. */
    ruleLabels?: StringMap;
    /** Extra labels on each AlertmanagerConfig (the Alertmanager's alertmanagerConfigSelector). */
    alertmanagerConfigLabels?: StringMap;
    /** Receiver definitions by name (AlertmanagerConfig `receivers[]` entries without `name`), e.g. slackConfigs with secret references. */
    receivers?: Record<string, Record<string, unknown>>;
  };
  grafanaOperator?: {
    /** spec.instanceSelector of each GrafanaDashboard (a Kubernetes label selector). */
    instanceSelector?: Record<string, unknown>;
    /** spec.folder (a folder title); default: the migration's Grafana folder. */
    folder?: string;
  };
  configmap?: {
    /** Labels the Grafana sidecar selects dashboards by (default `grafana_dashboard: "1"`). */
    dashboardLabels?: StringMap;
    /** Annotations on dashboard ConfigMaps, e.g. `grafana_folder: Migrations` for the sidecar's folderAnnotation. */
    dashboardAnnotations?: StringMap;
    /** Also write a ConfigMap with the rules file (default false). */
    rules?: boolean;
    /** Labels of the rules ConfigMap. */
    rulesLabels?: StringMap;
  };
  mimir?: {
    /** Prefix of the ruler namespace of each migration (default `migobs-`): namespace = prefix + id. */
    namespacePrefix?: string;
  };
  grafanaAlerting?: {
    /** Folder title of the rule groups; default: the migration's Grafana folder. */
    folder?: string;
    /** Grafana organisation id (default 1). */
    orgId?: number;
  };
}

/** A runner whose own metrics are mapped onto the contract by recording rules (src/runners). */
export interface ResolvedRunner {
  kind: 'gitlab-bbm';
  migrationIdentifier: string;
  /** The phase while the runner migrates. */
  phase: string;
  /** The phase once it has migrated everything. */
  donePhase?: string;
}

export interface ResolvedMigration {
  id: string;
  title: string;
  owner: string;
  description?: string;
  links: Link[];
  type: MigrationType;
  typeTitle: string;
  engine: Engine;
  blastRadius: { tables: string[]; writePath: boolean; rollback: RollbackDifficulty; forwardFix?: string };
  expectedDuration?: string;
  expectedDurationSeconds?: number;
  scrapeInterval: string;
  scrapeIntervalSeconds: number;
  stalledAfter: string;
  stalledAfterSeconds: number;
  /**
   * spec.schedule: the texts as written and their unix seconds (NaN when invalid; the
   * schedule-valid rule reports it). Outside [notBefore, notAfter) no alert fires.
   */
  schedule?: ResolvedSchedule;
  /** The user's selector as matchers, plus migration_id; added to every migration_* selector. */
  migrationMatchers: LabelMatcher[];
  /** Set when progress comes from a tool's own metrics (spec.runner), not the emitter. */
  runner?: ResolvedRunner;
  /** spec.targets, parsed; a target not set in the definition is absent here. */
  targets: Partial<Record<TargetName, ResolvedTarget>>;
  phases: ResolvedPhase[];
  signals: Record<string, ResolvedSignal>;
  /** Enabled gates, in definition order (preset gates first, then new ones). */
  gates: ResolvedGate[];
  /** Ids of preset gates switched off with `enabled: false`. */
  disabledGates: string[];
  routing: { page: string; notify: string };
  grafana: { datasourceUid: string; folder: string };
  verification: string[];
  rollbackPlan: string;
  /** Who decides (a name), and how decisions are made (preset prose). */
  decisionOwner: string;
  decisionProcess: string;
  config: RepoConfig;
  /** The definition file the model came from (as given on the command line). */
  sourceFile: string;
}
