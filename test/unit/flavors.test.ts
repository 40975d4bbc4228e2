/**
 * The deploy flavours (`generate --flavor`, docs/deploy.md), for every shipped example, with the
 * repo config of test/fixtures/deploy/ (every deploy setting) and without any config:
 * - every Kubernetes manifest validates against its operator's CRD openAPIV3Schema (ajv), metadata
 *   and ConfigMaps as the API server checks them;
 * - the payload is the `files` flavour's bytes: `yq .spec` of a PrometheusRule is the rules file,
 *   GrafanaDashboard spec.json and the sidecar ConfigMap hold the dashboard JSON;
 * - the rule payload extracted from the PrometheusRule (and from the Mimir rule file) passes
 *   `promtool check rules` and the same generated `promtool test rules`;
 * - grafana-alerting validates against the provisioning schema written from Grafana's source and
 *   is never green on no data or errors; its PromQL state is checked by promtool.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAmMatchers } from '../../src/alertmanager/matchers';
import { MANAGED_LABEL } from '../../src/generate/alertmanager/fragment';
import { FLAVOR_NAMES, flavorWarnings } from '../../src/generate/flavors/index';
import { grafanaLiteral, STATES } from '../../src/generate/flavors/grafana-alerting';
import { generateAll, type OutputFile } from '../../src/generate/index';
import { FILES, isGeneratedPath, migrationIdOf } from '../../src/generate/names';
import { gatePanelIds } from '../../src/generate/panel-ids';
import { gateStateStandaloneExpr } from '../../src/generate/rules/promql';
import { loadConfig } from '../../src/load/config';
import type { RepoConfig, ResolvedMigration } from '../../src/model/types';
import { loadDefinitions, loadDefinitionText } from '../../src/pipeline';
import { toYaml } from '../../src/render/serialize';
import { REPO } from '../helpers/cli';
import { configMapProblems, metadataProblems, validateManifest } from '../helpers/k8s-schema';
import { runTool } from '../helpers/tools';

const EXAMPLES = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
const CONFIG_FILE = join(REPO, 'test', 'fixtures', 'deploy', 'migobs.config.yaml');
const ALL = FLAVOR_NAMES;
const tmp = mkdtempSync(join(tmpdir(), 'migobs-flavors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function models(example: string, config: RepoConfig): ResolvedMigration[] {
  const r = loadDefinitions([join(REPO, 'examples', example)], config);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.migrations.map((m) => m.model);
}

const deployConfig = (): RepoConfig => {
  const { config, diagnostics } = loadConfig(CONFIG_FILE);
  expect(diagnostics).toEqual([]);
  return config;
};

const byPath = (files: OutputFile[]): Map<string, string> => new Map(files.map((f) => [f.path, f.content]));
const yamlOf = (text: string): Record<string, any> => parse(text) as Record<string, any>;

function writeTree(dir: string, files: Array<{ path: string; content: string }>): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

describe.each([
  ['with the deploy config', 'config'],
  ['without a config', 'none'],
] as const)('flavours %s', (_name, which) => {
  describe.each(EXAMPLES)('%s', (example) => {
    const config = which === 'config' ? deployConfig() : {};
    const ms = models(example, config);
    const m = ms[0]!;
    const id = m.id;
    const files = byPath(generateAll(ms, ALL));
    const plain = byPath(generateAll(ms));

    it('every flavour writes its files; files alone is byte for byte what generate wrote before flavours', () => {
      for (const p of [FILES.prometheusRule(id), FILES.alertmanagerConfig(id), FILES.grafanaDashboard(id), FILES.dashboardConfigMap(id), FILES.mimirRules(id), FILES.mimirAlertmanager(id), FILES.grafanaAlerting(id)]) {
        expect(files.has(p), p).toBe(true);
        expect(isGeneratedPath(p), p).toBe(true);
        expect(migrationIdOf(p)).toBe(id);
      }
      expect(files.has(FILES.rulesConfigMap(id))).toBe(which === 'config');
      for (const [p, c] of plain) expect(files.get(p), p).toBe(c);
    });

    it('PrometheusRule: valid against the CRD; its spec is the rules file, byte for byte once serialized', () => {
      const doc = yamlOf(files.get(FILES.prometheusRule(id))!);
      expect(validateManifest(doc as never)).toEqual([]);
      expect(metadataProblems(doc.metadata)).toEqual([]);
      expect(toYaml(doc.spec, `${id}.yaml`)).toBe(plain.get(FILES.rules(id)));
      if (which === 'config') {
        expect(doc.metadata).toMatchObject({ namespace: 'monitoring', labels: { release: 'kube-prometheus-stack', team: 'orders', 'app.kubernetes.io/managed-by': 'migobs' } });
      }
    });

    it('AlertmanagerConfig: valid against the CRD; the same routes and inhibit rules as the fragment (minus the text-merge marker)', () => {
      const doc = yamlOf(files.get(FILES.alertmanagerConfig(id))!);
      expect(validateManifest(doc as never)).toEqual([]);
      expect(metadataProblems(doc.metadata)).toEqual([]);
      const fragment = yamlOf(plain.get(FILES.alertmanager(id))!);
      const text = (ms: Array<{ name: string; value: string; matchType: string }>): string[] => ms.map((x) => `${x.name}${x.matchType}${JSON.stringify(x.value)}`);
      const fromFragment = (list: string[]): string[] => list.flatMap((t) => parseAmMatchers(t)!).filter((x) => x.name !== MANAGED_LABEL).map((x) => `${x.name}${x.op}${JSON.stringify(x.value)}`);
      expect(text(doc.spec.route.matchers)).toEqual(fromFragment(fragment.route.matchers));
      expect(doc.spec.route.receiver).toBe(fragment.route.receiver);
      expect(doc.spec.route.routes.map((r: any) => [r.receiver, text(r.matchers), r.groupWait])).toEqual(fragment.route.routes.map((r: any) => [r.receiver, fromFragment(r.matchers), r.group_wait]));
      expect(doc.spec.inhibitRules.map((r: any) => [text(r.sourceMatch), text(r.targetMatch), r.equal])).toEqual(fragment.inhibit_rules.map((r: any) => [fromFragment(r.source_matchers), fromFragment(r.target_matchers), r.equal]));
      // Every receiver a route names is defined in the same object (the operator requires it).
      const names = new Set(doc.spec.receivers.map((r: any) => r.name));
      const named = (r: any): string[] => [r.receiver, ...(r.routes ?? []).flatMap(named)].filter(Boolean);
      for (const n of named(doc.spec.route)) expect(names.has(n), n).toBe(true);
      // The deploy config defines the receivers of orders-region-backfill only: the others are warned about.
      const defined = which === 'config' && id === 'orders-region-backfill';
      if (defined) expect(doc.spec.receivers.find((r: any) => r.name === m.routing.page)).toHaveProperty('pagerdutyConfigs');
      const warnings = flavorWarnings(ms, ALL);
      if (defined) expect(warnings).toEqual([]);
      else expect(warnings.join('\n')).toContain(`receiver \`${m.routing.page}\` without integrations`);
      expect(flavorWarnings(ms, ['files', 'mimir'])).toEqual([]);
    });

    it('GrafanaDashboard: valid against the CRD; spec.json is the dashboard file', () => {
      const doc = yamlOf(files.get(FILES.grafanaDashboard(id))!);
      expect(validateManifest(doc as never)).toEqual([]);
      expect(metadataProblems(doc.metadata)).toEqual([]);
      expect(doc.spec.json).toBe(plain.get(FILES.dashboard(id)));
      expect(doc.spec.instanceSelector).toEqual({ matchLabels: { dashboards: 'grafana' } });
      expect(doc.spec.folder).toBe(which === 'config' ? 'Migrations' : m.grafana.folder);
    });

    it('ConfigMaps: valid for the API server, labelled for the sidecar, holding the dashboard (and rules) bytes', () => {
      const doc = yamlOf(files.get(FILES.dashboardConfigMap(id))!);
      expect(configMapProblems(doc)).toEqual([]);
      expect(doc.metadata.labels.grafana_dashboard).toBe('1');
      expect(doc.data[`${id}.json`]).toBe(plain.get(FILES.dashboard(id)));
      if (which === 'config') {
        expect(doc.metadata.annotations).toEqual({ grafana_folder: 'Migrations' });
        const rules = yamlOf(files.get(FILES.rulesConfigMap(id))!);
        expect(configMapProblems(rules)).toEqual([]);
        expect(rules.data[`${id}.yaml`]).toBe(plain.get(FILES.rules(id)));
      }
    });

    it('the rules taken out of the PrometheusRule and out of the Mimir file pass promtool check rules and the generated promtool tests', () => {
      const dir = join(tmp, `${which}-${id}`);
      const promRule = yamlOf(files.get(FILES.prometheusRule(id))!);
      const mimir = yamlOf(files.get(FILES.mimirRules(id))!);
      expect(mimir.namespace).toBe(`migobs-${id}`);
      expect(Object.keys(mimir)).toEqual(['namespace', 'groups']);
      // `yq .spec` of the PrometheusRule, where the generated tests expect the rules file.
      writeTree(dir, [
        { path: FILES.rules(id), content: toYaml(promRule.spec) },
        { path: FILES.rulesTest(id), content: plain.get(FILES.rulesTest(id))! },
        { path: 'mimir-groups.yaml', content: toYaml({ groups: mimir.groups }) },
      ]);
      const check = runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', FILES.rules(id), 'mimir-groups.yaml'], { cwd: dir });
      expect(check.code, check.stdout + check.stderr).toBe(0);
      // The spec is byte for byte the rules file (asserted above), whose tests the golden test runs
      // for every example; here they run once per config on the extracted payload (they take a while).
      if (id === 'orders-region-backfill') {
        const test = runTool('promtool', ['test', 'rules', FILES.rulesTest(id)], { cwd: dir, timeoutMs: 120_000 });
        expect(test.code, test.stdout + test.stderr).toBe(0);
      }
      expect(toYaml({ groups: mimir.groups })).toBe(toYaml(promRule.spec));
      expect(files.get(FILES.mimirAlertmanager(id))).toBe(plain.get(FILES.alertmanager(id)));
    }, 180_000);

    it('grafana-alerting: valid provisioning file; two rules per gate; never green on no data or errors; links to the runbook anchor and the gate panel', () => {
      const doc = yamlOf(files.get(FILES.grafanaAlerting(id))!);
      expect(provisioningProblems(doc)).toEqual([]);
      expect(unknownKeys(doc)).toEqual([]);
      const rules = doc.groups[0].rules as any[];
      expect(rules).toHaveLength(m.gates.length * 2);
      const panels = gatePanelIds(m);
      for (const g of m.gates) {
        for (const action of ['pause', 'rollback'] as const) {
          const r = rules.find((x) => x.labels.gate === g.id && x.labels.action === action);
          expect(r, `${g.id} ${action}`).toBeDefined();
          expect(['OK', 'KeepLast']).not.toContain(r.noDataState);
          expect(['OK', 'KeepLast']).not.toContain(r.execErrState);
          expect({ noDataState: r.noDataState, execErrState: r.execErrState }).toEqual(STATES[action]);
          expect(r.annotations.runbook_url).toMatch(new RegExp(`runbook\\.md#gate-${g.id}$`));
          expect(r.panelId).toBe(panels.get(g.id));
          expect(r.dashboardUid).toBe(id);
          expect(r.for).toBe(action === 'pause' ? g.pauseFor : g.rollbackFor);
          expect(r.data[0].model.expr).toBe(gateStateStandaloneExpr(m, g));
          expect(r.data[0].datasourceUid).toBe(m.grafana.datasourceUid);
        }
      }
      const runbook = plain.get(FILES.runbook(id))!;
      for (const g of m.gates) expect(runbook).toContain(`id="gate-${g.id}"`);
      expect(new Set(rules.map((r) => r.uid)).size).toBe(rules.length);
    });
  });
});

// Grafana's provisioning format ---------------------------------------------------------------

const FIXTURES = join(REPO, 'test', 'fixtures', 'grafana-alerting');
const schema = JSON.parse(readFileSync(join(FIXTURES, 'provisioning-rules.schema.json'), 'utf8')) as object;
const validateProvisioning = new Ajv({ strict: false, allErrors: true }).compile(schema);
const provisioningProblems = (doc: unknown): string[] => (validateProvisioning(doc) ? [] : (validateProvisioning.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
const grafanaOwn = yamlOf(readFileSync(join(FIXTURES, 'grafana-alert-rule-linked-to-dashboard.yaml'), 'utf8'));

/** Keys we write at a place (group, rule, query, model) that Grafana's own file does not have there. */
function unknownKeys(doc: Record<string, any>): string[] {
  const theirs = { group: Object.keys(grafanaOwn.groups[0]), rule: Object.keys(grafanaOwn.groups[0].rules[0]), query: Object.keys(grafanaOwn.groups[0].rules[0].data[0]) };
  const out: string[] = [];
  for (const g of doc.groups) {
    for (const k of Object.keys(g)) if (!theirs.group.includes(k)) out.push(`group.${k}`);
    for (const r of g.rules) {
      for (const k of Object.keys(r)) if (!theirs.rule.includes(k)) out.push(`rule.${k}`);
      for (const q of r.data) for (const k of Object.keys(q)) if (!theirs.query.includes(k)) out.push(`query.${k}`);
      // The expression models use the keys of Grafana's reduce and threshold expressions.
      const model = (refId: string): Record<string, any> => r.data.find((q: any) => q.refId === refId).model;
      const own = (refId: string): Record<string, any> => grafanaOwn.groups[0].rules[0].data.find((q: any) => q.refId === refId).model;
      for (const ref of ['B', 'C']) for (const k of Object.keys(model(ref))) if (!Object.keys(own(ref)).includes(k)) out.push(`model ${ref}.${k}`);
      expect(model('B').type).toBe(own('B').type);
      expect(model('C').type).toBe(own('C').type);
    }
  }
  return out;
}

