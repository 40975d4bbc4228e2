/**
 * Stage 7, write: put generated files on disk, or with `check` compare them with what is on disk
 * and report stale, missing and extra files.
 *
 * A write is one transaction over the whole output folder (docs/security.md#writing-output):
 * 1. refuse symbolic links on the way to every folder it touches (paths.ts);
 * 2. stage every changed file, complete, in `<out>/.migobs-staging-<pid>-<n>/new/` (a full disk,
 *    a permission problem or a folder in the way fails here, before any output changes);
 * 3. switch: rename each staged file over its target, keeping a hard link to the old file in
 *    `.../old/`; files of migrations that are gone (listed in the previous manifest) move to
 *    `.../old/` too; the manifest goes last. If any step fails, every step already done is undone
 *    from those old copies, so the folder is left exactly as it was;
 * 4. fsync every folder that changed (the renames are durable), then drop the staging folder.
 * Files are not fsynced one by one: a rename replaces a whole file or nothing, which is what a
 * crashed or killed run needs (see the durability note in docs/security.md).
 */
import { lstatSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../diagnostics';
import type { OutputFile } from '../generate/index';
import { legacyPaths, migrationIdOf, OUT_META } from '../generate/names';
import { createFile, fsReason as reason, fsyncDir, lstatOrUndefined, realFs, type FsOps } from './atomic';
import { readManifest, renderManifest } from './manifest';
import { assertNoLinksBelow, assertOutDir } from './paths';

export interface CheckResult {
  stale: string[];
  missing: string[];
  /** Files the previous manifest lists that this run does not produce (e.g. a deleted migration's). */
  extra: string[];
  /** Files of the old `<out>/<id>/` layout for a migration of this run (nothing reads them now). */
  legacy: string[];
  /** Why extra files could not be determined (manifest unreadable), if so. */
  notes: string[];
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  /** Files of migrations that are no longer generated, removed (from the previous manifest). */
  removed: string[];
  /** Files of the old `<out>/<id>/` layout for a migration of this run, left in place. */
  legacy: string[];
  /** Things worth telling the user (an ignored manifest entry, ...). */
  notes: string[];
}

export interface WriteOptions {
  /** System calls used to stage and switch; tests replace one to inject a failure. */
  ops?: Partial<FsOps>;
}

/** Every file this run owns: the generated files and the manifest that lists them. */
function withManifest(files: OutputFile[]): OutputFile[] {
  return [...files, { path: OUT_META.manifest, content: renderManifest(files.map((f) => f.path)) }];
}

/** Old-layout files of the migrations in `files`, present on disk. */
function legacyOnDisk(outDir: string, files: OutputFile[]): string[] {
  const ids = [...new Set(files.map((f) => migrationIdOf(f.path)).filter((id): id is string => id !== undefined))];
  return ids.flatMap((id) => legacyPaths(id)).filter((p) => lstatOrUndefined(join(outDir, p))?.isFile());
}

const dirOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');

export function checkOutputs(outDir: string, files: OutputFile[]): CheckResult {
  assertOutDir(outDir);
  const result: CheckResult = { stale: [], missing: [], extra: [], legacy: [], notes: [] };
  const all = withManifest(files);
  const expected = new Set(all.map((f) => f.path));
  for (const f of all) {
    const st = lstatOrUndefined(join(outDir, f.path));
    if (!st) result.missing.push(f.path);
    else if (!st.isFile() || readFileSync(join(outDir, f.path), 'utf8') !== f.content) result.stale.push(f.path);
  }
  const manifest = readManifest(outDir);
  if (manifest?.problem) result.notes.push(manifest.problem);
  for (const p of manifest?.files ?? []) if (!expected.has(p) && lstatOrUndefined(join(outDir, p))) result.extra.push(p);
  result.extra.sort();
  result.legacy = legacyOnDisk(outDir, files);
  return result;
}

/** One step of the switch, recorded so it can be undone. */
interface Step {
  path: string;
  target: string;
  /** Where the old file is kept until the end (hard link or moved there); undefined when there was none. */
  backup?: string;
  /** Whether the old file was moved away (not linked): the target is missing until the step completes. */
  movedAway?: boolean;
  kind: 'write' | 'remove';
  done: boolean;
}

let stagingCounter = 0;

/**
 * Write every changed file and remove the files of migrations that are gone, all or nothing (see
 * the module comment). Call with the output lock held (lock.ts) when other runs may write the
 * same folder.
 */
export function writeOutputs(outDir: string, files: OutputFile[], opts: WriteOptions = {}): WriteResult {
  const ops: FsOps = { ...realFs, ...opts.ops };
  const all = withManifest(files);
  const result: WriteResult = { written: [], unchanged: [], removed: [], legacy: [], notes: [] };
  const manifest = readManifest(outDir);
  if (manifest?.problem) result.notes.push(manifest.problem);
  const current = new Set(all.map((f) => f.path));
  const removals = (manifest?.files ?? []).filter((p) => !current.has(p));

  // 1. No link anywhere on the way, and nothing but files where files go.
  assertNoLinksBelow(outDir, [...new Set([...all, ...removals.map((path) => ({ path }))].map((f) => dirOf(f.path)))]);
  const changed: OutputFile[] = [];
  for (const f of all) {
    const p = join(outDir, f.path);
    const st = lstatOrUndefined(p);
    if (st && st.isDirectory()) throw new UserError(`cannot write ${p}: a folder is in the way of the file; move it or choose another --out-dir; nothing was changed`);
    // A link or anything else at a file's place is replaced by the file (the link itself, never its target).
    if (st?.isFile() && readFileSync(p, 'utf8') === f.content) result.unchanged.push(f.path);
    else changed.push(f);
  }
  const gone = removals.filter((p) => lstatOrUndefined(join(outDir, p)) !== undefined && !lstatSync(join(outDir, p)).isDirectory());
  result.legacy = legacyOnDisk(outDir, files);
  // A killed run's staging folder goes even when nothing else changes.
  if (lstatOrUndefined(outDir)) removeStaleStaging(outDir);
  if (changed.length === 0 && gone.length === 0) return withoutManifest(result);

  // 2. Stage.
  const created: string[] = [];
  let staging: string | undefined;
  try {
    created.push(...makeDirs(outDir, ops));
    staging = join(outDir, `${OUT_META.stagingPrefix}${process.pid}-${(stagingCounter++).toString(36)}`);
    ops.mkdir(staging);
    for (const d of [...new Set(changed.map((f) => dirOf(f.path)))].sort()) created.push(...makeDirs(join(outDir, d), ops));
    const stagingDev = lstatSync(staging).dev;
    for (const d of new Set([...changed.map((f) => dirOf(f.path)), ...gone.map(dirOf)])) {
      const dir = join(outDir, d);
      if (lstatSync(dir).dev !== stagingDev) throw Object.assign(new Error(`${dir} is on another file system than ${outDir} (a mount inside it); mount the whole output folder instead`), { code: 'EXDEV', path: dir });
    }
    for (const f of changed) {
      const p = join(staging, 'new', f.path);
      makeDirs(dirname(p), ops);
      createFile(p, f.content, ops);
    }
  } catch (e) {
    if (staging) rmSync(staging, { recursive: true, force: true });
    for (const d of [...created].reverse()) rmdirQuiet(d);
    throw new UserError(`cannot write to the output folder ${outDir}: ${reason(e)}; nothing was changed`);
  }

  // 3. Switch, undoing every step on a failure.
  const steps: Step[] = [
    ...changed.filter((f) => f.path !== OUT_META.manifest).map((f): Step => ({ path: f.path, target: join(outDir, f.path), kind: 'write', done: false })),
    ...gone.map((p): Step => ({ path: p, target: join(outDir, p), kind: 'remove', done: false })),
    ...changed.filter((f) => f.path === OUT_META.manifest).map((f): Step => ({ path: f.path, target: join(outDir, f.path), kind: 'write', done: false })),
  ];
  for (const step of steps) {
    try {
      runStep(step, staging, ops);
    } catch (e) {
      const failedAt = `${step.kind === 'remove' ? 'removing' : 'replacing'} ${step.target}: ${reason(e)}`;
      const unrestored = undo(steps, ops);
      if (unrestored.length === 0) {
        rmSync(staging, { recursive: true, force: true });
        for (const d of [...created].reverse()) rmdirQuiet(d);
        throw new UserError(`cannot write to the output folder ${outDir}: ${failedAt}; every file was put back, nothing was changed`);
      }
      // Keep the staging folder: it holds the old copies that could not be put back.
      throw new UserError(
        `cannot write to the output folder ${outDir}: ${failedAt}; these could not be put back and are NEW or missing: ${unrestored.join(', ')}; ` +
          `their old versions are in ${join(staging, 'old')} (copy them out: the next generate removes that folder); every other file is unchanged`,
      );
    }
  }

  // 4. Durable renames, then clean up.
  const dirs = new Set<string>(steps.map((s) => dirname(s.target)));
  try {
    for (const d of dirs) fsyncDir(d);
  } catch (e) {
    result.notes.push(`could not flush folder entries to disk (${reason(e)}): the new files are in place but may not survive a power loss`);
  }
  rmSync(staging, { recursive: true, force: true });
  for (const s of steps) {
    if (s.kind === 'write') result.written.push(s.path);
    else result.removed.push(s.path);
  }
  // Folders emptied by removals (docs/<id>/), up to but not including the output folder.
  for (const p of gone) for (let d = dirname(join(outDir, p)); d !== outDir && d.startsWith(outDir) && rmdirQuiet(d); d = dirname(d));
  return withoutManifest(result);
}

/** The manifest is bookkeeping: counts and lists name the generated files only. */
function withoutManifest(r: WriteResult): WriteResult {
  return { ...r, written: r.written.filter((p) => p !== OUT_META.manifest), unchanged: r.unchanged.filter((p) => p !== OUT_META.manifest) };
}

function runStep(step: Step, staging: string, ops: FsOps): void {
  const st = lstatOrUndefined(step.target);
  if (st) {
    const backup = join(staging, 'old', step.path);
    makeDirs(dirname(backup), ops);
    // Prefer a hard link: the old file stays in place until the new one replaces it in one rename.
    try {
      ops.link(step.target, backup);
    } catch {
      ops.rename(step.target, backup);
      step.movedAway = true;
    }
    step.backup = backup;
  }
  if (step.kind === 'write') ops.rename(join(staging, 'new', step.path), step.target);
  else if (!step.movedAway) ops.unlink(step.target);
  step.done = true;
}

/** Undo the steps in reverse; returns the files that could not be put back. */
function undo(steps: Step[], ops: FsOps): string[] {
  const failed: string[] = [];
  for (const s of [...steps].reverse()) {
    if (!s.done && !s.movedAway) continue;
    try {
      if (s.backup) ops.rename(s.backup, s.target);
      else if (s.done && s.kind === 'write') ops.unlink(s.target);
    } catch {
      failed.push(s.target);
    }
  }
  return failed;
}

/** Staging folders a killed run left behind (we hold the lock: no live run owns one). */
function removeStaleStaging(outDir: string): void {
  for (const name of readdirSync(outDir)) {
    if (!name.startsWith(OUT_META.stagingPrefix)) continue;
    const p = join(outDir, name);
    const st = lstatSync(p);
    // A link is removed as a link (rm does not follow it), a folder with its content.
    rmSync(p, { recursive: st.isDirectory(), force: true });
  }
}

/**
 * mkdir -p, one level at a time, returning the folders it created. Not `mkdirSync(recursive)`:
 * Node retries that forever where mkdir answers ENOENT for an existing parent (e.g. under /proc).
 */
function makeDirs(dir: string, ops: Pick<FsOps, 'mkdir'> = realFs): string[] {
  const missing: string[] = [];
  for (let d = dir; !lstatOrUndefined(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  const created: string[] = [];
  for (const d of missing) {
    ops.mkdir(d);
    created.push(d);
  }
  return created;
}

/** Remove a folder if it is empty; true when it was removed. */
function rmdirQuiet(d: string): boolean {
  try {
    rmdirSync(d);
    return true;
  } catch {
    return false; // not empty (or already gone): leave it
  }
}

