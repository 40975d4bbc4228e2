import type { ResolvedMigration } from '../../model/types';
import type { OutputFile } from '../index';
import { FILES } from '../names';
import { renderRunbook } from './runbook';

export { renderRunbook, phaseAnchor } from './runbook';

/** docs/<id>/runbook.md (dashboard.md and alerts.md come from the dashboard and rules generators). */
export function docsFiles(model: ResolvedMigration): OutputFile[] {
  return [{ path: FILES.runbook(model.id), content: renderRunbook(model) }];
}
