/**
 * Hashes for incremental generation (docs/incremental.md): what a migration's output files derive
 * from, and the bytes of a file on disk. Light on purpose: `generate` with current output loads
 * this, never the generators.
 */
import type { Hash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { ResolvedMigration } from '../model/types';

declare const MIGOBS_VERSION: string;
/** The version of this build (set by scripts/build.mjs); a new version regenerates everything. */
export const VERSION = typeof MIGOBS_VERSION === 'string' ? MIGOBS_VERSION : '0.0.0-dev';
/** Bumped when what goes into the input hash changes meaning. */
const INPUT_SCHEME = 1;

/**
 * node:crypto loaded on first use, not at start-up: `validate` and `lint` without a cache never
 * hash, and loading it costs about 10 ms of every pre-commit run.
 */
function createHash(algorithm: 'sha256'): Hash {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:crypto') as typeof import('node:crypto')).createHash(algorithm);
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Everything a migration's files derive from: the resolved model (the definition with its presets,
 * engine library and repo config applied, and the definition's file name as outputs cite it), the
 * deploy flavours and the migobs version. Generators are pure functions of these (and the output
 * bytes of a version are deterministic), so an equal hash means equal files.
 */
export function inputHash(model: ResolvedMigration, flavors: readonly string[]): string {
  return sha256(JSON.stringify({ scheme: INPUT_SCHEME, migobs: VERSION, flavors, model }, replacer));
}

/** JSON of the model, with the values JSON would silently drop or merge made explicit. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value}`;
  if (value instanceof Map) return { $map: [...value] };
  if (value instanceof Set) return { $set: [...value] };
  if (value instanceof RegExp) return { $re: String(value) };
  if (typeof value === 'bigint') return `${value}n`;
  return value;
}

/**
 * One read buffer for every fileHash of the process (it reads synchronously, so calls never
 * overlap): a fresh 256 KiB buffer per file cost an allocation and, inside read(), the page
 * faults of its new memory. A run with current output hashes every file it verifies (thousands
 * for a repo of hundreds of migrations).
 */
let sharedReadBuffer: Buffer | undefined;
const readBuffer = (): Buffer => (sharedReadBuffer ??= Buffer.allocUnsafe(256 * 1024));

/**
 * `read(fd, size)` on the regular file at `path`, or `otherwise` when nothing or something else (a
 * folder, a FIFO, a symbolic link: never followed) is there.
 */
function onRegularFile<T>(path: string, otherwise: T, read: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO someone put at an output path must not hang the run.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return otherwise;
  }
  try {
    const st = fstatSync(fd);
    return st.isFile() ? read(fd, st.size) : otherwise;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a regular file holds exactly `data`, read through the same shared buffer as fileHash: a
 * `generate` over existing output compares every file it produced with the one on disk, and
 * reading each whole file into new memory cost an allocation and its page faults per file.
 * Nothing there, a folder, a FIFO or a symbolic link (never followed) is never the same.
 */
export function sameBytes(path: string, data: Uint8Array): boolean {
  return onRegularFile(path, false, (fd, size) => {
    if (size !== data.length) return false;
    const buf = readBuffer();
    let at = 0;
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; at += n) {
      // A file that grew since fstat: more bytes than `data` is not the same.
      if (at + n > data.length || Buffer.compare(buf.subarray(0, n), data.subarray(at, at + n)) !== 0) return false;
    }
    return at === data.length;
  });
}

/**
 * The SHA-256 of a regular file's bytes, or undefined when nothing or something else (a folder, a
 * symbolic link: never followed) is there.
 */
export function fileHash(path: string): string | undefined {
  return onRegularFile<string | undefined>(path, undefined, (fd) => {
    const hash = createHash('sha256');
    const buf = readBuffer();
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
    return hash.digest('hex');
  });
}
