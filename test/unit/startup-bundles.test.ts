/**
 * Which of migobs' own bundles a command reads (issue: "nothing loaded that a command does not
 * use"). The parsing and checking stages are dist/heavy/checker.js, the generators
 * dist/heavy/generate-run.js: a pre-commit `generate` or `lint` whose definitions all come from
 * the result cache, with no config file, reads neither. Read from MIGOBS_CODE_CACHE_DEBUG's line
 * per bundle (bin/code-cache.js); no timings are asserted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migobs, REPO } from '../helpers/cli';

const EXAMPLE = readFileSync(join(REPO, 'examples', 'orders-region-backfill.yaml'), 'utf8');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'migobs-bundles-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh folder holding the example as def.yaml, with its own result cache. */
function project(name: string): { cwd: string; env: Record<string, string> } {
  const cwd = mkdtempSync(join(dir, `${name}-`));
  writeFileSync(join(cwd, 'def.yaml'), EXAMPLE);
  return { cwd, env: { MIGOBS_CACHE_DIR: join(cwd, 'cache'), MIGOBS_NO_CACHE: '' } };
}

/** A run in `p`: its exit code, stdout, stderr without the code cache's lines, and the bundles under dist/ it read (e.g. `commands/generate.js`). */
function runIn(p: { cwd: string; env: Record<string, string> }, args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string; bundles: string[] } {
  const r = migobs(args, { cwd: p.cwd, env: { ...p.env, MIGOBS_CODE_CACHE_DEBUG: '1', ...env } });
  const bundles = [...r.stderr.matchAll(/^code-cache: (\S+\.js): /gm)].map((m) => m[1]!);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr.replace(/^code-cache: .*\n/gm, ''), bundles };
}

/** The bundles a successful run read. */
function bundlesOf(args: string[], p: { cwd: string; env: Record<string, string> }, env: Record<string, string> = {}): string[] {
  const r = runIn(p, args, env);
  expect(r.code, r.stderr).toBe(0);
  return r.bundles;
}

const CHECKER = 'heavy/checker.js';
const GENERATORS = 'heavy/generate-run.js';

describe("migobs' bundles a command reads", () => {
  it('generate: the checker and generators the first time; neither when the output and the result cache are current', () => {
    const p = project('generate');
    const first = bundlesOf(['generate', 'def.yaml', '-q'], p);
    expect(first).toEqual(expect.arrayContaining(['cli.js', 'commands/generate.js', CHECKER, GENERATORS]));
    const again = bundlesOf(['generate', 'def.yaml', '-q'], p);
    expect(again).toEqual(['cli.js', 'commands/generate.js']);
    // --check the same way: it compares hashes.
    expect(bundlesOf(['generate', 'def.yaml', '--check'], p)).toEqual(['cli.js', 'commands/generate.js']);
  });

  it('generate: the checker, not the generators, when a definition must be parsed for its output to be known current', () => {
    const p = project('parse');
    bundlesOf(['generate', 'def.yaml', '-q'], p);
    // Without the result cache every definition is parsed again.
    const noCache = bundlesOf(['generate', 'def.yaml', '-q'], p, { MIGOBS_NO_CACHE: '1' });
    expect(noCache).toContain(CHECKER);
    expect(noCache).not.toContain(GENERATORS);
    // An edit that changes no output (a comment) misses the cache: parsed, not generated.
    writeFileSync(join(p.cwd, 'def.yaml'), `# reviewed\n${EXAMPLE}`);
    const edited = bundlesOf(['generate', 'def.yaml', '-q'], p);
    expect(edited).toContain(CHECKER);
    expect(edited).not.toContain(GENERATORS);
  });

  it('generate: a config file is parsed the first time, then its check comes from the result cache too', () => {
    const p = project('config');
    writeFileSync(join(p.cwd, 'migobs.config.yaml'), 'outDir: generated\n');
    expect(bundlesOf(['generate', 'def.yaml', '-q'], p)).toContain(CHECKER);
    expect(bundlesOf(['generate', 'def.yaml', '-q'], p)).toEqual(['cli.js', 'commands/generate.js']);
    // Its settings apply from the cache as from the file.
    const r = runIn(p, ['generate', 'def.yaml', '--check']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('in generated are up to date (config: migobs.config.yaml)');
    // Without the cache, or with other bytes, it is parsed again.
    expect(bundlesOf(['generate', 'def.yaml', '-q'], p, { MIGOBS_NO_CACHE: '1' })).toContain(CHECKER);
    writeFileSync(join(p.cwd, 'migobs.config.yaml'), 'outDir: generated # same place\n');
    expect(bundlesOf(['generate', 'def.yaml', '-q'], p)).toContain(CHECKER);
  });

  it('generate: a config file\'s problems are reported the same from the result cache as from the parser', () => {
    const p = project('config-problem');
    writeFileSync(join(p.cwd, 'migobs.config.yaml'), 'outDir: generated\nfolders: Migrations\n');
    const first = runIn(p, ['generate', 'def.yaml']);
    const again = runIn(p, ['generate', 'def.yaml']);
    expect(first.bundles).toContain(CHECKER);
    expect(again.bundles).not.toContain(CHECKER);
    expect(first.stderr).toContain('migobs.config.yaml:2:1: unknown key `folders` in migobs.config.yaml (did you mean `folder`?)');
    expect(again.stderr).toBe(first.stderr);
    expect([first.code, again.code]).toEqual([1, 1]);
  });

  it('lint: the checker (parser and checks) only when a definition misses the result cache', () => {
    const p = project('lint');
    expect(bundlesOf(['lint', 'def.yaml'], p)).toContain(CHECKER);
    expect(bundlesOf(['lint', 'def.yaml'], p)).toEqual(['cli.js', 'commands/lint.js']);
  });

  it('lint with a config file: the same findings, pointing into the config, from the result cache', () => {
    const p = project('lint-config');
    // No grafanaUrl or runbookBaseUrl: relative-link reports at the config file.
    writeFileSync(join(p.cwd, 'migobs.config.yaml'), 'outDir: generated\n');
    const run = (): { stdout: string; bundles: string[] } => {
      const r = runIn(p, ['lint', 'def.yaml']);
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    const first = run();
    const again = run();
    expect(first.bundles).toContain(CHECKER);
    expect(again.bundles).toEqual(['cli.js', 'commands/lint.js']);
    expect(first.stdout).toMatch(/^migobs\.config\.yaml:1:1: warning: .*\[relative-link\]$/m);
    expect(again.stdout).toBe(first.stdout);
    // Another config: linted again, its findings its own.
    writeFileSync(join(p.cwd, 'migobs.config.yaml'), 'outDir: generated\ngrafanaUrl: https://grafana.acme-corp.net\nrunbookBaseUrl: https://git.acme-corp.net/obs/blob/main/generated\n');
    const edited = run();
    expect(edited.bundles).toContain(CHECKER);
    expect(edited.stdout).not.toContain('[relative-link]');
  });
});
