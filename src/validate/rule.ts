/** A semantic rule: one file in validate/rules/, a stable name, a one-line doc, located diagnostics. */
import type { Diagnostic } from '../diagnostics';
import type { MigrationDefinition } from '../definition/types';
import type { JsonPath, SourceFile } from '../load/source';
import type { ResolvedMigration } from '../model/types';

export interface RuleContext {
  source: SourceFile;
  def: MigrationDefinition;
  model: ResolvedMigration;
}

export interface SemanticRule {
  name: string;
  doc: string;
  check(ctx: RuleContext): Diagnostic[];
}

/** An error at a JSON path of the definition. */
export function errorAt(ctx: RuleContext, rule: string, path: JsonPath, message: string, hint?: string, part: 'key' | 'value' = 'value'): Diagnostic {
  return { file: ctx.source.file, ...ctx.source.locate(path, part), severity: 'error', check: rule, message, ...(hint ? { hint } : {}) };
}

/** An error at character `offset` of the string value at a JSON path (e.g. inside a signal's expr). */
export function errorIn(ctx: RuleContext, rule: string, path: JsonPath, offset: number, message: string, hint?: string): Diagnostic {
  return { file: ctx.source.file, ...ctx.source.locateIn(path, offset), severity: 'error', check: rule, message, ...(hint ? { hint } : {}) };
}

/** Index of a gate id in the definition's own gates list, or -1 when it comes only from the preset. */
export function definitionGateIndex(def: MigrationDefinition, id: string): number {
  return (def.spec.gates ?? []).findIndex((g) => g.id === id);
}

/** Path to the best place to report a problem with a gate field: the definition's entry, else spec.type (the preset). */
export function gateFieldPath(def: MigrationDefinition, id: string, field: string): JsonPath {
  const i = definitionGateIndex(def, id);
  if (i < 0) return ['spec', 'type'];
  const g = def.spec.gates![i] as unknown as Record<string, unknown>;
  return field in g ? ['spec', 'gates', i, field] : ['spec', 'gates', i, 'id'];
}
