/** A directory argument reads the *.yaml and *.yml files directly in it, in name order; an empty one says so. */
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migobs } from '../helpers/cli';
import { DESIGN_EXAMPLE } from '../helpers/definitions';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migobs-dir-'));
  const text = readFileSync(DESIGN_EXAMPLE, 'utf8');
  writeFileSync(join(dir, 'b-second.yml'), text.replace('id: orders-region-backfill ', 'id: b-second '));
  writeFileSync(join(dir, 'a-first.yaml'), text.replace('id: orders-region-backfill ', 'id: a-first '));
  writeFileSync(join(dir, 'notes.txt'), 'not a definition');
  writeFileSync(join(dir, '.hidden.yaml'), 'not: read');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'nested.yaml'), 'not: read either');
  return dir;
}

describe('directory arguments', () => {
  it('validate reads the definitions directly in the folder, sorted, and nothing else', () => {
    const dir = folder();
    const r = migobs(['validate', '--json', dir]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { files: number; migrations: string[] };
    expect(out).toMatchObject({ files: 2, migrations: ['a-first', 'b-second'] });
  });

  it('a file named both directly and through its folder is read once', () => {
    const dir = folder();
    const r = migobs(['validate', dir, join(dir, 'a-first.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok: 2 definition(s) valid');
  });

  it('problems in a folder are located in its files', () => {
    const dir = folder();
    writeFileSync(join(dir, 'c-bad.yaml'), readFileSync(DESIGN_EXAMPLE, 'utf8').replace('      pause: 10 ', '      pause: 3s '));
    const r = migobs(['validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`${join(dir, 'c-bad.yaml')}:20:14: \`pause\` must be a number, got string "3s" (drop the unit \`s\` and write 3: thresholds are plain numbers in the signal's own unit; a ratio is 0..1)`);
  });

  it('an empty folder is an error that says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-empty-'));
    mkdirSync(join(dir, 'sub'));
    copyFileSync(DESIGN_EXAMPLE, join(dir, 'sub', 'x.yaml'));
    const r = migobs(['validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}:1:1: directory holds no *.yaml or *.yml files (migobs reads the definitions directly in a directory, not in its subfolders`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('lint and generate --check take folders too, and --help says how', () => {
    const dir = folder();
    expect(migobs(['lint', dir]).code).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'migobs-out-'));
    const g = migobs(['generate', dir, '--out-dir', out, '--quiet']);
    expect(g.code, g.stderr).toBe(0);
    expect(migobs(['generate', dir, '--out-dir', out, '--check']).code).toBe(0);
    for (const cmd of ['validate', 'generate', 'lint', 'alertmanager']) {
      expect(migobs([cmd, '--help']).stdout.replace(/\s+/g, ' ')).toContain('a directory reads the *.yaml and *.yml files directly in it (not subfolders), in name order');
    }
  });
});
