/**
 * The output layout loads as documented (docs/layout.md), with the real tools:
 * - docs/prometheus.yml, the exact file the docs show, passes `promtool check config` beside an
 *   output folder of three migrations, and a real Prometheus started with it loads every
 *   migration's rule groups from its one `rule_files` glob, and no promtool test file;
 * - the Grafana provisioning file has one file provider whose path is the dashboards folder (as
 *   grafanaDashboardsPath says), and every dashboard in that folder has its own uid. There is no
 *   Grafana server here: this checks the file against Grafana's provisioning format, not a load.
 * - docs/layout.md shows docs/prometheus.yml byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DIRS, FILES, RULES_GLOB } from '../../src/generate/names';
import { migobs, REPO } from '../helpers/cli';
import { Services } from '../helpers/services';
import { runTool } from '../helpers/tools';

const EXAMPLES = ['examples/orders-region-backfill.yaml', 'examples/checkout-cutover.yaml', 'examples/payments-dual-write.yaml'];
const IDS = ['orders-region-backfill', 'checkout-cutover', 'payments-dual-write'];
const DOCUMENTED = join(REPO, 'docs', 'prometheus.yml');

const services = new Services();
let work: string;

beforeAll(() => {
  work = services.tempDir('layout');
  // The documented setup: prometheus.yml beside out/.
  copyFileSync(DOCUMENTED, join(work, 'prometheus.yml'));
  // grafanaDashboardsPath: where Grafana sees out/grafana/dashboards (here: that very folder).
  writeFileSync(join(work, 'migobs.config.yaml'), `grafanaDashboardsPath: ${join(work, 'out', DIRS.dashboards)}\n`);
  const r = migobs(['generate', ...EXAMPLES.map((e) => join(REPO, e)), '--out-dir', 'out', '-q'], { cwd: work, timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
}, 180_000);
afterAll(() => services.stopAll());

describe('Prometheus loads every migration from the documented rule_files glob', () => {
  it('docs/prometheus.yml names the glob of names.ts, and docs/layout.md shows the file byte for byte', () => {
    const text = readFileSync(DOCUMENTED, 'utf8');
    expect((parse(text) as { rule_files: string[] }).rule_files).toEqual([`out/${RULES_GLOB}`]);
    const layout = readFileSync(join(REPO, 'docs', 'layout.md'), 'utf8');
    const shown = /<!-- prometheus-yml -->\n```yaml\n([\s\S]*?)```\n<!-- \/prometheus-yml -->/.exec(layout);
    expect(shown, 'docs/layout.md has a <!-- prometheus-yml --> block').not.toBeNull();
    expect(shown![1]).toBe(text);
  });

  it('promtool check config accepts it and finds exactly the three rule files', () => {
    const r = runTool('promtool', ['check', 'config', 'prometheus.yml'], { cwd: work });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('SUCCESS: 3 rule files found');
    for (const id of IDS) expect(r.stdout + r.stderr).toContain(`Checking out/${FILES.rules(id)}\n  SUCCESS: `);
    expect(r.stdout + r.stderr).not.toContain('prometheus/tests/');
  });

  it('a real Prometheus started with it lists both groups of all three migrations, each from its rules file, and no test file', async () => {
    const prom = await services.startPrometheusWithConfig(join(work, 'prometheus.yml'));
    const res = await fetch(`${prom.url}/api/v1/rules`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data: { groups: Array<{ name: string; file: string; rules: unknown[] }> } };
    expect(body.status).toBe('success');
    const groups = body.data.groups.map((g) => [g.name, g.file]).sort();
    expect(groups).toEqual(IDS.flatMap((id) => ['recording', 'alerts'].map((k) => [`migobs-${id}-${k}`, join(work, 'out', FILES.rules(id))])).sort());
    for (const g of body.data.groups) expect(g.rules.length, g.name).toBeGreaterThan(0);
    expect(body.data.groups.some((g) => g.file.includes('/prometheus/tests/') || g.file.endsWith('.test.yaml'))).toBe(false);
    // The test files are beside the rules folder, and promtool runs them from any working folder
    // (their rule_files is relative to the test file; the golden tests run every example's).
    const t = runTool('promtool', ['test', 'rules', join(work, 'out', FILES.rulesTest(IDS[1]!))], { timeoutMs: 180_000 });
    expect(t.code, t.stdout + t.stderr).toBe(0);
  }, 600_000);
});

describe('Grafana provisioning: one provider on the dashboards folder', () => {
  it('has one file provider whose path is the dashboards folder, and each dashboard there has its own uid', () => {
    const prov = parse(readFileSync(join(work, 'out', FILES.provisioning), 'utf8')) as {
      apiVersion: number;
      providers: Array<{ name: string; type: string; folder: string; options: { path: string; foldersFromFilesStructure: boolean } }>;
    };
    expect(prov.apiVersion).toBe(1);
    expect(prov.providers).toHaveLength(1);
    const [p] = prov.providers;
    expect(p).toMatchObject({ name: 'migobs', type: 'file', options: { path: join(work, 'out', DIRS.dashboards), foldersFromFilesStructure: false } });
    const dashboards = readdirSync(p!.options.path).sort();
    expect(dashboards).toEqual(IDS.map((id) => FILES.dashboard(id).split('/').pop()!).sort());
    const uids = dashboards.map((f) => (JSON.parse(readFileSync(join(p!.options.path, f), 'utf8')) as { uid: string }).uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.sort()).toEqual([...IDS].sort());
  });

  it('without grafanaDashboardsPath the path is the documented default', () => {
    const r = migobs(['generate', join(REPO, EXAMPLES[0]!), '--out-dir', join(work, 'default-out'), '-q'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const prov = parse(readFileSync(join(work, 'default-out', FILES.provisioning), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    expect(prov.providers.map((p) => p.options.path)).toEqual(['/var/lib/grafana/dashboards/migobs']);
  });
});
