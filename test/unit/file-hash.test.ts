/**
 * fileHash and sameBytes (src/write/hash.ts): the SHA-256 of a regular file's bytes, and whether a
 * file holds exactly some bytes, both read through one buffer the whole process shares. Files
 * larger than the buffer, smaller ones after them, and empty ones must each be read as their own
 * bytes only (a reused buffer must never leak one file's tail into another).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileHash, sameBytes } from '../../src/write/hash';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'migobs-file-hash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251));

describe('fileHash', () => {
  it.each([
    ['larger than the read buffer, then smaller ones', [600 * 1024 + 17, 10, 256 * 1024, 0, 3, 300 * 1024]],
    ['exactly the buffer, then one byte', [256 * 1024, 1, 256 * 1024 + 1]],
  ])('%s: each file hashes to its own bytes', (_name, sizes) => {
    sizes.forEach((n, k) => {
      const data = bytes(n, k);
      const f = join(dir, `f-${n}-${k}`);
      writeFileSync(f, data);
      expect(fileHash(f), `${n} bytes`).toBe(sha(data));
    });
  });
  it('nothing, a folder or a link is no file', () => {
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'target'), 'x');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    expect(fileHash(join(dir, 'missing'))).toBeUndefined();
    expect(fileHash(join(dir, 'folder'))).toBeUndefined();
    expect(fileHash(join(dir, 'link'))).toBeUndefined();
  });
});

describe('sameBytes', () => {
  const flip = (b: Buffer, at: number): Buffer => {
    const c = Buffer.from(b);
    c[at] = (c[at]! + 1) % 256;
    return c;
  };
  const big = bytes(600 * 1024 + 17, 7);
  beforeAll(() => writeFileSync(join(dir, 'big-first'), big));
  it.each([
    ['the same bytes, larger than the read buffer', big, big, true],
    ['the same bytes, exactly the buffer', bytes(256 * 1024, 1), bytes(256 * 1024, 1), true],
    ['both empty', Buffer.alloc(0), Buffer.alloc(0), true],
    ['one byte differs at the start', big, flip(big, 0), false],
    ['one byte differs past the first read', big, flip(big, 256 * 1024 + 5), false],
    ['one byte differs at the end', big, flip(big, big.length - 1), false],
    ['the file is one byte longer', bytes(11, 2), bytes(10, 2), false],
    ['the file is one byte shorter', bytes(10, 2), bytes(11, 2), false],
    ['an empty file, some bytes wanted', Buffer.alloc(0), bytes(3, 0), false],
  ])('%s', (name, onDisk, wanted, same) => {
    const f = join(dir, `same-${name.replace(/\W+/g, '-')}`);
    writeFileSync(f, onDisk);
    // A big file read first, so the shared buffer holds other bytes when the small one is compared.
    expect(sameBytes(join(dir, 'big-first'), big)).toBe(true);
    expect(sameBytes(f, wanted)).toBe(same);
  });
  it('nothing, a folder, a link to the same bytes or a FIFO is never the same (and a FIFO does not hang)', () => {
    mkdirSync(join(dir, 'same-folder'));
    writeFileSync(join(dir, 'same-target'), 'abc');
    symlinkSync(join(dir, 'same-target'), join(dir, 'same-link'));
    execFileSync('mkfifo', [join(dir, 'same-fifo')]);
    expect(sameBytes(join(dir, 'same-target'), Buffer.from('abc'))).toBe(true);
    expect(sameBytes(join(dir, 'same-missing'), Buffer.alloc(0))).toBe(false);
    expect(sameBytes(join(dir, 'same-folder'), Buffer.alloc(0))).toBe(false);
    expect(sameBytes(join(dir, 'same-link'), Buffer.from('abc'))).toBe(false);
    expect(sameBytes(join(dir, 'same-fifo'), Buffer.alloc(0))).toBe(false);
  });
});
