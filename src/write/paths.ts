/**
 * Where the write stage may go: only inside the output folder, never through a symbolic link. A
 * link at `out/`, `out/docs` or any folder below would let a run write (or delete) files outside
 * the output folder, so it is refused before anything is touched, naming the link.
 */
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../diagnostics';
import { lstatOrUndefined } from './atomic';

function linkTarget(p: string): string {
  try {
    return ` (to ${readlinkSync(p)})`;
  } catch {
    return '';
  }
}

function refuseLink(p: string, isOutDir: boolean): never {
  throw new UserError(
    `${p} is a symbolic link${linkTarget(p)}: migobs never writes through a link, which could put files outside the output folder; ` +
      (isOutDir ? 'pass the real folder as --out-dir' : 'replace the link with a real folder (or remove it)') +
      '; nothing was changed',
  );
}

/** The output folder itself: a real folder (or not there yet), never a link or a file. */
export function assertOutDir(outDir: string): void {
  const st = lstatOrUndefined(outDir);
  if (!st) return;
  if (st.isSymbolicLink()) refuseLink(outDir, true);
  if (!st.isDirectory()) throw new UserError(`output folder ${outDir} exists and is not a folder; choose another --out-dir`);
}

/**
 * Every existing folder on the way from `outDir` to each of `relDirs` (relative, `/`-separated)
 * is a real folder: no symbolic link, no file in the way. Missing folders are fine (they will be
 * created as real folders).
 */
export function assertNoLinksBelow(outDir: string, relDirs: Iterable<string>): void {
  assertOutDir(outDir);
  const seen = new Set<string>();
  for (const rel of relDirs) {
    let cur = outDir;
    for (const part of rel.split('/').filter((s) => s !== '' && s !== '.')) {
      cur = join(cur, part);
      if (seen.has(cur)) continue;
      seen.add(cur);
      const st = lstatOrUndefined(cur);
      if (!st) break;
      if (st.isSymbolicLink()) refuseLink(cur, false);
      if (!st.isDirectory()) throw new UserError(`cannot write to the output folder ${outDir}: a file is in the way of a folder (at ${cur}); move it or choose another --out-dir; nothing was changed`);
    }
  }
}
