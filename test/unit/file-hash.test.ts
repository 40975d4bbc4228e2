/**
 * fileHash (src/write/hash.ts): the SHA-256 of a regular file's bytes, read through one buffer the
 * whole process shares. Files larger than the buffer, smaller ones after them, and empty ones must
 * each hash to their own bytes only (a reused buffer must never leak one file's tail into another).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileHash } from '../../src/write/hash';

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
