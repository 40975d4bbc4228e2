/**
 * migobs as a library: load and validate definitions, resolve them into the model, and (from the
 * generate modules) turn the model into output data. Only write/ touches the disk.
 */
export type { MigrationDefinition, GateDefinition, SignalDefinition, PhaseDefinition, MigrationType, Engine, Direction, TargetName, TargetDefinition } from './definition/types';
export { MIGRATION_TYPES, ENGINES, TARGET_NAMES, FLEET } from './definition/types';
export type { Diagnostic, Severity } from './diagnostics';
export { formatDiagnostic, UserError } from './diagnostics';
export type { ResolvedMigration, ResolvedGate, ResolvedSignal, ResolvedPhase, RepoConfig } from './model/types';
export { loadDefinitions, loadDefinitionText, checkSource, type LoadedMigration, type PipelineResult } from './pipeline';
export { resolve } from './resolve/resolve';
export { parseDurationSeconds, formatDuration } from './util/duration';
export { MigrationBuilder, GateBuilder } from './definition/builder';
export { generateAll, generateMigration, type OutputFile } from './generate/index';
export { checkOutputs, writeOutputs, type CheckResult, type WriteResult, type WriteOptions } from './write/plan';
export { acquireOutputLock, type OutputLock, type LockOptions } from './write/lock';
export { loadConfig } from './load/config';
export { buildAlertmanagerFragment, buildRouteCases, parseRouteCases, type AlertmanagerFragment, type RouteCase } from './generate/alertmanager';
export { parseBaseConfig, mergeAlertmanager, mergeInputOf, type BaseConfig, type MergeInput, type MergeResult } from './alertmanager/merge';
export { renderRunbook } from './generate/docs';

import { stringify } from 'yaml';
import type { MigrationDefinition } from './definition/types';
import { loadDefinitionText, type PipelineResult } from './pipeline';

/** Validate and resolve a definition built in code (e.g. with MigrationBuilder). */
export function checkDefinition(def: MigrationDefinition, name = `${def.metadata.id}.yaml`): PipelineResult {
  return loadDefinitionText(name, stringify(def));
}
