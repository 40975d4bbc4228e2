/**
 * The write stage encodes every file into one shared buffer (src/write/plan.ts bytesOf): each
 * file's bytes on disk, and the hash the manifest records for it, must be exactly its own UTF-8,
 * whatever was encoded before it (a bigger file leaves its bytes behind in the buffer).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputFile } from '../../src/generate/index';
import { readManifest } from '../../src/write/manifest';
import { checkOutputs, writeOutputs } from '../../src/write/plan';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const outDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'migobs-encode-'));
  dirs.push(d);
  return join(d, 'out');
};
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

// A big ASCII file first, then smaller ones of 2-, 3- and 4-byte characters, a lone surrogate
// (written as U+FFFD, as Buffer.from writes it), an empty file, and one larger than the buffer's
// first size (1 MiB), so it is made anew.
const FILES: OutputFile[] = [
  { path: 'prometheus/rules/a.yaml', content: `# big\n${'x: 1\n'.repeat(60_000)}` },
  { path: 'docs/a/runbook.md', content: 'héllo ✓ 😀 — ok\n' },
  { path: 'docs/a/alerts.md', content: 'lone \ud800 surrogate\n' },
  { path: 'docs/a/dashboard.md', content: '' },
  { path: 'grafana/dashboards/a.json', content: `${'é'.repeat(600_000)}\n` },
  { path: 'prometheus/tests/a.test.yaml', content: 'short\n' },
];

describe('files encoded through the shared buffer', () => {
  it('are written as their own UTF-8, with the manifest hashing those bytes, and check as current', () => {
    const out = outDir();
    writeOutputs(out, FILES);
    const manifest = readManifest(out);
    for (const f of FILES) {
      const expected = Buffer.from(f.content, 'utf8');
      const onDisk = readFileSync(join(out, f.path));
      expect(onDisk.equals(expected), f.path).toBe(true);
      expect(manifest?.hashes?.get(f.path), f.path).toBe(sha(expected));
    }
    const check = checkOutputs(out, FILES);
    expect(check.stale).toEqual([]);
    expect(check.missing).toEqual([]);
  });

  it('a file that differs only past the end of the one before is stale', () => {
    const out = outDir();
    writeOutputs(out, FILES);
    // Same length as before, last byte changed: encoded right after a bigger file.
    const changed = FILES.map((f) => (f.path === 'prometheus/tests/a.test.yaml' ? { ...f, content: 'shorT\n' } : f));
    // The manifest records the old hash of that file, so it is stale too.
    expect(checkOutputs(out, changed).stale).toEqual(['prometheus/tests/a.test.yaml', '.migobs-manifest.json']);
  });
});
