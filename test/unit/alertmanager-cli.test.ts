/** `migobs alertmanager --base <file> <definitions...>` as a real process, checked with amtool. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRouteCases, amtoolRouteArgs } from '../../src/generate/alertmanager';
import { migobs, REPO } from '../helpers/cli';
import { runTool } from '../helpers/tools';

const BASE = 'test/fixtures/alertmanager/base.yml';
const EXAMPLE = 'examples/orders-region-backfill.yaml';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'migobs-am-cli-'));

describe('migobs alertmanager', () => {
  it('prints a merged config that amtool accepts and that routes every generated case', () => {
    const r = migobs(['alertmanager', '--base', BASE, EXAMPLE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dir = tmp();
    const merged = join(dir, 'alertmanager.yml');
    writeFileSync(merged, r.stdout);
    expect(runTool('amtool', ['check-config', merged]).code).toBe(0);

    const gen = migobs(['generate', EXAMPLE, '--out-dir', join(dir, 'out'), '-q']);
    expect(gen.code).toBe(0);
    const cases = parseRouteCases(readFileSync(join(dir, 'out/orders-region-backfill/alertmanager.test.txt'), 'utf8'));
    expect(cases.length).toBeGreaterThan(3);
    for (const c of cases) expect(runTool('amtool', ['config', 'routes', 'test', `--config.file=${merged}`, ...amtoolRouteArgs(c)]).code).toBe(0);
  });

  it('is idempotent: merging into its own output prints the same bytes', () => {
    const first = migobs(['alertmanager', '--base', BASE, EXAMPLE]);
    const file = join(tmp(), 'merged.yml');
    writeFileSync(file, first.stdout);
    const again = migobs(['alertmanager', '--base', file, EXAMPLE]);
    expect(again.code).toBe(0);
    // Only the header names a different base file.
    const body = (t: string): string => t.split('\n').slice(2).join('\n');
    expect(body(again.stdout)).toBe(body(first.stdout));
  });

  it('an unknown receiver: exit 1, file:line:col of the routing key, nothing on stdout', () => {
    const text = readFileSync(join(REPO, EXAMPLE), 'utf8').replace('page: pagerduty-orders', 'page: pagerduty-nope');
    expect(text).toContain('pagerduty-nope');
    const def = join(tmp(), 'orders.yaml');
    writeFileSync(def, text);
    const line = text.split('\n').findIndex((l) => l.includes('pagerduty-nope'));
    const col = text.split('\n')[line]!.indexOf('pagerduty-nope') + 1;
    const r = migobs(['alertmanager', '--base', BASE, def]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${def}:${line + 1}:${col}: receiver \`pagerduty-nope\``);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it.each([
    ['missing base', '/nonexistent/alertmanager.yml', /alertmanager\.yml:1:1: base config not found/],
    ['base without receivers', 'inline:route:\n  receiver: x\n', /:1:1: the base config has no `receivers:` list/],
    ['base that is not YAML', 'inline:route:\n\treceiver: x\n', /:2:\d+: invalid YAML/],
  ])('%s: exit 1 with a clear message and nothing on stdout', (_n, base, message) => {
    let file = base;
    if (base.startsWith('inline:')) {
      file = join(tmp(), 'base.yml');
      writeFileSync(file, base.slice('inline:'.length));
    }
    const r = migobs(['alertmanager', '--base', file, EXAMPLE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('an invalid definition: exit 1, nothing on stdout', () => {
    const r = migobs(['alertmanager', '--base', BASE, 'test/fixtures/invalid/api-version.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/api-version\.yaml:\d+:\d+:/);
  });

  it('requires --base', () => {
    const r = migobs(['alertmanager', EXAMPLE]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--base/);
  });
});