describe('Grafana alerting provisioning format', () => {
  it("Grafana's own provisioning file validates against the schema written from its source (the schema is not too strict)", () => {
    expect(provisioningProblems(grafanaOwn)).toEqual([]);
  });

  it.each([
    ['a misspelt rule key', (d: any) => (d.groups[0].rules[0].noDataStat = 'OK')],
    ['an unknown noDataState', (d: any) => (d.groups[0].rules[0].noDataState = 'Green')],
    ['no folder', (d: any) => delete d.groups[0].folder],
    ['no uid', (d: any) => delete d.groups[0].rules[0].uid],
    ['a uid over 40 characters', (d: any) => (d.groups[0].rules[0].uid = 'x'.repeat(41))],
  ])('the schema refuses %s (it can fail)', (_name, mutate) => {
    const d = structuredClone(grafanaOwn);
    mutate(d);
    expect(provisioningProblems(d)).not.toEqual([]);
  });

  it('`$` in user text is doubled, so Grafana expands no environment variable', () => {
    expect(grafanaLiteral('cost $HOME ${PATH} $$')).toBe('cost $$HOME $${PATH} $$$$');
    const config = {};
    const r = loadDefinitions([join(REPO, 'examples', EXAMPLES[0]!)], config);
    const m = r.migrations[0]!.model;
    const hostile: ResolvedMigration = { ...m, title: 'Title with $HOME and ${GF_SECURITY_ADMIN_PASSWORD}', gates: m.gates.map((g) => ({ ...g, title: 'Lag $USER' })) };
    const doc = yamlOf(byPath(generateAll([hostile], ['grafana-alerting'])).get(FILES.grafanaAlerting(m.id))!);
    const text = JSON.stringify(doc.groups[0].rules.map((x: any) => [x.title, x.annotations, x.labels]));
    expect(text).not.toMatch(/(^|[^$])\$(HOME|USER|\{GF_)/);
    expect(text).toContain('$${GF_SECURITY_ADMIN_PASSWORD}');
  });
});

// The state query of the Grafana rules, evaluated by Prometheus' own engine -----------------------

/** promtool test rules on a test file of these groups (no rule files: the queries are the expressions under test), in tmp/<name>. */
function expectPromtoolPasses(name: string, tests: unknown[]): void {
  const dir = join(tmp, name);
  writeTree(dir, [{ path: `${name}.test.yaml`, content: toYaml({ rule_files: [], evaluation_interval: '1m', tests }) }]);
  const t = runTool('promtool', ['test', 'rules', `${name}.test.yaml`], { cwd: dir });
  expect(t.code, t.stdout + t.stderr).toBe(0);
}

describe('the grafana-alerting state query (promtool)', () => {
  it('is 0 green, 1 pause, 2 rollback, 3 unknown in the gate phases; 0 in other phases; nothing without a phase', () => {
    const r = loadDefinitions([join(REPO, 'examples', 'orders-region-backfill.yaml')], {});
    const m = r.migrations[0]!.model;
    const g = m.gates.find((x) => x.id === 'replication-lag')!;
    expect(g).toMatchObject({ pause: 10, rollback: 60, direction: 'above' });
    const expr = gateStateStandaloneExpr(m, g);
    const phase = (p: string): string => `migration_phase{migration_id="orders-region-backfill", job="orders-backfill", phase="${p}"}`;
    // steps 0-4: canary, lag 5 / 20 / 100 / NaN / absent; 5-6: preflight (no gate there), lag 100; 8: no phase at all.
    expectPromtoolPasses('state-query', [
      {
        // 10m steps: longer than the 5m lookback, so a series stops counting one step after its last sample.
        interval: '10m',
        input_series: [
          { series: phase('canary'), values: '1 1 1 1 1 _ _ _ _' },
          { series: phase('preflight'), values: '_ _ _ _ _ 1 1 _ _' },
          { series: 'pg_replication_lag{instance="db1:9187"}', values: '5 20 100 NaN _ 100 100 _ _' },
        ],
        promql_expr_test: [
          { expr, eval_time: '0m', exp_samples: [{ labels: '{}', value: 0 }] },
          { expr, eval_time: '10m', exp_samples: [{ labels: '{}', value: 1 }] },
          { expr, eval_time: '20m', exp_samples: [{ labels: '{}', value: 2 }] },
          { expr, eval_time: '30m', exp_samples: [{ labels: '{}', value: 3 }] },
          { expr, eval_time: '40m', exp_samples: [{ labels: '{}', value: 3 }] },
          { expr, eval_time: '60m', exp_samples: [{ labels: '{}', value: 0 }] },
          { expr, eval_time: '80m', exp_samples: [] },
        ],
      },
    ]);
  });

  it('follows the lifecycle of the Prometheus alerts: 0 (quiet) before the runner is seen, once it finished, once unseen for 24h and outside spec.schedule', () => {
    const example = readFileSync(join(REPO, 'examples', 'orders-region-backfill.yaml'), 'utf8');
    const model = (text: string): ResolvedMigration => {
      const r = loadDefinitionText(join(REPO, 'examples', 'orders-region-backfill.yaml'), text);
      expect(r.diagnostics).toEqual([]);
      return r.migrations[0]!.model;
    };
    const stateOf = (m: ResolvedMigration): string => gateStateStandaloneExpr(m, m.gates.find((x) => x.id === 'replication-lag')!);
    const plain = stateOf(model(example));
    // promtool's clock starts at 1970-01-01T00:00:00Z: this schedule is open from 30m to 60m.
    const scheduled = stateOf(model(example.replace(/^spec:\n/m, "spec:\n  schedule: {notBefore: '1970-01-01T00:30:00Z', notAfter: '1970-01-01T01:00:00Z'}\n")));
    const sel = 'migration_id="orders-region-backfill", job="orders-backfill"';
    const at = (expr: string, time: string, value?: number) => ({ expr, eval_time: time, exp_samples: value === undefined ? [] : [{ labels: '{}', value }] });
    expectPromtoolPasses('state-query-lifecycle', [
      {
        // 10m steps: canary from 20m with the lag past rollback throughout; finished 0 at 30m, 1 from 40m.
        interval: '10m',
        input_series: [
          { series: `migration_phase{${sel}, phase="canary"}`, values: '_ _ 1 1 1 1 _ _' },
          { series: `migration_finished{${sel}}`, values: '_ _ _ 0 1 1 1 1' },
          { series: 'pg_replication_lag{instance="db1:9187"}', values: '100x7' },
        ],
        promql_expr_test: [at(plain, '0m', 0), at(plain, '20m', 2), at(plain, '30m', 2), at(plain, '40m', 0), at(plain, '70m', 0)],
      },
      {
        // 1h steps: canary at 0h only. Active (seen within 24h) with no phase now: nothing (no data
        // fires the pause rule); unseen for more than 24h: 0.
        interval: '1h',
        input_series: [
          { series: `migration_phase{${sel}, phase="canary"}`, values: '1 _x30' },
          { series: 'pg_replication_lag{instance="db1:9187"}', values: '100x30' },
        ],
        promql_expr_test: [at(plain, '0h', 2), at(plain, '2h'), at(plain, '23h'), at(plain, '26h', 0)],
      },
      {
        interval: '10m',
        input_series: [
          { series: `migration_phase{${sel}, phase="canary"}`, values: '1x9' },
          { series: 'pg_replication_lag{instance="db1:9187"}', values: '100x9' },
        ],
        promql_expr_test: [at(scheduled, '20m', 0), at(scheduled, '40m', 2), at(scheduled, '70m', 0), at(plain, '70m', 2)],
      },
    ]);
  });
});

describe('docs/deploy.md', () => {
  it('the settings example is a valid repo config (every key documented is one loadConfig takes)', () => {
    const doc = readFileSync(join(REPO, 'docs', 'deploy.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Settings'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const file = join(tmp, 'deploy-docs.config.yaml');
    writeFileSync(file, block);
    const { config, diagnostics } = loadConfig(file);
    expect(diagnostics).toEqual([]);
    expect(config.deploy?.prometheusOperator?.ruleLabels).toEqual({ release: 'kube-prometheus-stack' });
    expect(config.deploy?.flavors).toEqual(['files', 'prometheus-operator', 'grafana-operator']);
  });
});
