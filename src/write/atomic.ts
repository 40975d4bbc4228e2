/**
 * The only module (with write/plan.ts) that touches the disk. Every file is written to a temp
 * file beside it and renamed into place, so a reader (or a crash) sees the old or the new file,
 * never half of one.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const TEMP_PREFIX = '.migobs-tmp-';

export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const dir = dirname(file);
  const tmp = join(dir, `${TEMP_PREFIX}${process.pid}-${Date.now().toString(36)}-${basename(file)}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Remove temp files a killed run left behind in a folder. */
export function cleanTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (n.startsWith(TEMP_PREFIX)) {
      rmSync(join(dir, n), { force: true });
      removed.push(join(dir, n));
    }
  }
  return removed;
}
