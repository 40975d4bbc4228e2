/**
 * The migration definition as users write it (`apiVersion: migobs/v1`, `kind: Migration`).
 * The JSON Schema (scripts/schema-source.mjs -> schema/migration.schema.json) is the full truth;
 * these types mirror it for TypeScript users.
 */
export type MigrationType = 'schema-only' | 'backfill' | 'online-rewrite' | 'cutover' | 'dual-write' | 'reindex';
export type Engine = 'postgres' | 'mysql' | 'generic';
export type Direction = 'above' | 'below';
export type RollbackDifficulty = 'trivial' | 'easy' | 'hard' | 'irreversible';

export const MIGRATION_TYPES: readonly MigrationType[] = ['schema-only', 'backfill', 'online-rewrite', 'cutover', 'dual-write', 'reindex'];
export const ENGINES: readonly Engine[] = ['postgres', 'mysql', 'generic'];

/**
 * The systems a migration touches, as label matchers (see docs/definition.md "Targets"). Engine
 * library signals read exactly one of them, and its matchers are injected into their selectors.
 */
export type TargetName = 'database' | 'replicas' | 'hosts' | 'app';
export const TARGET_NAMES: readonly TargetName[] = ['database', 'replicas', 'hosts', 'app'];
/** The word that scopes a target explicitly to every series Prometheus has. */
export const FLEET = 'fleet';

/** A selector (`instance="db1:9187"`), `fleet`, or a selector with the number of series expected. */
export type TargetDefinition = string | { selector: string; count?: number };

export interface Link {
  title: string;
  url: string;
}

export interface SignalDefinition {
  expr: string;
  unit?: string;
  title?: string;
  description?: string;
  /** Opt in: inject this target's matchers into the signal's (non migration_*) selectors. */
  target?: TargetName;
  /** Opt in: the signal has one series per member of this target; its `count` guards the gate. */
  seriesPer?: TargetName;
}

export interface GateDefinition {
  id: string;
  title?: string;
  signal?: string;
  direction?: Direction;
  pause?: number;
  rollback?: number;
  for?: string;
  rollbackFor?: string;
  phases?: string[];
  remediation?: string;
  enabled?: boolean;
}

export interface PhaseDefinition {
  id: string;
  title?: string;
  description?: string;
  entry?: string[];
  proceed?: string[];
  enabled?: boolean;
}

export interface MigrationDefinition {
  apiVersion: 'migobs/v1';
  kind: 'Migration';
  metadata: {
    id: string;
    title: string;
    owner: string;
    description?: string;
    links?: Link[];
  };
  spec: {
    type: MigrationType;
    engine: Engine;
    blastRadius?: {
      tables?: string[];
      writePath?: boolean;
      rollback?: RollbackDifficulty;
      forwardFix?: string;
    };
    expectedDuration?: string;
    scrapeInterval?: string;
    stalledAfter?: string;
    /** RFC 3339 times with offset; outside [notBefore, notAfter) no alert fires. */
    schedule?: { notBefore?: string; notAfter?: string };
    selector?: string;
    runner?: RunnerDefinition;
    targets?: Partial<Record<TargetName, TargetDefinition>>;
    phases?: PhaseDefinition[];
    signals?: Record<string, SignalDefinition>;
    gates?: GateDefinition[];
    routing?: { page?: string; notify?: string };
    grafana?: { datasourceUid?: string; folder?: string };
    verification?: string[];
    rollbackPlan?: string;
    decisionOwner?: string;
  };
}

/** What runs the migration and publishes its progress (docs/integrations.md). */
export type RunnerKind = 'emitter' | 'gitlab-bbm';

export interface RunnerDefinition {
  /** `emitter` (default): the migobs emitter or a hook exports the contract. `gitlab-bbm`: GitLab batched background migrations. */
  kind: RunnerKind;
  /** gitlab-bbm: the `migration_identifier` label GitLab puts on its metrics ("JobClass/table.column"). */
  migrationIdentifier?: string;
  /** gitlab-bbm: the phase while GitLab migrates (default `full`). */
  phase?: string;
  /** gitlab-bbm: the phase once every tuple is migrated (default: the phase after `phase`). */
  donePhase?: string;
}
