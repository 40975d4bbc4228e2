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

export interface Link {
  title: string;
  url: string;
}

export interface SignalDefinition {
  expr: string;
  unit?: string;
  title?: string;
  description?: string;
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
    selector?: string;
    runner?: RunnerDefinition;
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
