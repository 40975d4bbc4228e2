import type { ResolvedMigration } from '../../model/types';
import type { OutputFile } from '../index';

/** rules.yaml, rules.test.yaml and alerts.md. (Being implemented.) */
export function rulesFiles(_model: ResolvedMigration): OutputFile[] {
  return [];
}
