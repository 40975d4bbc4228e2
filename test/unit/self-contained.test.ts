/**
 * The project stands on its own: no tracked file (sources, presets, docs, tests, scripts, README,
 * golden output) reads or names a folder outside the repository that a clean clone would not have.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(__dirname, '..', '..');
// Built from parts so this file does not match itself.
const OUTSIDE = [['..', 'shared'].join('/'), ['shared', ''].join('/'), ['DESIGN', 'md'].join('.')];

describe('self-contained repository', () => {
  it('no tracked file names the reference folder or the design document outside the repo', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter((f) => f && !f.endsWith('.png') && f !== 'package-lock.json');
    expect(files.length).toBeGreaterThan(100);
    const hits: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(join(REPO, f), 'utf8');
      } catch {
        continue; // listed but deleted in the work tree
      }
      for (const needle of OUTSIDE) if (text.includes(needle)) hits.push(`${f}: ${needle}`);
    }
    expect(hits).toEqual([]);
  });
});
