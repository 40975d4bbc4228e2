/**
 * writeOutputs in process: all-or-nothing staging and switch, unchanged files left alone, the
 * manifest, symbolic links refused, short writes and a rename failing midway (injected through
 * the FsOps seam) leaving every file old. The same failures against the real file system and the
 * real CLI are in write-safety.test.ts.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/diagnostics';
import { OUT_META } from '../../src/generate/names';
import { realFs, type FsOps } from '../../src/write/atomic';
import { readManifest, renderManifest } from '../../src/write/manifest';
import { writeOutputs } from '../../src/write/plan';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migobs-write-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const files = [
  { path: 'docs/m1/runbook.md', content: '# Runbook\n' },
  { path: 'grafana/provisioning/dashboards/migobs.yaml', content: 'providers: []\n' },
  { path: 'prometheus/rules/m1.yaml', content: 'groups: []\n' },
  { path: 'prometheus/rules/m2.yaml', content: 'groups: []\n' },
];
/** Version B: every file's bytes change. */
const filesB = files.map((f) => ({ path: f.path, content: `${f.content}# B\n` }));

/** Every entry under a folder (sorted), with file contents. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const n of readdirSync(d).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = statSync(join(d, n));
      out[r] = st.isDirectory() ? 'dir' : readFileSync(join(d, n), 'utf8');
      if (st.isDirectory()) walk(join(d, n), r);
    }
  };
  walk(root, '');
  return out;
}

const leftovers = (root: string): string[] => Object.keys(tree(root)).filter((p) => p.includes(OUT_META.stagingPrefix) || p.includes('.migobs-tmp-'));

describe('writeOutputs', () => {
  it('creates nested folders, writes every file and the manifest, leaving no staging folder', () => {
    const out = join(dir, 'a', 'b');
    const r = writeOutputs(out, files);
    expect(r.written.sort()).toEqual(files.map((f) => f.path).sort());
    for (const f of files) expect(readFileSync(join(out, f.path), 'utf8')).toBe(f.content);
    // Version 2: the files, the SHA-256 of each (no migration inputs: writeOutputs is not told them).
    const hashes = new Map(files.map((f) => [f.path, createHash('sha256').update(f.content).digest('hex')]));
    expect(readFileSync(join(out, OUT_META.manifest), 'utf8')).toBe(renderManifest(files.map((f) => f.path), { hashes, inputs: new Map() }));
    expect(readManifest(out)).toMatchObject({ files: files.map((f) => f.path).sort(), hashes });
    expect(leftovers(out)).toEqual([]);
  });

  it('leaves unchanged files alone (not even rewritten)', () => {
    writeOutputs(dir, files);
    const p = join(dir, 'prometheus/rules/m1.yaml');
    utimesSync(p, new Date(0), new Date(0));
    const r = writeOutputs(dir, [...files.slice(0, 3), { path: 'prometheus/rules/m2.yaml', content: 'groups: [x]\n' }]);
    expect(r.written).toEqual(['prometheus/rules/m2.yaml']);
    expect(statSync(p).mtimeMs).toBe(0);
  });

  it('removes the files the previous manifest lists and this run does not produce, and folders they leave empty', () => {
    writeOutputs(dir, files);
    writeFileSync(join(dir, 'prometheus/rules/mine.yaml'), 'a person wrote this\n');
    const r = writeOutputs(dir, files.filter((f) => !f.path.includes('m1')));
    expect(r.removed.sort()).toEqual(['docs/m1/runbook.md', 'prometheus/rules/m1.yaml']);
    expect(existsSync(join(dir, 'docs/m1'))).toBe(false);
    expect(existsSync(join(dir, 'prometheus/rules/mine.yaml'))).toBe(true);
    expect(readManifest(dir)!.files).toEqual(['grafana/provisioning/dashboards/migobs.yaml', 'prometheus/rules/m2.yaml']);
  });

  it('a failure while staging changes nothing: no file written, created folders removed, staging gone', () => {
    writeFileSync(join(dir, 'keep.txt'), 'x');
    writeFileSync(join(dir, 'docs'), 'a file where a folder must go');
    const before = tree(dir);
    expect(() => writeOutputs(dir, files)).toThrow(UserError);
    expect(() => writeOutputs(dir, files)).toThrow(/a file is in the way of a folder \(at .*docs\); move it or choose another --out-dir; nothing was changed/);
    expect(tree(dir)).toEqual(before);
  });

  it('refuses a folder where a file must go before writing anything', () => {
    mkdirSync(join(dir, 'docs', 'm1', 'runbook.md'), { recursive: true });
    const before = tree(dir);
    expect(() => writeOutputs(dir, files)).toThrow(/a folder is in the way of the file/);
    expect(tree(dir)).toEqual(before);
  });

  it('an out dir that is a file is refused', () => {
    const f = join(dir, 'file');
    writeFileSync(f, 'x');
    expect(() => writeOutputs(f, files)).toThrow(/exists and is not a folder/);
    expect(readFileSync(f, 'utf8')).toBe('x');
  });

  it('removes staging folders a killed run left, and nothing else', () => {
    writeOutputs(dir, files);
    mkdirSync(join(dir, `${OUT_META.stagingPrefix}999999-0`, 'new', 'docs'), { recursive: true });
    writeFileSync(join(dir, `${OUT_META.stagingPrefix}999999-0`, 'new', 'docs', 'half.md'), 'half');
    writeFileSync(join(dir, 'docs', 'm1', 'notes.md'), 'mine');
    writeOutputs(dir, filesB);
    expect(leftovers(dir)).toEqual([]);
    expect(existsSync(join(dir, 'docs', 'm1', 'notes.md'))).toBe(true);
  });
});

describe('symbolic links on the way are refused, never followed', () => {
  it.each([
    ['the output folder itself', '', true],
    ['an area folder (out/docs)', 'docs', false],
    ['a migration folder (out/docs/m1)', 'docs/m1', false],
    ['a nested folder (out/grafana/provisioning)', 'grafana/provisioning', false],
  ])('%s', (_name, rel, isOut) => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, '.migobs-tmp-1-0-x'), 'a temp-looking file that is not ours');
    const out = join(dir, 'out');
    if (isOut) symlinkSync(outside, out);
    else {
      mkdirSync(join(out, rel, '..'), { recursive: true });
      symlinkSync(outside, join(out, rel));
    }
    const before = tree(dir);
    expect(() => writeOutputs(out, files)).toThrow(new RegExp(`${join(out, rel).replace(/[/.]/g, '\\$&')} is a symbolic link \\(to ${outside.replace(/[/.]/g, '\\$&')}\\)`));
    expect(tree(dir)).toEqual(before);
    expect(readdirSync(outside)).toEqual(['.migobs-tmp-1-0-x']);
  });

  it('a link where a file goes is replaced by the file (the link itself, not its target)', () => {
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'not migobs\n');
    mkdirSync(join(dir, 'out', 'prometheus', 'rules'), { recursive: true });
    symlinkSync(target, join(dir, 'out', 'prometheus/rules/m1.yaml'));
    writeOutputs(join(dir, 'out'), files);
    expect(readFileSync(target, 'utf8')).toBe('not migobs\n');
    expect(readFileSync(join(dir, 'out', 'prometheus/rules/m1.yaml'), 'utf8')).toBe('groups: []\n');
  });
});

describe('writes that do not complete', () => {
  /** writeSync that takes at most `limit` bytes per call, and then nothing after `budget` bytes in all. */
  function shortWrites(limit: number, budget: number): Partial<FsOps> {
    let used = 0;
    return {
      write: (fd, b, off, len) => {
        const n = Math.min(limit, len, budget - used);
        if (n <= 0) return 0;
        used += n;
        return realFs.write(fd, b, off, n);
      },
    };
  }

  it('short writes are continued until the file is complete', () => {
    const big = [{ path: 'docs/m1/runbook.md', content: 'x'.repeat(100_000) }];
    writeOutputs(dir, big, { ops: shortWrites(4096, Infinity) });
    expect(readFileSync(join(dir, 'docs/m1/runbook.md'), 'utf8')).toBe(big[0]!.content);
  });

  it('a write that makes no progress (a full disk) fails with every file old and nothing staged left', () => {
    writeOutputs(dir, files);
    const before = tree(dir);
    const big = filesB.map((f) => (f.path === 'prometheus/rules/m2.yaml' ? { ...f, content: 'y'.repeat(50_000) } : f));
    expect(() => writeOutputs(dir, big, { ops: shortWrites(4096, 20_000) })).toThrow(/no space left on the device \(a write was cut short\): the file system took \d+ of 50000 bytes and then no more .*; nothing was changed/);
    expect(tree(dir)).toEqual(before);
  });

  it('a write error (ENOSPC) fails with every file old', () => {
    writeOutputs(dir, files);
    const before = tree(dir);
    let calls = 0;
    const ops: Partial<FsOps> = {
      write: (fd, b, off, len) => {
        if (++calls === 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return realFs.write(fd, b, off, len);
      },
    };
    expect(() => writeOutputs(dir, filesB, { ops })).toThrow(/no space left on the device \(ENOSPC at .*\); nothing was changed/);
    expect(tree(dir)).toEqual(before);
  });
});

