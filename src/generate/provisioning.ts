/**
 * Grafana file provisioning: one provider per migration, pointing at the folder Grafana reads the
 * migration's dashboard.json from. Generate all migrations together so this file lists them all.
 */
import type { ResolvedMigration } from '../model/types';

export const DEFAULT_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/migobs';

export function buildProvisioning(models: ResolvedMigration[]): unknown {
  const sorted = [...models].sort((a, b) => a.id.localeCompare(b.id));
  return {
    apiVersion: 1,
    providers: sorted.map((m) => ({
      name: `migobs-${m.id}`,
      orgId: 1,
      folder: m.grafana.folder,
      type: 'file',
      disableDeletion: false,
      allowUiUpdates: false,
      updateIntervalSeconds: 30,
      options: { path: `${m.config.grafanaDashboardsPath ?? DEFAULT_DASHBOARDS_PATH}/${m.id}` },
    })),
  };
}
