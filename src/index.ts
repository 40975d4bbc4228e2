/**
 * migobs as a library: load and validate definitions, resolve them into the model, and (from the
 * generate modules) turn the model into output data. Only write/ touches the disk.
 */
export type { MigrationDefinition, GateDefinition, SignalDefinition, PhaseDefinition, MigrationType, Engine, Direction } from './definition/types';
export { MIGRATION_TYPES, ENGINES } from './definition/types';
export type { Diagnostic, Severity } from './diagnostics';
export { formatDiagnostic, UserError } from './diagnostics';
export type { ResolvedMigration, ResolvedGate, ResolvedSignal, ResolvedPhase, RepoConfig } from './model/types';
export { loadDefinitions, loadDefinitionText, checkSource, type LoadedMigration, type PipelineResult } from './pipeline';
export { resolve } from './resolve/resolve';
export { parseDurationSeconds, formatDuration } from './util/duration';
