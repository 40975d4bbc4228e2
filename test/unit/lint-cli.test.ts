/** `migobs lint` as a real process: formats, exit codes and --fail-on (needs `node scripts/build.mjs`). */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migobs, REPO } from '../helpers/cli';

const SEEDED = 'test/fixtures/lint/seeded.yaml';
/** Real hosts for both alert links, so relative-link stays out of the tables below (it has its own test). */
const CONFIG = ['--config', 'test/fixtures/lint/relative-link/absolute.config.yaml'];
// The seeded problems: [line, column, severity, check].
const EXPECTED: Array<[number, number, 'error' | 'warning' | 'info', string]> = [
  [12, 20, 'info', 'unknown-metric'],
  [15, 12, 'warning', 'for-too-short'],
];

describe('migobs lint (CLI)', () => {
  it('text: one `file:line:col: severity: message (hint) [check]` line per finding, summary on stderr', () => {
    const r = migobs(['lint', SEEDED, ...CONFIG]);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(EXPECTED.length);
    lines.forEach((line, i) => {
      const [l, c, sev, check] = EXPECTED[i]!;
      expect(line).toMatch(new RegExp(`^${SEEDED.replace(/\./g, '\\.')}:${l}:${c}: ${sev}: .+ \\(.+\\) \\[${check}\\]$`));
    });
    expect(r.stderr).toContain('1 migration(s) linted: 0 errors, 1 warning, 1 info');
    expect(r.code).toBe(0);
  });

  it('json: an array of {file, line, column, severity, check, message, hint}', () => {
    const r = migobs(['lint', SEEDED, '--format', 'json', ...CONFIG]);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((d) => [d.line, d.column, d.severity, d.check])).toEqual(EXPECTED);
    for (const d of rows) {
      expect(d.file).toBe(SEEDED);
      expect(typeof d.message).toBe('string');
      expect(typeof d.hint).toBe('string');
    }
    expect(r.code).toBe(0);
  });

  it('github: ::error/::warning/::notice workflow commands', () => {
    const r = migobs(['lint', SEEDED, '--format', 'github', ...CONFIG]);
    const lines = r.stdout.trimEnd().split('\n');
    const level = { error: 'error', warning: 'warning', info: 'notice' };
    expect(lines.map((l) => l.replace(/::(?!.*::).*$/, ''))).toEqual(EXPECTED.map(([l, c, sev]) => `::${level[sev]} file=${SEEDED},line=${l},col=${c}`));
    lines.forEach((l, i) => expect(l).toMatch(new RegExp(`\\[${EXPECTED[i]![3]}\\]$`)));
    expect(r.code).toBe(0);
  });

  it.each<[string, string[], number]>([
    ['seeded.yaml', [], 0],
    ['seeded.yaml', ['--fail-on', 'warning'], 1],
    ['warning-only.yaml', [], 0],
    ['warning-only.yaml', ['--fail-on', 'error'], 0],
    ['warning-only.yaml', ['--fail-on', 'warning'], 1],
    ['info-only.yaml', ['--fail-on', 'warning'], 0],
    ['info-only.yaml', ['--fail-on', 'info'], 1],
    ['clean.yaml', ['--fail-on', 'info'], 0],
  ])('%s %j exits %i', (file, args, code) => {
    const r = migobs(['lint', `test/fixtures/lint/${file}`, ...args, ...CONFIG]);
    expect(r.code, r.stdout + r.stderr).toBe(code);
  });

  it('an invalid definition: validation problems are printed, lint does not run, exit 1', () => {
    const r = migobs(['lint', 'test/fixtures/lint/invalid.yaml', 'test/fixtures/lint/warning-only.yaml', '--format', 'json']);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((d) => [d.file, d.line, d.check])).toEqual([['test/fixtures/lint/invalid.yaml', 13, 'threshold-order']]);
    expect(r.stderr).toContain('lint did not run');
    expect(r.code).toBe(1);
  });

  it('exits 0 on the shipped examples', () => {
    const examples = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`);
    expect(examples.length).toBeGreaterThan(0);
    const r = migobs(['lint', ...examples, ...CONFIG]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/: (error|warning): /);
  });

  it('relative-link: without grafanaUrl/runbookBaseUrl each example warns twice (runbook_url, dashboard_url), and still exits 0', () => {
    const examples = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`);
    const r = migobs(['lint', ...examples, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ file: string; check: string; severity: string; message: string }>;
    const links = rows.filter((d) => d.check === 'relative-link');
    expect(links).toHaveLength(2 * examples.length);
    for (const f of examples) expect(links.filter((d) => d.file === f).map((d) => d.message.match(/`(runbook_url|dashboard_url)`/)![1]).sort()).toEqual(['dashboard_url', 'runbook_url']);
    expect(new Set(links.map((d) => d.severity))).toEqual(new Set(['warning']));
  });

  it('refuses an unknown --format or --fail-on', () => {
    expect(migobs(['lint', SEEDED, '--format', 'xml']).code).toBe(1);
    expect(migobs(['lint', SEEDED, '--fail-on', 'fatal']).code).toBe(1);
  });
});
