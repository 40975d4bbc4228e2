/**
 * Stage 5, generate + render: every output file of every migration, as (path, content) pairs.
 * Generators are pure functions of the resolved model; render/ turns their data into bytes.
 * Paths are relative to the output folder.
 */
import type { ResolvedMigration } from '../model/types';
import { toYaml } from '../render/serialize';
import { alertmanagerFiles } from './alertmanager';
import { dashboardFiles } from './dashboard';
import { docsFiles } from './docs';
import { FILES } from './names';
import { buildProvisioning } from './provisioning';
import { flavorFiles, type FlavorName } from './flavors/index';
import { rulesFiles } from './rules';

export interface OutputFile {
  /** Relative to the output folder, with forward slashes, e.g. `prometheus/rules/orders-backfill.yaml` (names.ts FILES). */
  path: string;
  content: string;
}

export { sourceName } from './source-name';

/** The files of one migration, at the paths names.ts FILES gives them. */
export function generateMigration(model: ResolvedMigration): OutputFile[] {
  return [...dashboardFiles(model), ...rulesFiles(model), ...alertmanagerFiles(model), ...docsFiles(model)];
}

/**
 * Every output file for a set of migrations, sorted by path. `flavors` (default: files) chooses
 * the packaging (docs/deploy.md); the payload bytes are the same in every flavour.
 */
export function generateAll(models: ResolvedMigration[], flavors: readonly FlavorName[] = ['files']): OutputFile[] {
  const files: OutputFile[] = [];
  if (flavors.includes('files')) {
    files.push(...models.flatMap(generateMigration));
    files.push({ path: FILES.provisioning, content: toYaml(buildProvisioning(models)) });
  }
  files.push(...models.flatMap((m) => flavorFiles(m, flavors)));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
