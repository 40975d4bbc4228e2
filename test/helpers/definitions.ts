/** Build definition texts for tests from the shipped example plus a patch, serialized with the yaml library. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { MigrationDefinition } from '../../src/definition/types';
import { loadDefinitionText, type PipelineResult } from '../../src/pipeline';

export const DESIGN_EXAMPLE = join(__dirname, '..', 'fixtures', 'valid', 'design-example.yaml');

export function designExample(): MigrationDefinition {
  return parse(readFileSync(DESIGN_EXAMPLE, 'utf8')) as MigrationDefinition;
}

/** The shipped example changed by `patch`, as YAML text. */
export function definitionText(patch: (d: MigrationDefinition) => void = () => {}): string {
  const d = designExample();
  patch(d);
  return stringify(d, { lineWidth: 0 });
}

export function check(patch: (d: MigrationDefinition) => void = () => {}, file = 'def.yaml'): PipelineResult {
  return loadDefinitionText(file, definitionText(patch));
}

/** `check` name and `line:col: message` of each problem. */
export function problems(patch: (d: MigrationDefinition) => void): Array<{ check: string; at: string; message: string }> {
  return located(patch).map(({ check, at, message }) => ({ check, at, message }));
}

/** Like `problems`, plus the text at the reported position (from the column to the end of its line). */
export function located(patch: (d: MigrationDefinition) => void): Array<{ check: string; at: string; message: string; text: string }> {
  const text = definitionText(patch);
  const lines = text.split('\n');
  return loadDefinitionText('def.yaml', text).diagnostics.map((d) => ({
    check: d.check,
    at: `${d.line}:${d.column}`,
    message: d.message,
    text: (lines[d.line - 1] ?? '').slice(d.column - 1),
  }));
}
