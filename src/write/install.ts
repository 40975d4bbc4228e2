/**
 * Installs a set of files into a folder (`migobs exporter-setup --out`): all or nothing. Every file
 * that would change is checked first; one that exists with different bytes is refused unless
 * `force`, and then nothing is written. The changed files are staged as temp files beside their
 * targets and renamed into place, so a reader never sees half a file.
 */
import { lstatSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../diagnostics';
import { commitTemp, writeTemp } from './atomic';

export interface InstallFile {
  name: string;
  content: Buffer;
}

export type InstallStatus = 'wrote' | 'unchanged' | 'replaced';

export function installFiles(dir: string, files: readonly InstallFile[], opts: { force?: boolean } = {}): Array<{ name: string; path: string; status: InstallStatus }> {
  const folder = statOrUndefined(dir);
  if (folder && !folder.isDirectory()) throw new UserError(`--out ${dir} is a file, not a folder: give a folder to write the files into`);
  const plan = files.map((f) => {
    const path = join(dir, f.name);
    const st = lstatOrUndefined(path);
    if (!st) return { ...f, path, status: 'wrote' as InstallStatus };
    if (st.isDirectory()) throw new UserError(`${path} is a folder; move it away, then run again`);
    if (st.isFile() && readFileSync(path).equals(f.content)) return { ...f, path, status: 'unchanged' as InstallStatus };
    return { ...f, path, status: 'replaced' as InstallStatus };
  });
  const conflicts = plan.filter((p) => p.status === 'replaced');
  if (conflicts.length > 0 && !opts.force) {
    throw new UserError(
      `${conflicts.map((c) => c.path).join(', ')} ${conflicts.length === 1 ? 'exists and differs' : 'exist and differ'} from the file migobs ships; nothing was written. Pass --force to replace ${conflicts.length === 1 ? 'it' : 'them'} (compare first: your copy may hold local edits)`,
    );
  }
  const changed = plan.filter((p) => p.status !== 'unchanged');
  if (changed.length > 0) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new UserError(`cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const staged: Array<{ tmp: string; path: string }> = [];
  try {
    for (const p of changed) staged.push({ tmp: writeTemp(p.path, p.content), path: p.path });
  } catch (e) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw new UserError(`cannot write into ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; nothing was written`);
  }
  for (const s of staged) commitTemp(s.tmp, s.path);
  return plan.map(({ name, path, status }) => ({ name, path, status }));
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
