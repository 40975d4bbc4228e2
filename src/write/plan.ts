/**
 * Stage 7, write: put generated files on disk (atomically, only when changed), or with `check`
 * compare them with what is on disk and report stale, missing and extra files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../diagnostics';
import type { OutputFile } from '../generate/index';
import { cleanTempFiles, commitTemp, writeTemp } from './atomic';

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
    const st = statOrUndefined(p);
    if (!st) result.missing.push(f.path);
    else if (!st.isFile() || readFileSync(p, 'utf8') !== f.content) result.stale.push(f.path);
  }
  for (const dir of ownedDirs(files)) {
    for (const rel of listFiles(join(outDir, dir), dir)) if (!expected.has(rel)) result.extra.push(rel);
  }
  result.extra.sort();
  return result;
}

/**
 * Write every changed file in two steps: first all temp files (so a full disk, a folder in the
 * way or a permission problem fails before any output changes), then one rename per file. On a
 * failure in the first step the temp files and the folders this run created are removed again:
 * the output folder is left as it was.
 */
export function writeOutputs(outDir: string, files: OutputFile[]): WriteResult {
  assertOutDir(outDir);
  const result: WriteResult = { written: [], unchanged: [] };
  const changed: OutputFile[] = [];
  for (const f of files) {
    const p = join(outDir, f.path);
    const st = statOrUndefined(p);
    if (st && !st.isFile()) throw new UserError(`cannot write ${p}: something other than a file is in the way; move it or choose another --out-dir`);
    if (st && readFileSync(p, 'utf8') === f.content) result.unchanged.push(f.path);
    else changed.push(f);
  }
  const created: string[] = [];
  const staged: Array<{ tmp: string; file: string; path: string }> = [];
  try {
    for (const d of [...new Set(files.map((f) => dirname(join(outDir, f.path))))].sort()) {
      created.push(...makeDirs(d));
      cleanTempFiles(d);
    }
    for (const f of changed) {
      const p = join(outDir, f.path);
      staged.push({ tmp: writeTemp(p, f.content), file: p, path: f.path });
    }
  } catch (e) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    for (const d of [...created].sort().reverse()) rmdirQuiet(d);
    throw new UserError(`cannot write to the output folder ${outDir}: ${reason(e)}; nothing was changed`);
  }
  for (const s of staged) {
    try {
      commitTemp(s.tmp, s.file);
    } catch (e) {
      for (const rest of staged) rmSync(rest.tmp, { force: true });
      throw new UserError(`cannot write ${s.file}: ${reason(e)}`);
    }
    result.written.push(s.path);
  }
  return result;
}

const REASONS: Record<string, string> = {
  ENOTDIR: 'a file is in the way of a folder',
  EISDIR: 'a folder is in the way of a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOENT: 'the folder cannot be created there',
  EEXIST: 'something is already there',
};

/** A short, readable reason for a file system error, with the path it happened at. */
function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const what = (err.code && REASONS[err.code]) ?? err.message;
  return `${what}${err.code ? ` (${err.code}` + (err.path ? ` at ${err.path})` : ')') : ''}`;
}

function statOrUndefined(p: string): import('node:fs').Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * mkdir -p, one level at a time, returning the folders it created. Not `mkdirSync(recursive)`:
 * Node retries that forever where mkdir answers ENOENT for an existing parent (e.g. under /proc).
 */
function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !statOrUndefined(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  const created: string[] = [];
  for (const d of missing) {
    mkdirSync(d);
    created.push(d);
  }
  return created;
}

function rmdirQuiet(d: string): void {
  try {
    rmdirSync(d);
  } catch {
    // not empty (or already gone): leave it
  }
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
