/** The core commands as a user runs them: init, validate, presets, schema. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, MIGRATION_TYPES } from '../../src/definition/types';
import { migobs, REPO } from '../helpers/cli';

describe('migobs init', () => {
  it.each(MIGRATION_TYPES.flatMap((t) => ENGINES.map((e) => [t, e])))('init --type %s --engine %s writes a definition that validates', (type, engine) => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-init-'));
    const out = join(dir, 'm.yaml');
    const r = migobs(['init', 'x-migration', '--type', type, '--engine', engine, '--out', out], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('# yaml-language-server: $schema=');
    expect(text).toMatch(/^ *# /m); // commented
    const v = migobs(['validate', out], { cwd: dir });
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  });

  it('refuses to overwrite without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-init-'));
    const out = join(dir, 'm.yaml');
    writeFileSync(out, 'mine\n');
    const r = migobs(['init', 'x', '--type', 'backfill', '--out', out], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${out} already exists; pass --force to overwrite it`);
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
    expect(migobs(['init', 'x', '--type', 'backfill', '--out', out, '--force'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('apiVersion: migobs/v1');
  });

  it.each([
    [['init', 'Bad_Id', '--type', 'backfill'], 'invalid migration id `Bad_Id`'],
    [['init', 'x', '--type', 'backfil'], 'unknown --type `backfil` (did you mean `backfill`?)'],
    [['init', 'x', '--type', 'backfill', '--engine', 'mysq'], 'unknown --engine `mysq` (did you mean `mysql`?)'],
  ])('rejects %j', (args, message) => {
    const r = migobs(args as string[], { cwd: mkdtempSync(join(tmpdir(), 'migobs-init-')) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes spec.targets with CHANGE-ME placeholders for what the preset gates read; validate passes, lint warns until they are replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-init-'));
    const out = join(dir, 'm.yaml');
    expect(migobs(['init', 'x-migration', '--type', 'backfill', '--engine', 'mysql', '--out', out], { cwd: dir }).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('  targets:\n');
    expect(text).toContain('database: instance="CHANGE-ME-primary:9104"');
    expect(text).toContain('selector: instance=~"CHANGE-ME-replica-1:9104|CHANGE-ME-replica-2:9104"\n      count: 2');
    expect(text).toMatch(/# The systems the library signals read/);
    expect(text).toMatch(/reads: spec\.targets\.replicas \(one series per replica: checked against its count\)/);
    expect(migobs(['validate', out]).code).toBe(0);
    const lint = migobs(['lint', out, '--fail-on', 'warning']);
    expect(lint.code).toBe(1);
    expect(lint.stdout + lint.stderr).toContain('spec.targets.database is still the `CHANGE-ME` placeholder');
  });

  it('writes migrations/<id>.yaml by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-init-'));
    expect(migobs(['init', 'orders-x', '--type', 'cutover', '--engine', 'mysql'], { cwd: dir }).code).toBe(0);
    const written = readFileSync(join(dir, 'migrations', 'orders-x.yaml'), 'utf8');
    expect(written).toContain('type: cutover');
    expect(written.split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/migration-observability/schema/migration.schema.json');
  });

  it('writes migobs.config.yaml in the current folder with both link keys as commented placeholders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-init-'));
    const r = migobs(['init', 'orders-x', '--type', 'backfill'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote migobs.config.yaml: replace the placeholder grafanaUrl and runbookBaseUrl');
    const text = readFileSync(join(dir, 'migobs.config.yaml'), 'utf8');
    expect(parse(text)).toEqual({ grafanaUrl: 'https://grafana.example.com', runbookBaseUrl: 'https://git.example.com/your-org/observability/blob/main/out' });
    expect(text).toMatch(/^# .*\n(# .*\n)*/);
    expect(text).toMatch(/# your Grafana's base URL.*\ngrafanaUrl: /);
    expect(text).toMatch(/# where the folder `migobs generate` writes[\s\S]*\nrunbookBaseUrl: /);
    // The placeholders are valid config, and lint points at each of them until they are replaced.
    const lint = migobs(['lint', 'migrations/orders-x.yaml', '--format', 'json'], { cwd: dir });
    expect(lint.code, lint.stderr).toBe(0);
    const links = (JSON.parse(lint.stdout) as Array<{ file: string; line: number; check: string; message: string }>).filter((d) => d.check === 'relative-link');
    const lineOf = (key: string): number => text.split('\n').findIndex((l) => l.startsWith(`${key}:`)) + 1;
    expect(links.map((d) => [d.file, d.line]).sort()).toEqual([['migobs.config.yaml', lineOf('grafanaUrl')], ['migobs.config.yaml', lineOf('runbookBaseUrl')]].sort());
    expect(links.every((d) => d.message.includes('placeholder'))).toBe(true);
  });

  it('never overwrites an existing migobs.config.yaml, not even with --force, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-init-'));
    writeFileSync(join(dir, 'migobs.config.yaml'), 'grafanaUrl: https://grafana.acme-corp.io\n');
    const r = migobs(['init', 'orders-x', '--type', 'backfill', '--force'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kept migobs.config.yaml (it exists; init never overwrites it)');
    expect(readFileSync(join(dir, 'migobs.config.yaml'), 'utf8')).toBe('grafanaUrl: https://grafana.acme-corp.io\n');
  });

  it('--config FILE: writes the config there instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-init-'));
    const r = migobs(['--config', 'ops/migobs.yaml', 'init', 'orders-x', '--type', 'backfill'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote ops/migobs.yaml:');
    expect(parse(readFileSync(join(dir, 'ops', 'migobs.yaml'), 'utf8'))).toHaveProperty('grafanaUrl');
  });
});

describe('migobs presets / schema / validate', () => {
  it('lists the six presets', () => {
    const r = migobs(['presets']);
    expect(r.code).toBe(0);
    for (const t of MIGRATION_TYPES) expect(r.stdout).toMatch(new RegExp(`^${t}\\s`, 'm'));
  });

  it('presets backfill shows its phases and gates', () => {
    const r = migobs(['presets', 'backfill']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Gates');
    expect(r.stdout).toMatch(/^replication-lag\s+replicationLag\s+above\s+\d/m);
    // Which spec.targets entry each signal reads.
    expect(migobs(['presets', 'backfill', '--engine', 'mysql']).stdout).toMatch(/^replicationLag\s+s\s+targets\.replicas \(1 series per replica\)\s+max\(max by \(instance\)/m);
    expect(r.stdout).toMatch(/^2\. canary  Canary$/m);
    expect(r.stdout).toMatch(/^     proceed when: /m);
  });

  it('presets with an unknown type is a clear error', () => {
    const r = migobs(['presets', 'backfil']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown preset `backfil` (did you mean `backfill`?)');
  });

  it('schema prints the JSON Schema', () => {
    const r = migobs(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });

  it('validate examples/*.yaml exits 0', () => {
    const examples = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`);
    expect(examples).toContain('examples/orders-region-backfill.yaml');
    const r = migobs(['validate', ...examples]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('honours NO_COLOR and colours only a TTY', () => {
    const r = migobs(['validate', 'test/fixtures/invalid/engine-typo.yaml'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(r.stderr).not.toContain('\u001b[');
    const c = migobs(['validate', 'test/fixtures/invalid/engine-typo.yaml'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(c.stderr).toContain('\u001b[31m');
  });
});