describe('the switch is all or nothing', () => {
  /** rename that fails on its `n`-th call into the output folder (not into the staging folder). */
  function failingRename(n: number, code = 'EIO'): { ops: Partial<FsOps>; calls: () => number } {
    let calls = 0;
    return {
      calls: () => calls,
      ops: {
        rename: (from, to) => {
          if (!to.includes(OUT_META.stagingPrefix) && ++calls === n) throw Object.assign(new Error(`${code}: injected`), { code, path: to });
          realFs.rename(from, to);
        },
      },
    };
  }

  it.each([1, 2, 3, 4])('a rename failing at step %i puts every file back: the folder is exactly as before', (n) => {
    writeOutputs(dir, files);
    const before = tree(dir);
    const { ops } = failingRename(n);
    expect(() => writeOutputs(dir, filesB, { ops })).toThrow(/replacing .*: input\/output error \(EIO at .*\); every file was put back, nothing was changed/);
    expect(tree(dir)).toEqual(before);
  });

  it.each([1, 3, 5])('into folders that did not exist (nothing to keep): a rename failing at step %i leaves nothing behind', (n) => {
    // The writer does not look up files in folders that were absent when first seen; undoing must
    // still remove every file it put there and the folders it made.
    const out = join(dir, 'fresh');
    const { ops } = failingRename(n);
    expect(() => writeOutputs(out, files, { ops })).toThrow(/every file was put back, nothing was changed/);
    expect(existsSync(out) ? tree(out) : {}).toEqual({});
    writeOutputs(out, files);
    expect(tree(out)['prometheus/rules/m2.yaml']).toBe('groups: []\n');
  });

  it('also when the failing run would have added and removed files', () => {
    writeOutputs(dir, files);
    const before = tree(dir);
    const next = [...filesB.filter((f) => !f.path.includes('m2')), { path: 'docs/m3/runbook.md', content: '# new\n' }];
    // Renames: 4 writes (docs/m1, docs/m3, grafana, prometheus m1), then the manifest; m2 is removed in between.
    for (const n of [2, 4, 5]) {
      const { ops } = failingRename(n);
      expect(() => writeOutputs(dir, next, { ops }), `failure at rename ${n}`).toThrow(/nothing was changed/);
      expect(tree(dir), `failure at rename ${n}`).toEqual(before);
    }
    const unlinkFails: Partial<FsOps> = {
      unlink: (p) => {
        if (p.endsWith('prometheus/rules/m2.yaml') && !p.includes(OUT_META.stagingPrefix)) throw Object.assign(new Error('EPERM'), { code: 'EPERM', path: p });
        realFs.unlink(p);
      },
    };
    expect(() => writeOutputs(dir, next, { ops: unlinkFails })).toThrow(/removing .*m2\.yaml: operation not permitted .*; every file was put back, nothing was changed/);
    expect(tree(dir)).toEqual(before);
  });

  it('when a file cannot be put back either, it says exactly which files are new and where the old ones are', () => {
    writeOutputs(dir, files);
    let calls = 0;
    const ops: Partial<FsOps> = {
      rename: (from, to) => {
        if (!to.includes(OUT_META.stagingPrefix)) {
          calls++;
          // The 3rd switch step fails, and so does putting back the 1st file.
          if (calls === 3 || (from.includes('/old/') && to.endsWith('docs/m1/runbook.md'))) throw Object.assign(new Error('EIO'), { code: 'EIO', path: to });
        }
        realFs.rename(from, to);
      },
    };
    expect(() => writeOutputs(dir, filesB, { ops })).toThrow(/these could not be put back and are NEW or missing: .*docs\/m1\/runbook\.md; their old versions are in .*\.migobs-staging-.*\/old \(copy them out: the next generate removes that folder\); every other file is unchanged/);
    expect(readFileSync(join(dir, 'docs/m1/runbook.md'), 'utf8')).toBe(filesB[0]!.content);
    expect(readFileSync(join(dir, 'grafana/provisioning/dashboards/migobs.yaml'), 'utf8')).toBe(files[1]!.content);
    // The old copy survives in the staging folder for the person to restore.
    const staging = readdirSync(dir).find((n) => n.startsWith(OUT_META.stagingPrefix))!;
    expect(readFileSync(join(dir, staging, 'old', 'docs/m1/runbook.md'), 'utf8')).toBe(files[0]!.content);
  });
});
