/**
 * Escaping, proven by behaviour: hostile free text (Go template actions, `$labels`, quotes,
 * backslashes, Markdown and HTML) goes through every generator and comes out literal and inert.
 *
 * - alert annotations: real `promtool test rules`, with a hand-built test file expecting the
 *   literal user text inside the generator's fixed wording (src/generate/rules/rules.ts);
 * - Markdown: no live HTML, no `javascript:` link from user text, and the text still readable;
 * - PromQL: selector values with `"`, `\` and `}` select exactly that label value (promtool);
 * - YAML/JSON: outputs parse and hold the exact strings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { MigrationDefinition } from '../../src/definition/types';
import { generateAll, type OutputFile } from '../../src/generate/index';
import { FILES, relativeLink } from '../../src/generate/names';
import { loadDefinitionText } from '../../src/pipeline';
import { quotePromqlString, unquote } from '../../src/promql/matchers';
import { designExample } from '../helpers/definitions';
import { validateDashboard } from '../helpers/grafana-schema';
import { isOwnHtml, renderedCodeBlocks, renderedHeadings, renderedHtml, renderedLinks } from '../helpers/markdown';
import { runTool } from '../helpers/tools';

const ID = 'orders-region-backfill';
/** Each field gets its own hostile text, so a finding names the field. */
const H = {
  title: '{{ with query "up" }}{{ . }}{{ end }} <script>alert(1)</script>',
  owner: 'team "a" \\ {{ .Labels }} $labels.owner',
  description: 'Line one <img src=x onerror=alert(1)>\n# not a heading\n```\n</a><script>x</script>',
  linkTitle: '[x](javascript:alert(1)) <img src=x onerror=alert(1)>',
  gateTitle: '$labels.instance {{ $value }} "q" \\ back',
  remediation: 'Run {{ template "x" . }} then [x](javascript:alert(1)) <img src=x onerror=alert(1)> {',
  phaseTitle: 'Canary {{ $labels }} <b>bold</b>',
  proceed: 'Lag < 5 s and `x` <script>alert(2)</script> [y](javascript:alert(2))',
  entry: '| table | breaker | <iframe src=javascript:alert(3)>',
  verification: 'SELECT count(*) FROM orders WHERE region IS NULL; -- {{ . }} <svg onload=alert(4)>',
  rollbackPlan: '1. Stop {{ $value }}\n2. ```sh\nrm -rf / # <script>alert(5)</script>\n```\n<details open ontoggle=alert(6)>',
  signalTitle: 'Replica lag <u>{{ humanize 1 }}</u>',
  signalDescription: 'Seconds behind "primary" \\ [x](javascript:alert(7))',
  decisionOwner: 'oncall {{ "lead" }} <marquee>',
  folder: 'Migrations "prod" \\ {{ x }}',
  tables: 'orders<script>alert(8)</script>',
  /** A selector value that tries to leave its quotes and braces, written as a PromQL string. */
  jobValue: 'x"} or vector(1) # \\',
};

function hostileDefinition(): MigrationDefinition {
  const d = designExample();
  d.metadata.title = H.title;
  d.metadata.owner = H.owner;
  d.metadata.description = H.description;
  d.metadata.links = [{ title: H.linkTitle, url: 'https://wiki.example.com/a_(b)' }];
  d.spec.gates![0]!.title = H.gateTitle;
  d.spec.gates![0]!.remediation = H.remediation;
  d.spec.phases = [{ id: 'canary', title: H.phaseTitle, proceed: [H.proceed], entry: [H.entry] }];
  d.spec.verification = [H.verification];
  d.spec.rollbackPlan = H.rollbackPlan;
  d.spec.signals!.replicationLag = { ...d.spec.signals!.replicationLag!, title: H.signalTitle, description: H.signalDescription };
  d.spec.decisionOwner = H.decisionOwner;
  d.spec.grafana = { datasourceUid: 'prometheus', folder: H.folder };
  d.spec.blastRadius = { ...d.spec.blastRadius!, tables: [H.tables] };
  d.spec.selector = `job=${quotePromqlString(H.jobValue)}`;
  return d;
}

let tmp: string;
let files: Map<string, string>;

