/**
 * Stage 5, generate + render: every output file of every migration, as (path, content) pairs.
 * Generators are pure functions of the resolved model; render/ turns their data into bytes.
 * Paths are relative to the output folder.
 */
import type { ResolvedMigration } from '../model/types';
import { alertmanagerFiles } from './alertmanager';
import { dashboardFiles } from './dashboard';
import { docsFiles } from './docs';
import { flavorFiles, type FlavorName } from './flavors/index';
import { rulesFiles } from './rules';
import { sharedFiles } from './shared';

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

/** Every file of one migration in the chosen flavours (its share of generateAll; not the shared files). */
export function migrationFiles(model: ResolvedMigration, flavors: readonly FlavorName[] = ['files']): OutputFile[] {
  return [...(flavors.includes('files') ? generateMigration(model) : []), ...flavorFiles(model, flavors)];
}

/**
 * Every output file for a set of migrations, sorted by path. `flavors` (default: files) chooses
 * the packaging (docs/deploy.md); the payload bytes are the same in every flavour. Holds every
 * file in memory: `generate` itself goes one migration at a time (generate/run.ts).
 */
export function generateAll(models: ResolvedMigration[], flavors: readonly FlavorName[] = ['files']): OutputFile[] {
  const files: OutputFile[] = [...models.flatMap((m) => migrationFiles(m, flavors)), ...sharedFiles(models, flavors)];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
