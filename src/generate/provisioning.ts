/**
 * Grafana file provisioning: ONE provider reading the dashboards folder (`<out>/grafana/dashboards`,
 * seen by Grafana at grafanaDashboardsPath), so a new migration's dashboard is picked up without
 * touching Grafana's config. Grafana walks the folder recursively and skips dot-folders (the
 * write stage's staging folder never sits there anyway).
 */
import type { ResolvedMigration } from '../model/types';

/** Where Grafana sees `<out>/grafana/dashboards` unless the repo config's grafanaDashboardsPath says otherwise. */
export const DEFAULT_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/migobs';
/** The provider's Grafana folder when the migrations do not agree on one. */
export const DEFAULT_FOLDER = 'Migrations';
export const PROVIDER_NAME = 'migobs';

/** What the provider needs of each migration (a run over many definitions keeps only this of each). */
export type ProvisionedMigration = Pick<ResolvedMigration, 'id' | 'grafana' | 'config'>;

/**
 * The Grafana folder of the one provider: the folder every migration names, or, when they differ
 * (a file provider puts everything it reads into one folder), the repo config's `folder` or
 * `Migrations`. `conflict` lists each migration's own folder then, for a warning.
 */
export function provisioningFolder(models: readonly ProvisionedMigration[]): { folder: string; conflict?: Array<{ id: string; folder: string }> } {
  const folders = [...new Set(models.map((m) => m.grafana.folder))];
  if (folders.length <= 1) return { folder: folders[0] ?? DEFAULT_FOLDER };
  const sorted = [...models].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { folder: sorted[0]?.config.folder ?? DEFAULT_FOLDER, conflict: sorted.map((m) => ({ id: m.id, folder: m.grafana.folder })) };
}

export function buildProvisioning(models: readonly ProvisionedMigration[]): unknown {
  const path = models[0]?.config.grafanaDashboardsPath ?? DEFAULT_DASHBOARDS_PATH;
  return {
    apiVersion: 1,
    providers: [
      {
        name: PROVIDER_NAME,
        orgId: 1,
        folder: provisioningFolder(models).folder,
        type: 'file',
        // A dashboard whose file generate removed (its migration is gone) is removed from Grafana too.
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path, foldersFromFilesStructure: false },
      },
    ],
  };
}
