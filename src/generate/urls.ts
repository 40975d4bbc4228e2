/** URLs placed in alerts and docs. With grafanaUrl / runbookBaseUrl configured they are absolute. */
import type { ResolvedMigration } from '../model/types';
import { FILES } from './names';

/** `/d/<uid>?viewPanel=<id>`, prefixed with grafanaUrl when configured. */
export function dashboardUrl(model: ResolvedMigration, panelId?: number): string {
  const base = model.config.grafanaUrl ?? '';
  const path = `/d/${encodeURIComponent(model.id)}`;
  return panelId === undefined ? `${base}${path}` : `${base}${path}?viewPanel=${panelId}`;
}

/** `<runbookBaseUrl>/<id>/runbook.md#<anchor>`, or `runbook.md#<anchor>` without a base. */
export function runbookUrl(model: ResolvedMigration, anchor?: string): string {
  const base = model.config.runbookBaseUrl;
  const file = base ? `${base}/${encodeURIComponent(model.id)}/${FILES.runbook}` : FILES.runbook;
  return anchor ? `${file}#${anchor}` : file;
}

/** Another generated document next to the runbook (`alerts.md`, `dashboard.md`), same base as runbookUrl. */
export function docUrl(model: ResolvedMigration, file: string, anchor?: string): string {
  const base = model.config.runbookBaseUrl;
  const path = base ? `${base}/${encodeURIComponent(model.id)}/${file}` : file;
  return anchor ? `${path}#${anchor}` : path;
}
