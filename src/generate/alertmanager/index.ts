import type { ResolvedMigration } from '../../model/types';
import type { OutputFile } from '../index';

/** alertmanager.yaml and alertmanager.test.txt. (Being implemented.) */
export function alertmanagerFiles(_model: ResolvedMigration): OutputFile[] {
  return [];
}
