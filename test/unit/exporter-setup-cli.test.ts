/**
 * `migobs exporter-setup <engine> [--out DIR] [--force] [--json]` as a user runs it (the built CLI):
 * what it writes (all or nothing, refusing to replace a changed file without --force), what it
 * prints, and that the printed scrape config is one `promtool check config` accepts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migobs, REPO } from '../helpers/cli';
import { runTool } from '../helpers/tools';

let dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'migobs-exporter-setup-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const shipped = (engine: string, name: string): Buffer => readFileSync(join(REPO, 'exporters', engine, name));
const STACK = /\n\s+at .+:\d+:\d+\)?\n/;

/** The YAML the text output prints after its Prometheus step, up to the first blank line. */
function scrapeSnippet(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.indexOf('scrape_configs:');
  expect(start, stdout).toBeGreaterThan(0);
  const end = lines.indexOf('', start);
  return `${lines.slice(start, end).join('\n')}\n`;
}

describe('migobs exporter-setup', () => {
  it.each([
    ['postgres', ['migration-queries.yaml', 'exporter-role.sql']],
    ['mysql', ['exporter-grants.mariadb.sql', 'exporter-grants.sql', 'heartbeat.sql']],
  ])('%s --out DIR writes the shipped files byte for byte and points the printed commands at them', (engine, names) => {
    const out = join(tempDir(), 'exporters');
    const r = migobs(['exporter-setup', engine, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([...names].sort());
    for (const n of names) expect(readFileSync(join(out, n)), n).toEqual(shipped(engine, n));
    for (const n of names) expect(r.stdout).toContain(`wrote     ${join(out, n)}`);
    if (engine === 'postgres') {
      expect(r.stdout).toContain(`--extend.query-path=${join(out, 'migration-queries.yaml')}`);
      expect(r.stdout).toContain("DATA_SOURCE_NAME='postgresql://postgres_exporter:<password>@<host>:5432/<database>?sslmode=require&lock_timeout=2000'");
      expect(r.stdout).toContain(`-f ${join(out, 'exporter-role.sql')}`);
    } else {
      for (const flag of ['--collect.heartbeat', '--collect.heartbeat.utc', '--collect.info_schema.processlist', '--collect.info_schema.innodb_metrics', '--collect.binlog_size']) {
        expect(r.stdout).toMatch(new RegExp(`^ +${flag.replace(/\./g, '\\.')}( \\\\)?$`, 'm'));
      }
      expect(r.stdout).toContain(`mysql < ${join(out, 'heartbeat.sql')}`);
      expect(r.stdout).toContain('pt-heartbeat --update --utc');
    }
    expect(r.stdout).toContain('prometheus-node-exporter');
  });

  it.each(['postgres', 'mysql', 'generic'])('%s: the printed scrape_configs pass promtool check config', (engine) => {
    const r = migobs(['exporter-setup', engine]);
    expect(r.code, r.stderr).toBe(0);
    const dir = tempDir();
    writeFileSync(join(dir, 'prometheus.yml'), scrapeSnippet(r.stdout));
    const check = runTool('promtool', ['check', 'config', 'prometheus.yml'], { cwd: dir });
    expect(check.code, `${check.stdout}${check.stderr}`).toBe(0);
    expect(scrapeSnippet(r.stdout)).toContain(engine === 'generic' ? 'job_name: node' : `job_name: ${engine}`);
  });

  it('without --out writes nothing and names the files inside the installed package', () => {
    const cwd = tempDir();
    const r = migobs(['exporter-setup', 'postgres'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
    expect(r.stdout).toContain(`--extend.query-path=${join(REPO, 'exporters', 'postgres', 'migration-queries.yaml')}`);
  });

  it('a second run over the same files reports them unchanged', () => {
    const out = tempDir();
    expect(migobs(['exporter-setup', 'postgres', '--out', out]).code).toBe(0);
    const r = migobs(['exporter-setup', 'postgres', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`unchanged ${join(out, 'migration-queries.yaml')}`);
  });

  it('refuses to replace a file that differs, writes nothing at all, and replaces it with --force', () => {
    const out = tempDir();
    writeFileSync(join(out, 'migration-queries.yaml'), '# my local edits\n');
    const r = migobs(['exporter-setup', 'postgres', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/migration-queries\.yaml exists and differs from the file migobs ships; nothing was written\. Pass --force/);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stdout).toBe('');
    expect(readdirSync(out)).toEqual(['migration-queries.yaml']); // exporter-role.sql was not written either
    expect(readFileSync(join(out, 'migration-queries.yaml'), 'utf8')).toBe('# my local edits\n');
    const forced = migobs(['exporter-setup', 'postgres', '--out', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`replaced  ${join(out, 'migration-queries.yaml')}`);
    expect(readFileSync(join(out, 'migration-queries.yaml'))).toEqual(shipped('postgres', 'migration-queries.yaml'));
    expect(readdirSync(out).filter((f) => f.startsWith('.migobs-tmp-'))).toEqual([]);
  });

  it.each([
    [['exporter-setup', 'postgress'], /unknown engine `postgress` \(did you mean `postgres`\?\); choose one of postgres, mysql, generic/],
    [['exporter-setup', 'oracle'], /unknown engine `oracle`; choose one of postgres, mysql, generic/],
    [['exporter-setup', 'postgres', '--force'], /--force only applies with --out DIR/],
    [['exporter-setup'], /missing required argument 'engine'/],
  ])('bad input %j: a clear message, exit 1, no stack trace', (args, message) => {
    const cwd = tempDir();
    const r = migobs(args as string[], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--out naming a file: refused, the file untouched', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const r = migobs(['exporter-setup', 'mysql', '--out', join(dir, 'not-a-folder')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is a file, not a folder/);
    expect(readFileSync(join(dir, 'not-a-folder'), 'utf8')).toBe('x');
  });

  it('generic: no files, node_exporter only', () => {
    const out = tempDir();
    const r = migobs(['exporter-setup', 'generic', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { files: unknown[]; exporters: Array<{ name: string }> };
    expect(j.files).toEqual([]);
    expect(j.exporters.map((e) => e.name)).toEqual(['node_exporter']);
    expect(readdirSync(out)).toEqual([]);
  });

  it('--json lists each flag with the signals that need it', () => {
    const r = migobs(['exporter-setup', 'mysql', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { exporters: Array<{ name: string; flags: Array<{ flag: string; neededBy: string[] }>; commandLine: string }> };
    const mysqld = j.exporters.find((e) => e.name === 'mysqld_exporter')!;
    const needed = Object.fromEntries(mysqld.flags.map((f) => [f.flag, f.neededBy]));
    expect(needed['--collect.heartbeat']).toEqual(['replicationLag']);
    expect(needed['--collect.info_schema.processlist']).toEqual(expect.arrayContaining(['lockWaitSessions', 'lockWaitSeconds', 'longestTransactionSeconds']));
    expect(mysqld.commandLine).toMatch(/^DATA_SOURCE_NAME='mysqld_exporter:<password>@\(<host>:3306\)\/' \\\n {2}prometheus-mysqld-exporter \\\n/);
  });
});
