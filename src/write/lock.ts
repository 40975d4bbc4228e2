/**
 * `<out>/.migobs.lock`: one `generate` at a time per output folder. The lock file is created
 * complete and exclusively (a temp file hard-linked to the lock name, which fails when a lock is
 * there) and holds the holder's pid, host and start time. A second run waits for it, up to a
 * bound, then fails naming the lock and its holder. A lock whose process is gone (same host, pid
 * not running: a killed run) is taken over with a message.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../diagnostics';
import { OUT_META } from '../generate/names';
import { createFile, fsReason, lstatOrUndefined, realFs } from './atomic';
import { assertOutDir } from './paths';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Tells our own lock from another process's with a reused pid. */
  token: string;
}

export interface OutputLock {
  path: string;
  /** Remove the lock (only if it is still ours) and the output folder if taking the lock created it and it is empty. */
  release(): void;
}

export interface LockOptions {
  /** How long to wait for another run's lock before failing (0: fail at once). */
  timeoutMs: number;
  /** Told once when the lock is held by someone else and we start waiting. */
  onWait?: (message: string) => void;
  /** Told when a stale lock is taken over. */
  onNote?: (message: string) => void;
  /** Poll interval while waiting (the holder's exit is not observable otherwise). */
  pollMs?: number;
}

const describe = (h: LockHolder | undefined): string => (h ? `pid ${h.pid} on host ${h.host}, since ${h.since}` : 'a process that has not finished writing the lock file');

function readHolder(path: string): LockHolder | undefined {
  try {
    const st = lstatOrUndefined(path);
    if (!st) return undefined;
    if (!st.isFile()) throw new UserError(`${path} is not a migobs lock file (not a regular file); remove it`);
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.since === 'string' && typeof h.token === 'string') return h as LockHolder;
  } catch (e) {
    if (e instanceof UserError) throw e;
  }
  return undefined;
}

/** Whether a process with this pid runs on this host (EPERM: it does, as another user). */
function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Create the lock file complete, or fail with EEXIST when one is there. */
function tryCreate(path: string, holder: LockHolder): boolean {
  const tmp = `${path}.${holder.pid}.${holder.token}.tmp`;
  createFile(tmp, JSON.stringify(holder) + '\n');
  try {
    realFs.link(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // No hard links here (some FUSE/SMB mounts): fall back to an exclusive create of the lock itself.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      try {
        createFile(path, JSON.stringify(holder) + '\n');
        return true;
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e2;
      }
    }
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Take a stale lock away: move it aside (atomic), and make sure what we moved is the stale lock we
 * read, not a lock another run created meanwhile (then put that one back).
 */
function takeOver(path: string, stale: LockHolder, me: LockHolder): boolean {
  const aside = `${path}.stale.${me.pid}.${me.token}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else moved it first
  }
  const moved = readHolder(aside);
  if (moved?.token === stale.token) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    realFs.link(aside, path);
  } catch {
    // a third run took the lock in between; it holds it now
  }
  rmSync(aside, { force: true });
  return false;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Take the output folder's lock, waiting up to `timeoutMs` for another run to finish. */
export async function acquireOutputLock(outDir: string, opts: LockOptions): Promise<OutputLock> {
  assertOutDir(outDir);
  const created = makeDirsQuiet(outDir);
  const path = join(outDir, OUT_META.lock);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const deadline = Date.now() + opts.timeoutMs;
  let waited = false;
  try {
    for (;;) {
      if (tryCreate(path, me)) break;
      const holder = readHolder(path);
      if (holder && holder.host === me.host && !pidAlive(holder.pid)) {
        if (takeOver(path, holder, me)) opts.onNote?.(`took over the stale lock ${path} of ${describe(holder)}: that process is gone`);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new UserError(
          `${path} is held by another migobs generate (${describe(holder)})` +
            (waited ? `; waited ${Math.round(opts.timeoutMs / 1000)} s` : '') +
            `. Try again when it has finished (or raise --lock-timeout); if no migobs runs${holder ? ` as pid ${holder.pid} on ${holder.host}` : ''}, delete ${path}`,
        );
      }
      if (!waited) opts.onWait?.(`waiting for ${path}: another migobs generate is writing this folder (${describe(holder)})`);
      waited = true;
      await sleep(Math.min(opts.pollMs ?? 100, Math.max(1, deadline - Date.now())));
    }
  } catch (e) {
    for (const d of [...created].reverse()) rmdirQuiet(d);
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot take the lock ${path}: ${fsReason(e)}; nothing was changed`);
  }

  removeDeadLeftovers(outDir);

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    for (const [sig, fn] of handlers) process.removeListener(sig, fn);
    if (readHolder(path)?.token === me.token) rmSync(path, { force: true });
    for (const d of [...created].reverse()) rmdirQuiet(d);
  };
  // Ctrl-C or a kill while holding the lock: release it, then die as the signal asked.
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => {
    const fn = (): void => {
      release();
      process.kill(process.pid, sig);
    };
    process.once(sig, fn);
    return [sig, fn] as const;
  });
  process.once('exit', release);
  return { path, release };
}

/**
 * `.migobs.lock.<pid>.<token>.tmp` / `.migobs.lock.stale.<pid>.<token>` of a run killed while
 * taking the lock. Only those of processes that are gone: a live run may be taking its turn.
 */
function removeDeadLeftovers(outDir: string): void {
  const prefix = `${OUT_META.lock}.`;
  for (const name of readdirSync(outDir)) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(?:stale\.)?(\d+)\./.exec(name.slice(prefix.length));
    if (m && !pidAlive(Number(m[1]))) rmSync(join(outDir, name), { force: true });
  }
}

function makeDirsQuiet(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !lstatOrUndefined(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  const created: string[] = [];
  try {
    for (const d of missing) {
      realFs.mkdir(d);
      created.push(d);
    }
  } catch (e) {
    for (const d of [...created].reverse()) rmdirQuiet(d);
    throw new UserError(`cannot write to the output folder ${dir}: ${fsReason(e)}; nothing was changed`);
  }
  return created;
}

function rmdirQuiet(d: string): void {
  try {
    rmdirSync(d);
  } catch {
    // not empty or gone
  }
}
