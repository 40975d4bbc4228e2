/**
 * scripts/ci/migobs-check.sh (the logic of action.yml and of the migobs-check pre-commit hook), run
 * for real in a temporary git repository (no network): migobs is the built CLI, promtool the real
 * one. A clean change passes; a broken or drifted definition fails with GitHub annotations that
 * point at the definition (file, line, column) or at the stale output file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILES } from '../../src/generate/names';
import { BIN, REPO } from '../helpers/cli';

const SCRIPT = join(REPO, 'scripts', 'ci', 'migobs-check.sh');
const DEF = 'migrations/orders-region-backfill.yaml';
const ID = 'orders-region-backfill';
const root = mkdtempSync(join(tmpdir(), 'migobs-ci-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: root };

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...GIT_ENV, NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
const git = (cwd: string, ...args: string[]): string => {
  const r = run('git', args, cwd);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.out}`);
  return r.out;
};
const generate = (cwd: string): void => {
  const r = run(process.execPath, [BIN, 'generate', DEF, '--out-dir', 'out', '--quiet'], cwd);
  if (r.code !== 0) throw new Error(r.out);
};

/** A repository with one migration and its committed output on `main`, checked out on a branch. */
function repo(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'migrations'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  copyFileSync(join(REPO, 'examples', 'orders-region-backfill.yaml'), join(dir, DEF));
  generate(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'orders-region-backfill');
  git(dir, 'checkout', '-q', '-b', 'change');
  return dir;
}
const edit = (dir: string, from: string, to: string): void => {
  const text = readFileSync(join(dir, DEF), 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(dir, DEF), text.replace(from, to));
};
const commit = (dir: string): void => {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'change');
};
const check = (dir: string, args: string[] = [], env: Record<string, string> = {}) =>
  run('bash', [SCRIPT, ...args], dir, { GITHUB_ACTIONS: 'true', MIGOBS_BASE_REF: 'main', MIGOBS_BIN: `${process.execPath} ${BIN}`, ...env });

describe('scripts/ci/migobs-check.sh', () => {
  beforeAll(() => {
    expect(run('git', ['--version'], root).code).toBe(0);
  });

  it('passes on a clean change (definition changed and output regenerated), running the generated promtool tests', () => {
    const dir = repo('clean');
    edit(dir, 'title: Backfill orders.region from customers', 'title: Backfill orders.region from the customers table');
    generate(dir);
    commit(dir);
    const r = check(dir);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('::group::migobs validate (1 changed definition(s))');
    expect(r.out).toMatch(new RegExp(`${ID}: .*SUCCESS`));
    expect(r.out).toContain('migobs-check: ok');
    expect(r.out).not.toContain('::error');
  }, 300_000);

  it('fails on a broken definition with an annotation at its file, line and column', () => {
    const dir = repo('broken');
    edit(dir, 'rollback: 60', 'rollback: 5');
    commit(dir);
    const r = check(dir);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(new RegExp(`::error file=${DEF.replace('.', '\\.')},line=\\d+,col=\\d+::gate \`replication-lag\`: rollback \\(5\\) must be greater than pause \\(10\\)`));
    expect(r.out).toContain('migobs-check: FAILED');
  }, 300_000);

  it('fails on drift (definition changed, output not regenerated) with annotations on the stale files', () => {
    const dir = repo('drifted');
    edit(dir, 'pause: 10', 'pause: 12');
    commit(dir);
    const r = check(dir);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`::error file=out/${FILES.rules(ID)}::stale`);
    // lint's drift check annotates too, in lint's own github format.
    expect(r.out).toMatch(/::(error|warning) file=/);
  }, 300_000);

  it('skips validate, lint and the promtool tests when no definition changed, but still checks the output', () => {
    const dir = repo('unrelated');
    writeFileSync(join(dir, 'README.md'), 'notes\n');
    commit(dir);
    const r = check(dir);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('no definition changed');
    expect(r.out).toContain('::group::migobs generate --check');
  }, 300_000);

  it('as a pre-commit hook (file arguments, not in CI): plain file:line:col lines, no workflow commands', () => {
    const dir = repo('precommit');
    edit(dir, 'rollback: 60', 'rollback: 5');
    const r = check(dir, [DEF], { GITHUB_ACTIONS: '', MIGOBS_BASE_REF: '' });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(new RegExp(`${DEF.replace('.', '\\.')}:\\d+:\\d+: error: gate \`replication-lag\``));
    expect(r.out).not.toContain('::error');
  }, 300_000);

  it('action.yml runs this script; .pre-commit-hooks.yaml names it', () => {
    const action = readFileSync(join(REPO, 'action.yml'), 'utf8');
    expect(action).toContain('using: composite');
    expect(action).toContain('$GITHUB_ACTION_PATH/scripts/ci/migobs-check.sh');
    expect(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')).toContain('entry: scripts/ci/migobs-check.sh');
  });
});
