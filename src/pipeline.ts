/**
 * The front half of the pipeline, shared by every command:
 *   load (safe YAML) -> validate (JSON Schema) -> resolve (presets, engine library, config) -> semantic rules.
 * Generators then turn each ResolvedMigration into output data (generate/), rendered (render/) and
 * written (write/). Many files go through load/each.ts (the result cache), with this module's
 * stages as its SourceChecker.
 */
import { sortDiagnostics, type Diagnostic } from './diagnostics';
import type { MigrationDefinition } from './definition/types';
import { loadEach, loadModelsWith, type CheckedFile, type LoadedMigration, type LoadOptions, type ModelsResult, type PipelineResult, type SourceChecker } from './load/each';
import { parseSource, type SourceFile } from './load/source';
import type { RepoConfig } from './model/types';
import { resolve } from './resolve/resolve';
import { SEMANTIC_RULES } from './validate/rules';
import { validateStructure } from './validate/schema';

export type { CheckedFile, LoadedMigration, LoadOptions, ModelsResult, PipelineResult, SourceChecker } from './load/each';

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

/** This module's stages, for load/each.ts. */
export const sourceChecker: SourceChecker = { parseSource, checkSource };
const thisChecker = (): SourceChecker => sourceChecker;

/**
 * Load, validate and resolve definition files; all problems of all files are collected. A
 * directory stands for the *.yaml and *.yml files directly in it, in name order.
 */
export function loadDefinitions(inputs: string[], config: RepoConfig = {}): PipelineResult {
  const migrations: LoadedMigration[] = [];
  const r = loadEach(thisChecker, inputs, config, (m) => migrations.push(m.loaded!));
  return { ...r, migrations };
}

/**
 * loadDefinitions keeping only the resolved models: each file's parsed document (its YAML tree,
 * text and position index, needed only for messages) is dropped as soon as the file is checked,
 * so `generate` over a thousand definitions does not hold a thousand syntax trees.
 */
export function loadModels(inputs: string[], config: RepoConfig = {}, opts: LoadOptions = {}): ModelsResult {
  return loadModelsWith(thisChecker, inputs, config, opts);
}

/** Load, validate and resolve, handing each valid file to `keep` as it is checked (with its cache key and, if parsed, its source). */
export function loadChecked(inputs: string[], config: RepoConfig, keep: (m: CheckedFile) => void, opts: LoadOptions = {}): Omit<PipelineResult, 'migrations'> {
  return loadEach(thisChecker, inputs, config, keep, opts);
}

/** Validate a definition held in memory (library use, tests). */
export function loadDefinitionText(file: string, text: string, config: RepoConfig = {}): PipelineResult {
  const loaded = parseSource(file, text);
  if (!loaded.source) return { files: [file], migrations: [], diagnostics: loaded.diagnostics, ok: false };
  const checked = checkSource(loaded.source, config);
  return { files: [file], migrations: checked.migration ? [checked.migration] : [], diagnostics: sortDiagnostics(checked.diagnostics), ok: checked.diagnostics.length === 0 };
}
