import type { ResolvedMigration } from '../../model/types';
import type { OutputFile } from '../index';

/** runbook.md. (Being implemented.) */
export function docsFiles(_model: ResolvedMigration): OutputFile[] {
  return [];
}
