/**
 * Low-level file writing for the write stage: files that are written completely or not at all,
 * created exclusively (never through an existing entry or a symbolic link), and durable renames.
 */
import { chmodSync, closeSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const TEMP_PREFIX = '.migobs-tmp-';

/** Create a new file only: fail when anything (a file, a folder, a symbolic link) is at `path`. */
const CREATE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

let counter = 0;

/** The system calls the write stage uses, replaceable so tests can inject a failure at any step. */
export interface FsOps {
  open(path: string, flags: number, mode: number): number;
  write(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  close(fd: number): void;
  rename(from: string, to: string): void;
  link(existing: string, newPath: string): void;
  unlink(path: string): void;
  mkdir(path: string): void;
}

export const realFs: FsOps = {
  open: (p, flags, mode) => openSync(p, flags, mode),
  write: (fd, b, off, len) => writeSync(fd, b, off, len),
  close: (fd) => closeSync(fd),
  rename: (a, b) => renameSync(a, b),
  link: (a, b) => linkSync(a, b),
  unlink: (p) => unlinkSync(p),
  mkdir: (p) => mkdirSync(p),
};

/** An error with an errno-like code, for failures the kernel did not name (a write that made no progress). */
export function fsError(code: string, message: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, ...(path ? { path } : {}) });
}

/**
 * Write every byte of `data` to `fd`. writeSync may write fewer bytes than asked (a full disk, a
 * quota, a signal): keep writing the rest, and fail when a call makes no progress, so a file is
 * never silently cut short.
 */
export function writeFully(fd: number, data: Uint8Array, path: string, ops: Pick<FsOps, 'write'> = realFs): void {
  let done = 0;
  while (done < data.length) {
    const n = ops.write(fd, data, done, data.length - done);
    if (!Number.isInteger(n) || n <= 0) throw fsError('ESHORTWRITE', `the file system took ${done} of ${data.length} bytes and then no more`, path);
    done += n;
  }
}

/** Create `path` (which must not exist; never follows a link) holding exactly `content`. */
export function createFile(path: string, content: string | Uint8Array, ops: FsOps = realFs, opts: { fsync?: boolean } = {}): void {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const fd = ops.open(path, CREATE_FLAGS, 0o644);
  try {
    writeFully(fd, data, path, ops);
    if (opts.fsync) fsyncSync(fd);
  } catch (e) {
    try {
      ops.close(fd);
    } catch {
      // the write error is the one to report
    }
    rmSync(path, { force: true });
    // writeSync's errors carry no path: say which file it was.
    if (e && typeof e === 'object' && !(e as NodeJS.ErrnoException).path) (e as NodeJS.ErrnoException).path = path;
    throw e;
  }
  // close can report a deferred write error (NFS, some FUSE file systems): it counts as a failed write.
  try {
    ops.close(fd);
  } catch (e) {
    rmSync(path, { force: true });
    throw e;
  }
}

/**
 * Make a folder's entries (renames, new and removed files) durable: fsync the folder itself. File
 * systems that cannot (EINVAL, ENOTSUP) have nothing to sync.
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
  } finally {
    closeSync(fd);
  }
}

const REASONS: Record<string, string> = {
  ENOTDIR: 'a file is in the way of a folder',
  EISDIR: 'a folder is in the way of a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ESHORTWRITE: 'no space left on the device (a write was cut short)',
  EXDEV: 'a folder inside the output folder is on another file system',
  ENOENT: 'the folder cannot be created there',
  EEXIST: 'something is already there',
  EIO: 'input/output error',
};

/** A short, readable reason for a file system error, with the path it happened at. */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const what = (err.code && REASONS[err.code]) ?? err.message;
  const detail = err.code === 'ESHORTWRITE' || err.code === 'EXDEV' ? `: ${err.message}` : '';
  return `${what}${detail}${err.code ? ` (${err.code}` + (err.path ? ` at ${err.path})` : ')') : ''}`;
}

/** lstat, or undefined when nothing is there. Never follows a symbolic link. */
export function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Write `content` completely to a new temp file beside `file` and flush it; returns the temp path. */
export function writeTemp(file: string, content: string | Uint8Array): string {
  const tmp = join(dirname(file), `${TEMP_PREFIX}${process.pid}-${(counter++).toString(36)}-${basename(file)}`);
  createFile(tmp, content, realFs, { fsync: true });
  return tmp;
}

/** Rename a temp file from writeTemp over `file` (removing the temp file if that fails), then sync the folder. */
export function commitTemp(tmp: string, file: string): void {
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(file));
}

/**
 * One file, replaced atomically and durably (for `migobs init` and `migobs hook`): a temp file
 * beside it, written completely and flushed, renamed over the target, and the folder synced.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array, mode?: number): void {
  const tmp = writeTemp(file, content);
  // A script (mode 0755) must be executable whatever the umask narrowed the new file to.
  if (mode !== undefined) {
    try {
      chmodSync(tmp, mode);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }
  commitTemp(tmp, file);
}
