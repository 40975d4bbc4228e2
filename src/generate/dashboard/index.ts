import type { ResolvedMigration } from '../../model/types';
import type { OutputFile } from '../index';

/** dashboard.json and dashboard.md. (Being implemented.) */
export function dashboardFiles(_model: ResolvedMigration): OutputFile[] {
  return [];
}
