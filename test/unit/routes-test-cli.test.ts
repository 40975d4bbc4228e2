/**
 * `migobs routes-test` as a real process against amtool: generated cases pass on the merged
 * config, a wrong route fails, and nothing in a routing-cases file ever reaches a shell. The
 * hostile receiver `pd-$(touch <canary>)` is refused by validate; written by hand into a base and a
 * cases file, it is passed to amtool as data and the canary file is never created.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILES } from '../../src/generate/names';
import { shQuoteAll } from '../../src/render/shell';
import { migobs, REPO } from '../helpers/cli';

const BASE = join(REPO, 'test/fixtures/alertmanager/base.yml');
const EXAMPLE = join(REPO, 'examples/orders-region-backfill.yaml');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'migobs-routes-test-'));

/** Merged config and generated routing cases of the example, in a temp dir. */
function generated(): { dir: string; merged: string; cases: string } {
  const dir = tmp();
  const merged = join(dir, 'alertmanager.yml');
  const m = migobs(['alertmanager', '--base', BASE, EXAMPLE]);
  expect(m.code).toBe(0);
  writeFileSync(merged, m.stdout);
  expect(migobs(['generate', EXAMPLE, '--out-dir', join(dir, 'out'), '-q']).code).toBe(0);
  const cases = join(dir, 'out', FILES.alertmanagerTest('orders-region-backfill'));
  expect(existsSync(cases), `routing cases at ${cases}`).toBe(true);
  return { dir, merged, cases };
}

describe('migobs routes-test', () => {
  it('every generated case routes as expected on the merged config: exit 0, one ok line per case', () => {
    const { merged, cases } = generated();
    const r = migobs(['routes-test', merged, cases], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('27 cases, 0 failed');
    expect(lines.slice(0, -1).every((l) => l.startsWith('ok    '))).toBe(true);
    expect(lines[1]).toContain(`${cases}:9  {alertname="MigrationGateRollback" migration_id="orders-region-backfill" gate="replication-lag"`);
  });

  it('a case the config routes elsewhere: FAIL with expected and actual receiver, exit 1', () => {
    const { dir, merged } = generated();
    const cases = join(dir, 'cases.txt');
    writeFileSync(cases, `${shQuoteAll(['--verify.receivers=pagerduty-orders', 'alertname="DiskFull"', 'team="dba"', 'severity="critical"'])}\n`);
    const r = migobs(['routes-test', merged, cases]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL  ${cases}:1  {alertname="DiskFull" team="dba" severity="critical"} -> expected pagerduty-orders, got dba-pager`);
    expect(r.stdout).toContain('1 case, 1 failed');
  });

  it.each([
    ['an unquoted command substitution', (canary: string) => `'--verify.receivers=x' 'a="b"' $(touch ${canary})`, 1, 32, 'expected a single-quoted word, found `$`'],
    ['a double-quoted word', () => `"--verify.receivers=x" 'a="b"'`, 1, 1, 'expected a single-quoted word, found `"`'],
    ['no receiver word', () => `'a="b"'`, 1, 1, "expected '--verify.receivers=<receiver>' as the first word"],
    ['a label that is not name="value"', () => `'--verify.receivers=x' 'a=b'`, 1, 1, 'bad label `a=b`'],
  ])('a malformed file (%s): file:line:col, exit 1, no case run, nothing executed', (_n, line, lineNo, col, message) => {
    const dir = tmp();
    const canary = join(dir, 'canary');
    const cases = join(dir, 'cases.txt');
    writeFileSync(cases, `# comment\n\n${line(canary)}\n`.replace('\n\n', '\n'));
    const r = migobs(['routes-test', BASE, cases]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${cases}:${lineNo + 1}:${col}: ${message}`);
    expect(existsSync(canary)).toBe(false);
  });

  it('the hostile receiver `pd-$(touch <canary>)`: refused by validate, and passed to amtool as data by routes-test', () => {
    const dir = tmp();
    const canary = join(dir, 'canary');
    const hostile = `pd-$(touch ${canary})`;
    // 1. A definition naming it is refused, located at the name.
    const def = join(dir, 'orders.yaml');
    const text = readFileSync(EXAMPLE, 'utf8').replace('page: pagerduty-orders', `page: '${hostile}'`);
    writeFileSync(def, text);
    const v = migobs(['validate', def]);
    expect(v.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes(hostile));
    expect(v.stderr).toContain(`${def}:${line + 1}:${text.split('\n')[line]!.indexOf("'pd-") + 1}: spec.routing.page: receiver name contains \`$\``);
    expect(migobs(['generate', def, '--out-dir', join(dir, 'out')]).code).toBe(1);
    expect(existsSync(join(dir, 'out'))).toBe(false);

    // 2. A base that defines it (a name is a name to Alertmanager) and a hand-written case for it.
    const base = join(dir, 'alertmanager.yml');
    writeFileSync(base, `route:\n  receiver: default\n  routes:\n    - receiver: '${hostile}'\n      matchers: [team="x"]\nreceivers:\n  - name: default\n  - name: '${hostile}'\n`);
    const cases = join(dir, 'cases.txt');
    writeFileSync(cases, `${shQuoteAll([`--verify.receivers=${hostile}`, 'alertname="X"', 'team="x"'])}\n${shQuoteAll(['--verify.receivers=default', `alertname="${hostile}"`])}\n`);
    const r = migobs(['routes-test', base, cases]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('2 cases, 0 failed');
    expect(r.code).toBe(0);
    expect(existsSync(canary)).toBe(false);
  });

  it('amtool missing: a clear message, exit 1', () => {
    const { merged, cases } = generated();
    const r = migobs(['routes-test', merged, cases, '--amtool', '/nonexistent/amtool']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/amtool not found: install Alertmanager');
  });

  it('a config amtool refuses: said once, exit 1, no case run', () => {
    const { dir, cases } = generated();
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'route:\n  receiver: nope\nreceivers: [{name: other}]\n');
    const r = migobs(['routes-test', bad, cases]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/amtool does not accept .*bad\.yml: undefined receiver "nope" used in route/);
  });
});
