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
import { detached } from '../util/detach';
import { fileHash, inputHash } from './hash';
import { readManifest } from './manifest';

/** Whether one migration's files are current, decided one migration at a time (so no caller need hold them all). */
export class IncrementalPlanner {
  /** Every migration's input hash so far (for the new manifest). */
  readonly inputs = new Map<string, string>();
  private readonly manifest: ReturnType<typeof readManifest>;
  private readonly claimed = new Map<string, string[]>();

  constructor(
    private readonly outDir: string,
    private readonly flavors: readonly FlavorName[],
  ) {
    this.manifest = readManifest(outDir);
    for (const p of this.manifest?.files ?? []) {
      const id = migrationIdOf(p);
      if (id !== undefined) this.claimed.set(id, [...(this.claimed.get(id) ?? []), p]);
    }
  }

  /** The files (with their verified hashes) when `model`'s output is current; undefined when it must be generated. */
  currentFiles(model: ResolvedMigration): Array<{ path: string; hash: string }> | undefined {
    const input = inputHash(model, this.flavors);
    // Kept to the end of the run: a copy, not a slice of the definition's text (util/detach.ts).
    this.inputs.set(detached(model.id), input);
    const paths = this.claimed.get(model.id) ?? [];
    const files = paths.map((path) => ({ path, hash: this.manifest?.hashes.get(path) }));
    const verified =
      this.manifest?.inputs.get(model.id) === input &&
      files.length > 0 &&
      files.every((f) => f.hash !== undefined && fileHash(join(this.outDir, f.path)) === f.hash);
    return verified ? (files as Array<{ path: string; hash: string }>) : undefined;
  }
}
