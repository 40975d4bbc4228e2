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
import { lstatSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../diagnostics';
import type { OutputFile } from '../generate/index';
import { legacyPaths, migrationIdOf, OUT_META } from '../generate/names';
import { createFile, fsReason as reason, fsyncDir, lstatOrUndefined, realFs, type FsOps } from './atomic';
import { sameBytes, sha256 } from './hash';
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

/**
 * A file of this run: its bytes (to compare and stage), or only the hash of the bytes already on
 * disk (incremental generation verified them: kept as they are, never read again).
 */
export type RunFile = OutputFile | { path: string; hash: string; content?: undefined };

/** Old-layout files of the migrations among `paths`, present on disk. */
function legacyOnDisk(outDir: string, paths: Iterable<string>): string[] {
  const ids = [...new Set([...paths].map((p) => migrationIdOf(p)).filter((id): id is string => id !== undefined))];
  return ids.flatMap((id) => legacyPaths(id)).filter((p) => lstatOrUndefined(join(outDir, p))?.isFile());
}

const dirOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One buffer that every file of the process is encoded into (files are added one at a time, and
 * their bytes are hashed, compared and staged before the next): a fresh buffer per file cost the
 * page faults of its new memory. Big enough for any string of `length` UTF-16 units (3 bytes each
 * at most); pages never written cost nothing.
 */
let encodeBuffer: Buffer | undefined;
function encodeBufferFor(length: number): Buffer {
  if (!encodeBuffer || encodeBuffer.length < 3 * length) encodeBuffer = Buffer.allocUnsafe(Math.max(3 * length, 1 << 20));
  return encodeBuffer;
}

/** The bytes of a file of this run (in the shared encode buffer: used up before the next call) and their hash. */
function bytesOf(f: OutputFile): { data: Buffer; hash: string } {
  const buf = encodeBufferFor(f.content.length);
  const data = buf.subarray(0, buf.write(f.content, 0, 'utf8'));
  return { data, hash: sha256(data) };
}

/**
 * `generate --check` one file at a time: nothing is kept but paths and hashes, so memory does not
 * grow with the number of migrations. `finish` adds the manifest and the extra files.
 */
export class OutputChecker {
  private readonly result: CheckResult = { stale: [], missing: [], extra: [], legacy: [], notes: [] };
  private readonly hashes = new Map<string, string>();

  constructor(private readonly outDir: string) {
    assertOutDir(outDir);
  }

  add(f: RunFile): void {
    const p = join(this.outDir, f.path);
    if (f.content === undefined) {
      this.hashes.set(f.path, f.hash);
      return;
    }
    const { data, hash } = bytesOf(f);
    this.hashes.set(f.path, hash);
    const st = lstatOrUndefined(p);
    if (!st) this.result.missing.push(f.path);
    else if (!sameBytes(p, data)) this.result.stale.push(f.path);
  }

  /** `inputs`: per migration its input hash (hash.ts), as the manifest records them. */
  finish(inputs: ReadonlyMap<string, string> = new Map()): CheckResult {
    const r = this.result;
    r.stale.sort(byPath);
    r.missing.sort(byPath);
    const paths = [...this.hashes.keys()];
    // The manifest last, as it is written last.
    this.add({ path: OUT_META.manifest, content: renderManifest(paths, { hashes: this.hashes, inputs }) });
    const expected = new Set([...paths, OUT_META.manifest]);
    const manifest = readManifest(this.outDir);
    if (manifest?.problem) r.notes.push(manifest.problem);
    for (const p of manifest?.files ?? []) if (!expected.has(p) && lstatOrUndefined(join(this.outDir, p))) r.extra.push(p);
    r.extra.sort();
    r.legacy = legacyOnDisk(this.outDir, paths);
    return r;
  }
}

export function checkOutputs(outDir: string, files: OutputFile[]): CheckResult {
  const checker = new OutputChecker(outDir);
  for (const f of files) checker.add(f);
  return checker.finish();
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
  const writer = new OutputWriter(outDir, opts);
  try {
    for (const f of files) writer.add(f);
  } catch (e) {
    writer.abort();
    throw e;
  }
  return writer.commit();
}

/**
 * The write transaction, fed one file at a time (`add`), so a run holds one migration's bytes at
 * a time: each changed file is staged as it comes, complete, in the staging folder; `commit`
 * switches them all into place (or none: see the module comment); `abort` (or any failure) leaves
 * the folder as it was.
 */
export class OutputWriter {
  private readonly ops: FsOps;
  private readonly result: WriteResult = { written: [], unchanged: [], removed: [], legacy: [], notes: [] };
  private readonly manifest: ReturnType<typeof readManifest>;
  /** Every file of this run and the hash of its bytes. */
  private readonly hashes = new Map<string, string>();
  /** Files staged (changed), by path. */
  private readonly changed: string[] = [];
  private readonly checkedDirs = new Set<string>();
  /**
   * Folders (relative) that did not exist when first seen: no file can be in them (the run holds
   * the output lock), so their files are not looked up one by one. A first-time generate of 1,000
   * definitions made 8,000 lookups of files that could not exist, and as many again switching.
   */
  private readonly absentDirs = new Set<string>();
  private readonly readyDirs = new Set<string>();
  /** Folders made in the staging folder (each file's folder was looked up once per file). */
  private readonly stagingDirs = new Set<string>();
  private readonly created: string[] = [];
  private staging: string | undefined;
  private stagingDev: number | undefined;
  private closed = false;

  constructor(
    private readonly outDir: string,
    opts: WriteOptions = {},
  ) {
    this.ops = { ...realFs, ...opts.ops };
    assertOutDir(outDir);
    this.manifest = readManifest(outDir);
    if (this.manifest?.problem) this.result.notes.push(this.manifest.problem);
  }

  /** A file of this run: unchanged, or staged now. */
  add(f: RunFile): void {
    if (this.closed) throw new Error('OutputWriter: add after commit or abort');
    const dir = dirOf(f.path);
    this.checkDir(dir);
    const p = join(this.outDir, f.path);
    const st = this.absentDirs.has(dir) ? undefined : lstatOrUndefined(p);
    if (st && st.isDirectory()) this.fail(new UserError(`cannot write ${p}: a folder is in the way of the file; move it or choose another --out-dir; nothing was changed`));
    if (f.content === undefined) {
      // Verified by its hash before (incremental generation): the bytes on disk are this run's.
      this.hashes.set(f.path, f.hash);
      this.result.unchanged.push(f.path);
      return;
    }
    const { data, hash } = bytesOf(f);
    this.hashes.set(f.path, hash);
    // A link or anything else at a file's place is replaced by the file (the link itself, never its target).
    if (st?.isFile() && sameBytes(p, data)) {
      this.result.unchanged.push(f.path);
      return;
    }
    this.stage(f.path, data);
  }

  /**
   * Switch every staged file into place, remove the files of migrations that are gone and write
   * the manifest (with `inputs`, the input hash of each migration, for the next incremental run).
   */
  commit(inputs?: ReadonlyMap<string, string>): WriteResult {
    try {
      const paths = [...this.hashes.keys()];
      const manifestText = renderManifest(paths, { hashes: this.hashes, inputs: inputs ?? new Map() });
      const current = new Set([...paths, OUT_META.manifest]);
      const removals = (this.manifest?.files ?? []).filter((p) => !current.has(p));
      for (const p of removals) this.checkDir(dirOf(p));
      const manifestPath = join(this.outDir, OUT_META.manifest);
      const mst = lstatOrUndefined(manifestPath);
      if (mst && mst.isDirectory()) throw new UserError(`cannot write ${manifestPath}: a folder is in the way of the file; move it or choose another --out-dir; nothing was changed`);
      const manifestData = Buffer.from(manifestText, 'utf8');
      const manifestChanged = !sameBytes(manifestPath, manifestData);
      if (manifestChanged) this.stage(OUT_META.manifest, manifestData);
      const gone = removals.filter((p) => lstatOrUndefined(join(this.outDir, p)) !== undefined && !lstatSync(join(this.outDir, p)).isDirectory());
      this.result.legacy = legacyOnDisk(this.outDir, paths);
      // A killed run's staging folder goes even when nothing else changes.
      if (lstatOrUndefined(this.outDir)) this.removeStaleStaging();
      if (this.changed.length === 0 && gone.length === 0) {
        this.closed = true;
        this.result.unchanged.sort(byPath);
        return withoutManifest(this.result);
      }
      if (!this.staging) this.startStaging();
      for (const d of new Set(gone.map(dirOf))) this.sameDevice(d);
      return this.switch(gone);
    } catch (e) {
      this.abort();
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot write to the output folder ${this.outDir}: ${reason(e)}; nothing was changed`);
    }
  }

  /** Drop everything staged and the folders this run created: the output folder is as it was. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.staging) rmSync(this.staging, { recursive: true, force: true });
    for (const d of [...this.created].reverse()) rmdirQuiet(d);
  }

  /** No link anywhere on the way to a folder files go to, and nothing but folders there. */
  private checkDir(rel: string): void {
    if (this.checkedDirs.has(rel)) return;
    try {
      assertNoLinksBelow(this.outDir, [rel]);
    } catch (e) {
      this.fail(e);
    }
    if (!lstatOrUndefined(join(this.outDir, rel))) this.absentDirs.add(rel);
    this.checkedDirs.add(rel);
  }

  private fail(e: unknown): never {
    this.abort();
    throw e;
  }

  private startStaging(): void {
    this.created.push(...makeDirs(this.outDir, this.ops));
    // Our own leftovers go before staging starts (we hold the lock: no live run owns one).
    this.removeStaleStaging();
    const staging = join(this.outDir, `${OUT_META.stagingPrefix}${process.pid}-${(stagingCounter++).toString(36)}`);
    this.ops.mkdir(staging);
    this.staging = staging;
    this.stagingDev = lstatSync(staging).dev;
  }

  /** A folder files are renamed into must be on the staging folder's file system (a rename cannot cross). */
  private sameDevice(rel: string): void {
    const dir = join(this.outDir, rel);
    if (lstatSync(dir).dev !== this.stagingDev) throw Object.assign(new Error(`${dir} is on another file system than ${this.outDir} (a mount inside it); mount the whole output folder instead`), { code: 'EXDEV', path: dir });
  }

  /** Write one changed file, complete, into the staging folder (creating its target folder). */
  private stage(path: string, data: Buffer): void {
    try {
      if (!this.staging) this.startStaging();
      const d = dirOf(path);
      if (!this.readyDirs.has(d)) {
        this.created.push(...makeDirs(join(this.outDir, d), this.ops));
        this.sameDevice(d);
        this.readyDirs.add(d);
      }
      const p = join(this.staging!, 'new', path);
      if (!this.stagingDirs.has(d)) {
        makeDirs(dirname(p), this.ops);
        this.stagingDirs.add(d);
      }
      createFile(p, data, this.ops);
      this.changed.push(path);
    } catch (e) {
      this.abort();
      throw new UserError(`cannot write to the output folder ${this.outDir}: ${reason(e)}; nothing was changed`);
    }
  }

  private switch(gone: string[]): WriteResult {
    const staging = this.staging!;
    const ops = this.ops;
    const outDir = this.outDir;
    const result = this.result;
    const changed = [...this.changed].sort(byPath);
    // Files in path order, then removals, the manifest last (it names what is in place).
    const steps: Step[] = [
      ...changed.filter((p) => p !== OUT_META.manifest).map((p): Step => ({ path: p, target: join(outDir, p), kind: 'write', done: false })),
      ...gone.map((p): Step => ({ path: p, target: join(outDir, p), kind: 'remove', done: false })),
      ...changed.filter((p) => p === OUT_META.manifest).map((p): Step => ({ path: p, target: join(outDir, p), kind: 'write', done: false })),
    ];
    this.closed = true;
    for (const step of steps) {
      try {
        runStep(step, staging, ops, this.absentDirs.has(dirOf(step.path)));
      } catch (e) {
        const failedAt = `${step.kind === 'remove' ? 'removing' : 'replacing'} ${step.target}: ${reason(e)}`;
        const unrestored = undo(steps, ops);
        if (unrestored.length === 0) {
          rmSync(staging, { recursive: true, force: true });
          for (const d of [...this.created].reverse()) rmdirQuiet(d);
          throw new UserError(`cannot write to the output folder ${outDir}: ${failedAt}; every file was put back, nothing was changed`);
        }
        // Keep the staging folder: it holds the old copies that could not be put back.
        throw new UserError(
          `cannot write to the output folder ${outDir}: ${failedAt}; these could not be put back and are NEW or missing: ${unrestored.join(', ')}; ` +
            `their old versions are in ${join(staging, 'old')} (copy them out: the next generate removes that folder); every other file is unchanged`,
        );
      }
    }

    // Durable renames, then clean up. The files themselves are not fsynced one by one: a rename
    // replaces a whole file or nothing; the folders' entries are what must reach the disk.
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
    result.unchanged.sort(byPath);
    return withoutManifest(result);
  }

  /** Staging folders a killed run left behind (we hold the lock: no live run owns one). */
  private removeStaleStaging(): void {
    for (const name of readdirSync(this.outDir)) {
      if (!name.startsWith(OUT_META.stagingPrefix)) continue;
      const p = join(this.outDir, name);
      if (p === this.staging) continue;
      const st = lstatSync(p);
      // A link is removed as a link (rm does not follow it), a folder with its content.
      rmSync(p, { recursive: st.isDirectory(), force: true });
    }
  }
}

/** The manifest is bookkeeping: counts and lists name the generated files only. */
function withoutManifest(r: WriteResult): WriteResult {
  return { ...r, written: r.written.filter((p) => p !== OUT_META.manifest), unchanged: r.unchanged.filter((p) => p !== OUT_META.manifest) };
}

/** `absent`: the target's folder did not exist before this run, so there is no old file to keep. */
function runStep(step: Step, staging: string, ops: FsOps, absent: boolean): void {
  const st = absent ? undefined : lstatOrUndefined(step.target);
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

