/**
 * The only module (with write/plan.ts) that touches the disk. Every file is written to a temp
 * file beside it and renamed into place, so a reader (or a crash) sees the old or the new file,
 * never half of one.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const TEMP_PREFIX = '.migobs-tmp-';

let counter = 0;

/** Write `content` to a fresh temp file beside `file` (flushed to disk); returns the temp path. */
export function writeTemp(file: string, content: string | Uint8Array): string {
  const tmp = join(dirname(file), `${TEMP_PREFIX}${process.pid}-${(counter++).toString(36)}-${basename(file)}`);
  // 'wx': never follow or reuse an existing entry (a planted symlink with the same name).
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  return tmp;
}

/** Move a temp file over its target in one step (rename is atomic within a folder). */
export function commitTemp(tmp: string, file: string): void {
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  commitTemp(writeTemp(file, content), file);
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
