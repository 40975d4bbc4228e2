/** writeOutputs in process: all-or-nothing staging, unchanged files left alone, temp clean-up. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/diagnostics';
import { cleanTempFiles, TEMP_PREFIX } from '../../src/write/atomic';
import { writeOutputs } from '../../src/write/plan';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migobs-write-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const files = [
  { path: 'grafana/provisioning/dashboards/migobs.yaml', content: 'providers: []\n' },
  { path: 'm1/rules.yaml', content: 'groups: []\n' },
  { path: 'm1/runbook.md', content: '# Runbook\n' },
  { path: 'm2/rules.yaml', content: 'groups: []\n' },
];

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const n of readdirSync(d).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      out.push(r);
      if (statSync(join(d, n)).isDirectory()) walk(join(d, n), r);
    }
  };
  walk(root, '');
  return out;
}

describe('writeOutputs', () => {
  it('creates nested folders and writes every file, leaving no temp file', () => {
    const out = join(dir, 'a', 'b');
    const r = writeOutputs(out, files);
    expect(r.written.sort()).toEqual(files.map((f) => f.path).sort());
    for (const f of files) expect(readFileSync(join(out, f.path), 'utf8')).toBe(f.content);
    expect(tree(out).filter((p) => p.includes(TEMP_PREFIX))).toEqual([]);
  });

  it('leaves unchanged files alone (not even rewritten)', () => {
    writeOutputs(dir, files);
    const p = join(dir, 'm1/rules.yaml');
    utimesSync(p, new Date(0), new Date(0));
    const r = writeOutputs(dir, [...files.slice(0, 3), { path: 'm2/rules.yaml', content: 'groups: [x]\n' }]);
    expect(r.written).toEqual(['m2/rules.yaml']);
    expect(statSync(p).mtimeMs).toBe(0);
  });

  it('a failure while staging changes nothing: no file written, created folders removed, temp files gone', () => {
    writeFileSync(join(dir, 'keep.txt'), 'x');
    writeFileSync(join(dir, 'm2'), 'a file where a folder must go');
    const before = tree(dir);
    expect(() => writeOutputs(dir, files)).toThrow(UserError);
    expect(() => writeOutputs(dir, files)).toThrow(/a file is in the way of a folder \(ENOTDIR at .*m2.*\); nothing was changed/);
    expect(tree(dir)).toEqual(before);
  });

  it('refuses a folder where a file must go before writing anything', () => {
    mkdirSync(join(dir, 'm1', 'runbook.md'), { recursive: true });
    const before = tree(dir);
    expect(() => writeOutputs(dir, files)).toThrow(/something other than a file is in the way/);
    expect(tree(dir)).toEqual(before);
  });

  it('an out dir that is a file is refused', () => {
    const f = join(dir, 'file');
    writeFileSync(f, 'x');
    expect(() => writeOutputs(f, files)).toThrow(/exists and is not a folder/);
    expect(readFileSync(f, 'utf8')).toBe('x');
  });

  it('removes temp files a killed run left in every folder it writes, and nothing else', () => {
    writeOutputs(dir, files);
    for (const d of ['grafana/provisioning/dashboards', 'm1', 'm2']) writeFileSync(join(dir, d, `${TEMP_PREFIX}1-0-rules.yaml`), 'half');
    writeFileSync(join(dir, 'm1', 'notes.txt'), 'mine');
    writeOutputs(dir, files);
    expect(tree(dir).filter((p) => p.includes(TEMP_PREFIX))).toEqual([]);
    expect(existsSync(join(dir, 'm1', 'notes.txt'))).toBe(true);
  });

  it('cleanTempFiles reports what it removed and tolerates a missing folder', () => {
    writeFileSync(join(dir, `${TEMP_PREFIX}9-x`), '');
    writeFileSync(join(dir, 'migobs-tmp-lookalike'), '');
    expect(cleanTempFiles(dir)).toEqual([join(dir, `${TEMP_PREFIX}9-x`)]);
    expect(cleanTempFiles(join(dir, 'nope'))).toEqual([]);
    expect(readdirSync(dir)).toEqual(['migobs-tmp-lookalike']);
  });
});
