/**
 * The front half of the pipeline, shared by every command:
 *   load (safe YAML) -> validate (JSON Schema) -> resolve (presets, engine library, config) -> semantic rules.
 * Generators then turn each ResolvedMigration into output data (generate/), rendered (render/) and
 * written (write/).
 */
import { sortDiagnostics, type Diagnostic } from './diagnostics';
import type { MigrationDefinition } from './definition/types';
import { expandInputs } from './load/files';
import { loadFile, parseSource, type SourceFile } from './load/source';
import type { RepoConfig, ResolvedMigration } from './model/types';
import { resolve } from './resolve/resolve';
import { SEMANTIC_RULES } from './validate/rules';
import { validateStructure } from './validate/schema';

export interface LoadedMigration {
  source: SourceFile;
  definition: MigrationDefinition;
  model: ResolvedMigration;
}

export interface PipelineResult {
  /** The definition files read (directories expanded). */
  files: string[];
  migrations: LoadedMigration[];
  /** Every problem of every file, sorted by file and position. */
  diagnostics: Diagnostic[];
  /** True when there is no error-severity diagnostic. */
  ok: boolean;
}

/** Validate and resolve one already-loaded source. */
export function checkSource(source: SourceFile, config: RepoConfig = {}): { migration?: LoadedMigration; diagnostics: Diagnostic[] } {
  const structural = validateStructure(source);
  if (structural.length) return { diagnostics: structural };
  const definition = source.data as MigrationDefinition;
  const model = resolve(definition, source.file, config);
  const ctx = { source, def: definition, model };
  const diagnostics = SEMANTIC_RULES.flatMap((r) => r.check(ctx));
  return diagnostics.length ? { diagnostics } : { migration: { source, definition, model }, diagnostics };
}

/**
 * Load, validate and resolve definition files; all problems of all files are collected. A
 * directory stands for the *.yaml and *.yml files directly in it, in name order.
 */
export function loadDefinitions(inputs: string[], config: RepoConfig = {}): PipelineResult {
  const migrations: LoadedMigration[] = [];
  const r = loadEach(inputs, config, (m) => migrations.push(m));
  return { ...r, migrations };
}

export interface ModelsResult extends Omit<PipelineResult, 'migrations'> {
  models: ResolvedMigration[];
}

/**
 * loadDefinitions keeping only the resolved models: each file's parsed document (its YAML tree,
 * text and position index, needed only for messages) is dropped as soon as the file is checked,
 * so `generate` over a thousand definitions does not hold a thousand syntax trees.
 */
export function loadModels(inputs: string[], config: RepoConfig = {}): ModelsResult {
  const models: ResolvedMigration[] = [];
  const r = loadEach(inputs, config, (m) => models.push(m.model));
  return { ...r, models };
}

/** Where a migration's id is written: enough to point at both copies of a duplicate id. */
interface IdAt {
  id: string;
  file: string;
  at: { line: number; column: number };
}

function loadEach(inputs: string[], config: RepoConfig, keep: (m: LoadedMigration) => void): Omit<PipelineResult, 'migrations'> {
  const ids: IdAt[] = [];
  const { files, diagnostics } = expandInputs(inputs);
  for (const file of files) {
    const loaded = loadFile(file);
    diagnostics.push(...loaded.diagnostics);
    if (!loaded.source) continue;
    const checked = checkSource(loaded.source, config);
    diagnostics.push(...checked.diagnostics);
    if (!checked.migration) continue;
    const m = checked.migration;
    const at = m.source.locate(['metadata', 'id']);
    ids.push({ id: m.model.id, file: m.source.file, at: { line: at.line, column: at.column } });
    keep(m);
  }
  diagnostics.push(...duplicateIds(ids));
  const sorted = sortDiagnostics(diagnostics);
  return { files, diagnostics: sorted, ok: !sorted.some((d) => d.severity === 'error') };
}

/** Validate a definition held in memory (library use, tests). */
export function loadDefinitionText(file: string, text: string, config: RepoConfig = {}): PipelineResult {
  const loaded = parseSource(file, text);
  if (!loaded.source) return { files: [file], migrations: [], diagnostics: loaded.diagnostics, ok: false };
  const checked = checkSource(loaded.source, config);
  return { files: [file], migrations: checked.migration ? [checked.migration] : [], diagnostics: sortDiagnostics(checked.diagnostics), ok: checked.diagnostics.length === 0 };
}

/** Two definitions with the same metadata.id would overwrite each other's output and alerts. */
function duplicateIds(ids: IdAt[]): Diagnostic[] {
  const first = new Map<string, IdAt>();
  const out: Diagnostic[] = [];
  for (const m of ids) {
    const prev = first.get(m.id);
    if (!prev) {
      first.set(m.id, m);
      continue;
    }
    out.push({
      file: m.file,
      ...m.at,
      severity: 'error',
      check: 'unique-migration-ids',
      message: `migration id \`${m.id}\` is already used by ${prev.file}:${prev.at.line}:${prev.at.column}`,
      hint: 'each migration needs its own id: it names the output folder, the dashboard uid and the migration_id label',
    });
  }
  return out;
}
