/**
 * Stage 7, write: put generated files on disk (atomically, only when changed), or with `check`
 * compare them with what is on disk and report stale, missing and extra files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../diagnostics';
import type { OutputFile } from '../generate/index';
import { cleanTempFiles, writeFileAtomic } from './atomic';

export interface CheckResult {
  stale: string[];
  missing: string[];
  extra: string[];
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
}

function assertOutDir(outDir: string): void {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new UserError(`output folder ${outDir} exists and is not a folder; choose another --out-dir`);
  }
}

/** Folders whose whole content migobs owns (`<id>/`); extra files are only looked for there. */
function ownedDirs(files: OutputFile[]): string[] {
  return [...new Set(files.map((f) => f.path.split('/')[0]!).filter((d) => d !== 'grafana'))].sort();
}

export function checkOutputs(outDir: string, files: OutputFile[]): CheckResult {
  assertOutDir(outDir);
  const result: CheckResult = { stale: [], missing: [], extra: [] };
  const expected = new Set(files.map((f) => f.path));
  for (const f of files) {
    const p = join(outDir, f.path);
    if (!existsSync(p)) result.missing.push(f.path);
    else if (readFileSync(p, 'utf8') !== f.content) result.stale.push(f.path);
  }
  for (const dir of ownedDirs(files)) {
    for (const rel of listFiles(join(outDir, dir), dir)) if (!expected.has(rel)) result.extra.push(rel);
  }
  result.extra.sort();
  return result;
}

export function writeOutputs(outDir: string, files: OutputFile[]): WriteResult {
  assertOutDir(outDir);
  const result: WriteResult = { written: [], unchanged: [] };
  const dirs = new Set(files.map((f) => dirname(join(outDir, f.path))));
  try {
    for (const d of [...dirs].sort()) {
      mkdirSync(d, { recursive: true });
      cleanTempFiles(d);
    }
  } catch (e) {
    throw new UserError(`cannot create the output folder ${outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const f of files) {
    const p = join(outDir, f.path);
    if (existsSync(p) && readFileSync(p, 'utf8') === f.content) {
      result.unchanged.push(f.path);
      continue;
    }
    try {
      writeFileAtomic(p, f.content);
    } catch (e) {
      throw new UserError(`cannot write ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    result.written.push(f.path);
  }
  return result;
}

function listFiles(dir: string, rel: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name), r));
    else out.push(r); // leftover temp files count as extra too
  }
  return out;
}
