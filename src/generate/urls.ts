/** URLs placed in alerts and docs. With grafanaUrl / runbookBaseUrl configured they are absolute. */
import type { ResolvedMigration } from '../model/types';
import { DOC_FILE, FILES, type DocKind } from './names';

/** `/d/<uid>?viewPanel=<id>`, prefixed with grafanaUrl when configured. */
export function dashboardUrl(model: ResolvedMigration, panelId?: number): string {
  const base = model.config.grafanaUrl ?? '';
  const path = `/d/${encodeURIComponent(model.id)}`;
  return panelId === undefined ? `${base}${path}` : `${base}${path}?viewPanel=${panelId}`;
}

/**
 * A generated document of the migration: `<runbookBaseUrl>/<id>/<file>#<anchor>`, where
 * runbookBaseUrl is where the output folder's `docs/` is published; without one, the document's
 * path relative to the output folder (`docs/<id>/runbook.md#<anchor>`).
 */
export function docUrl(model: ResolvedMigration, kind: DocKind, anchor?: string): string {
  const base = model.config.runbookBaseUrl;
  const path = base ? `${base}/${encodeURIComponent(model.id)}/${DOC_FILE[kind]}` : FILES[kind](model.id);
  return anchor ? `${path}#${anchor}` : path;
}

/** The runbook, or one of its sections: `docUrl(model, 'runbook', anchor)`. */
export function runbookUrl(model: ResolvedMigration, anchor?: string): string {
  return docUrl(model, 'runbook', anchor);
}
