/**
 * Incremental generation (docs/incremental.md): which migrations' files are current. A migration
 * is current when the manifest records the same input hash for it as this run computes AND every
 * file the manifest lists for it is on disk with the bytes the manifest's hash claims. Anything
 * else (a changed definition, config, flavour or migobs version; a file edited by hand, deleted or
 * replaced by a link; a version 1 manifest without hashes) makes it stale: generated again.
 */
import { join } from 'node:path';
import type { FlavorName } from '../load/deploy-config';
import type { ResolvedMigration } from '../model/types';
import { migrationIdOf } from '../generate/names';
import { fileHash, inputHash } from './hash';
import { readManifest } from './manifest';

export interface IncrementalPlan {
  /** Every migration's input hash (for the new manifest). */
  inputs: Map<string, string>;
  /** Migrations whose files are current, with the files and their (verified) hashes. */
  current: Array<{ id: string; files: Array<{ path: string; hash: string }> }>;
  /** Migrations to generate, in the order given. */
  stale: ResolvedMigration[];
}

export function planIncremental(outDir: string, models: ResolvedMigration[], flavors: readonly FlavorName[]): IncrementalPlan {
  const manifest = readManifest(outDir);
  const claimed = new Map<string, string[]>();
  for (const p of manifest?.files ?? []) {
    const id = migrationIdOf(p);
    if (id !== undefined) claimed.set(id, [...(claimed.get(id) ?? []), p]);
  }
  const plan: IncrementalPlan = { inputs: new Map(), current: [], stale: [] };
  for (const model of models) {
    const input = inputHash(model, flavors);
    plan.inputs.set(model.id, input);
    const paths = claimed.get(model.id) ?? [];
    const files = paths.map((path) => ({ path, hash: manifest?.hashes.get(path) }));
    const verified =
      manifest?.inputs.get(model.id) === input &&
      files.length > 0 &&
      files.every((f) => f.hash !== undefined && fileHash(join(outDir, f.path)) === f.hash);
    if (verified) plan.current.push({ id: model.id, files: files as Array<{ path: string; hash: string }> });
    else plan.stale.push(model);
  }
  return plan;
}