beforeAll(() => {
  const result = loadDefinitionText('hostile.yaml', stringify(hostileDefinition()));
  expect(result.diagnostics).toEqual([]);
  const out: OutputFile[] = generateAll(result.migrations.map((m) => m.model));
  files = new Map(out.map((f) => [f.path, f.content]));
  tmp = mkdtempSync(join(tmpdir(), 'migobs-escaping-'));
  for (const f of out) {
    mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
    writeFileSync(join(tmp, f.path), f.content);
  }
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A generated file of the migration by its old short name, at its place in the layout (names.ts FILES). */
const PATH_OF: Record<string, (id: string) => string> = { 'rules.yaml': FILES.rules, 'runbook.md': FILES.runbook, 'alerts.md': FILES.alertsDoc, 'dashboard.md': FILES.dashboardDoc, 'dashboard.json': FILES.dashboard };
const file = (name: string): string => files.get(PATH_OF[name]!(ID))!;
/** A hand-written promtool test file beside the generated one, and its rule_files entry. */
const testFileAt = (name: string): string => join(tmp, FILES.rulesTest(ID), '..', name);
const RULE_FILES = [relativeLink(FILES.rulesTest(ID), FILES.rules(ID))];

describe('alert annotations print hostile text verbatim (promtool test rules)', () => {
  it('gate pause alert: summary and description hold the literal titles and remediation', () => {
    // The generator's fixed wording (src/generate/rules/rules.ts), with the user text dropped in.
    const summary = `Pause ${ID}: ${H.gateTitle} above 10`;
    const description = `${H.gateTitle} is 20, strictly above the pause threshold 10 for 2m, in phase canary of ${H.title}. ${H.remediation}`;
    const ownerText = `${H.title}: the runner exported migration_phase within the last 24h but none for 10m, and never reported the run finished. It crashed, was stopped without finish(), or is no longer scraped; every gate reading its metrics is unknown. Owner: ${H.owner}.`;
    const job = quotePromqlString(H.jobValue);
    const test = {
      rule_files: RULE_FILES,
      evaluation_interval: '1m',
      tests: [
        {
          name: 'hostile text in a firing gate alert',
          interval: '1m',
          input_series: [
            { series: 'pg_replication_lag{instance="db1:9187"}', values: '20x15' },
            { series: `migration_phase{migration_id="${ID}", job=${job}, phase="canary"}`, values: '1x15' },
          ],
          alert_rule_test: [
            {
              eval_time: '10m',
              alertname: 'MigrationGatePause',
              exp_alerts: [
                {
                  exp_labels: { migration_id: ID, gate: 'replication-lag', action: 'pause', severity: 'warning', phase: 'canary' },
                  exp_annotations: { summary, description, runbook_url: `${FILES.runbook(ID)}#gate-replication-lag`, dashboard_url: expect.any(String) },
                },
              ],
            },
          ],
        },
        {
          name: 'hostile title and owner in the metrics-absent alert',
          interval: '1m',
          input_series: [{ series: `migration_phase{migration_id="${ID}", job=${quotePromqlString(H.jobValue)}, phase="canary"}`, values: '1x2' }],
          alert_rule_test: [
            {
              eval_time: '20m',
              alertname: 'MigrationMetricsAbsent',
              exp_alerts: [
                {
                  exp_labels: { migration_id: ID, job: H.jobValue, action: 'investigate', severity: 'warning' },
                  exp_annotations: { summary: `${ID}: the runner stopped exporting metrics before finishing`, description: ownerText, runbook_url: `${FILES.runbook(ID)}#metrics-absent`, dashboard_url: expect.any(String) },
                },
              ],
            },
          ],
        },
      ],
    };
    // dashboard_url is not user text: take it from the generated rule rather than restating it.
    const rules = parse(file('rules.yaml')) as { groups: Array<{ rules: Array<{ alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }> };
    const alertRule = (name: string, gate?: string) => rules.groups.flatMap((g) => g.rules).find((r) => r.alert === name && (!gate || r.labels?.gate === gate))!;
    test.tests[0]!.alert_rule_test[0]!.exp_alerts[0]!.exp_annotations.dashboard_url = alertRule('MigrationGatePause', 'replication-lag').annotations!.dashboard_url;
    test.tests[1]!.alert_rule_test[0]!.exp_alerts[0]!.exp_annotations.dashboard_url = alertRule('MigrationMetricsAbsent').annotations!.dashboard_url;
    // The raw annotation must not be the user text itself (it is a quoted template constant).
    expect(alertRule('MigrationGatePause', 'replication-lag').annotations!.description).not.toContain(H.remediation);

    const testFile = testFileAt('escaping.test.yaml');
    writeFileSync(testFile, stringify(test, { lineWidth: 0 }));
    const r = runTool('promtool', ['test', 'rules', testFile]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('promtool also fails when the expected text is not exactly what Prometheus prints', () => {
    // Guard against a test file that passes whatever the annotation says.
    const testFile = testFileAt('escaping-negative.test.yaml');
    const rules = parse(file('rules.yaml')) as { groups: Array<{ rules: Array<{ alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }> };
    const rule = rules.groups.flatMap((g) => g.rules).find((x) => x.alert === 'MigrationMetricsAbsent')!;
    const test = {
      rule_files: RULE_FILES,
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [{ series: `migration_phase{migration_id="${ID}", job=${quotePromqlString(H.jobValue)}, phase="canary"}`, values: '1x2' }],
          alert_rule_test: [
            {
              eval_time: '20m',
              alertname: 'MigrationMetricsAbsent',
              exp_alerts: [{ exp_labels: { migration_id: ID, job: H.jobValue, action: 'investigate', severity: 'warning' }, exp_annotations: { ...rule.annotations!, description: 'up' } }],
            },
          ],
        },
      ],
    };
    writeFileSync(testFile, stringify(test, { lineWidth: 0 }));
    const r = runTool('promtool', ['test', 'rules', testFile]);
    expect(r.code).toBe(1);
  });
});

/** What a reader sees of escaped inline text: backslash escapes and the entities mdText uses undone. */
function readable(md: string): string {
  return md.replace(/\\([\\`*_{}[\]()#+!|<>~&"=.$-])/g, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

// Read by a real CommonMark parser (markdown-it) with link validation off, so what a renderer
// would make of the document is what is checked; code blocks and spans are text there.
describe.each(['runbook.md', 'alerts.md', 'dashboard.md'])('Markdown %s', (name) => {
  it('has no live HTML from user text: only the header comment and <a id> anchors', () => {
    const html = renderedHtml(file(name));
    expect(html.filter((h) => !isOwnHtml(h))).toEqual([]);
    expect(html.filter((h) => h.startsWith('<!--'))).toHaveLength(1);
  });

  it('has no link to a javascript: (or any non-http) target', () => {
    const links = renderedLinks(file(name));
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(l.href).toMatch(/^(https?:\/\/|#|[A-Za-z0-9_.\/-]+(#[A-Za-z0-9_-]+)?$)/);
  });

  it('has no heading from user text', () => {
    expect(renderedHeadings(file(name)).map((h) => h.text).filter((t) => /not a heading/.test(t))).toEqual([]);
  });
});

describe('the hostile rollback plan', () => {
  it('keeps its fenced block as code (its HTML is text there) and the sections after it intact', () => {
    const runbook = file('runbook.md');
    expect(renderedCodeBlocks(runbook)).toContainEqual({ info: '', content: '<details open ontoggle=alert(6)>\n' });
    expect(renderedHeadings(runbook).map((h) => h.text)).toContain('Closeout checklist');
  });
});

describe('dashboard panel descriptions (Grafana renders them as Markdown)', () => {
  it('have no live HTML and no javascript: links, and still show the gate title and remediation', () => {
    const dash = JSON.parse(file('dashboard.json')) as { panels: Array<{ description?: string }> };
    const descriptions = dash.panels.map((p) => p.description ?? '');
    for (const d of descriptions) {
      expect(renderedHtml(d)).toEqual([]);
      for (const l of renderedLinks(d)) expect(l.href).toMatch(/^(https?:\/\/|#|[A-Za-z0-9_.\/-]+(#[A-Za-z0-9_-]+)?$)/);
    }
    expect(descriptions.some((d) => readable(d).includes(H.remediation))).toBe(true);
  });
});

describe('Markdown keeps the hostile text readable (escaped, not dropped)', () => {
  it.each([
    ['runbook.md', ['title', 'owner', 'remediation', 'phaseTitle', 'proceed', 'verification', 'linkTitle', 'decisionOwner']],
    ['alerts.md', ['title', 'gateTitle']],
    ['dashboard.md', ['title', 'gateTitle', 'remediation']],
  ] as Array<[string, Array<keyof typeof H>]>)('%s', (name, fields) => {
    const seen = readable(file(name));
    for (const f of fields) expect(seen, f).toContain(H[f]);
  });
});

describe('PromQL: a selector value with quotes, braces and a backslash stays one label value', () => {
  it('promtool accepts every rule, and the recording rules select exactly that job value', () => {
    const check = runTool('promtool', ['check', 'rules', join(tmp, FILES.rules(ID))]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const job = quotePromqlString(H.jobValue);
    const test = {
      rule_files: RULE_FILES,
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `migration_rows_processed_total{migration_id="${ID}", job=${job}}`, values: '0+60x10' },
            // Same numbers under a job that only looks alike: must not be selected.
            { series: `migration_rows_processed_total{migration_id="${ID}", job="x"}`, values: '0+6000x10' },
          ],
          promql_expr_test: [{ expr: 'migration:rows_processed:rate5m', eval_time: '10m', exp_samples: [{ labels: `migration:rows_processed:rate5m{migration_id="${ID}"}`, value: 1 }] }],
        },
      ],
    };
    const testFile = testFileAt('selector.test.yaml');
    writeFileSync(testFile, stringify(test, { lineWidth: 0 }));
    const r = runTool('promtool', ['test', 'rules', testFile]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('the value is written as one correctly quoted PromQL string everywhere it is injected', () => {
    const rules = parse(file('rules.yaml')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr)).filter((e) => e.includes('migration_rows_processed_total{'));
    expect(exprs.length).toBeGreaterThan(0);
    for (const e of exprs) expect(e).toContain(`job=${quotePromqlString(H.jobValue)}`);
  });
});

describe('YAML and JSON outputs parse and hold the exact strings', () => {
  it('every .yaml parses; dashboard.json passes the Grafana schema and holds the literal title', () => {
    for (const [path, content] of files) if (path.endsWith('.yaml')) expect(() => parse(content), path).not.toThrow();
    const dash = JSON.parse(file('dashboard.json')) as unknown;
    expect(validateDashboard(dash)).toEqual([]);
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(dash);
    expect(strings).toContain(H.title);
    expect(strings).toContain(H.gateTitle);
  });

  it('the provisioning file holds the literal folder name', () => {
    const prov = parse(files.get('grafana/provisioning/dashboards/migobs.yaml')!) as { providers: Array<{ folder: string }> };
    expect(prov.providers.map((p) => p.folder)).toContain(H.folder);
  });
});

describe('template text next to template code', () => {
  it.each([
    ['ends with {', 'lag {', '{{ "lag {" }}{{ $value }}'],
    ['starts with {', '{ lag', '{{ "{ lag" }}{{ $value }}'],
    ['plain', 'lag is ', 'lag is {{ $value }}'],
    ['holds }}', 'a }} b', '{{ "a }} b" }}{{ $value }}'],
  ])('%s', async (_, text, expected) => {
    const { tpl } = await import('../../src/render/prom-template');
    expect(tpl().text(text).code('{{ $value }}').build()).toBe(expected);
  });
});

describe('quotePromqlString', () => {
  // Both paths (values needing no escape are quoted as they are) must read back as the value.
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', 'é', '😀', '\ud800', '{', '}', ',', '='];
  const strings = Array.from({ length: 2000 }, (_, n) => {
    let s = '';
    for (let k = n, len = n % 9; len > 0; len--, k = Math.floor(k / alphabet.length) + len * 7) s += alphabet[k % alphabet.length];
    return s;
  });
  it('reads back as the value it quoted, for 2,000 strings of plain and special characters', () => {
    for (const v of strings) expect(unquote(quotePromqlString(v))).toBe(v);
  });
  it('quotes a value with nothing to escape as it is, and escapes the rest', () => {
    expect(quotePromqlString('orders-backfill é 😀')).toBe('"orders-backfill é 😀"');
    expect(quotePromqlString('a"b\\c\nd\u2028')).toBe('"a\\"b\\\\c\\nd\\u2028"');
  });
});
