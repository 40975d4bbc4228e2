import type { ResolvedMigration } from '../../model/types';
import type { OutputFile } from '../index';
import { FILES } from '../names';
import { renderRunbook } from './runbook';

export { renderRunbook, phaseAnchor, proseBlocks } from './runbook';

/** runbook.md (dashboard.md and alerts.md come from the dashboard and rules generators). */
export function docsFiles(model: ResolvedMigration): OutputFile[] {
  return [{ path: FILES.runbook, content: renderRunbook(model) }];
}
