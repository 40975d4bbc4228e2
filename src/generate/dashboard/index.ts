/**
 * grafana/dashboards/<id>.json (Grafana, built with the foundation SDK) and docs/<id>/dashboard.md (the same panels,
 * tool-agnostic). Both come from one layout (panels.ts), so they always agree.
 */
import type { ResolvedMigration } from '../../model/types';
import { toJson } from '../../render/serialize';
import type { OutputFile } from '../index';
import { sourceName } from '../source-name';
import { FILES } from '../names';
import { renderDashboardDoc } from './doc';
import { buildDashboard } from './grafana';

export function dashboardFiles(model: ResolvedMigration): OutputFile[] {
  return [
    { path: FILES.dashboard(model.id), content: toJson(buildDashboard(model)) },
    { path: FILES.dashboardDoc(model.id), content: renderDashboardDoc(model, sourceName(model)) },
  ];
}
