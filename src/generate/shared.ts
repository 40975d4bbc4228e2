/**
 * Output files shared by every migration of a run (not one migration's): Grafana's one dashboard
 * provider. Light and cheap, so `generate` makes them on every run, also when every migration's
 * own files are current (incremental generation, docs/incremental.md).
 */
import { toYaml } from '../render/serialize';
import type { FlavorName } from '../load/deploy-config';
import { FILES } from './names';
import { buildProvisioning, type ProvisionedMigration } from './provisioning';

export function sharedFiles(models: readonly ProvisionedMigration[], flavors: readonly FlavorName[]): Array<{ path: string; content: string }> {
  return flavors.includes('files') ? [{ path: FILES.provisioning, content: toYaml(buildProvisioning(models)) }] : [];
}
