/**
 * `migobs alertmanager --base` on hostile bases (test/fixtures/alertmanager/hostile-*.yml and
 * variants built below). For each base:
 * - every scalar of the base keeps its source text at its place (compared as source strings, the
 *   way Go's yaml.v2 reads a scalar into a string field, not as re-parsed values);
 * - every base line is still there, in order (block-style bases);
 * - amtool accepts the base and the result;
 * - a real Alertmanager reads the result exactly as it reads the base, plus the migration's route
 *   subtree and inhibit rules (its own re-serialization of both configs, /api/v2/status);
 * - the base's routes still route (amtool), and merging the result again gives the same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlias, isMap, isScalar, isSeq, parse, parseDocument, type Node } from 'yaml';
import { mergeAlertmanager, mergeInputOf, parseBaseConfig } from '../../src/alertmanager/merge';
import { amtoolRouteArgs } from '../../src/generate/alertmanager';
import { ALERT } from '../../src/generate/names';
import { loadDefinitionText, type LoadedMigration } from '../../src/pipeline';
import { REPO } from '../helpers/cli';
import { Services } from '../helpers/services';
import { runTool } from '../helpers/tools';

const FIXTURES = join(REPO, 'test/fixtures/alertmanager');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const EXAMPLE = readFileSync(join(REPO, 'examples/orders-region-backfill.yaml'), 'utf8');
const ID = 'orders-region-backfill';

function definition(routing?: string): LoadedMigration {
  const text = routing ? EXAMPLE.replace(/ {2}routing: .*\n/, `  routing: ${routing}\n`) : EXAMPLE;
  const r = loadDefinitionText('orders-region-backfill.yaml', text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.migrations[0]!;
}

type Labels = Record<string, string>;
const migrationAlert = (alertname: string, severity: string): Labels => ({ alertname, migration_id: ID, gate: 'replication-lag', severity });
const rollback = migrationAlert(ALERT.rollback, 'critical');
const pause = migrationAlert(ALERT.pause, 'warning');

interface HostileBase {
  name: string;
  text: string;
  /** spec.routing of the definition merged into it (default: the example's). */
  routing?: string;
  /** Migration alerts and the receivers amtool must route them to in the result. */
  migration: [Labels, string[]][];
  /** Other alerts: amtool must route each to the same receivers in the base and in the result. */
  others: Labels[];
  /** Block-style base: every base line must still be in the result, in order. */
  lines: boolean;
}

const BASE = fixture('base.yml');
const HOSTILE: HostileBase[] = [
  {
    name: 'base.yml',
    text: BASE,
    migration: [
      [rollback, ['pagerduty-orders']],
      [{ ...rollback, team: 'dba' }, ['pagerduty-orders']],
    ],
    others: [{ alertname: 'DiskFull', team: 'dba', severity: 'critical' }, { alertname: 'DiskFull', team: 'dba' }, { alertname: 'Whatever' }],
    lines: true,
  },
  {
    name: 'hostile-scalars.yml (36+ spellings YAML 1.1 and 1.2 read differently, receivers named 0123 and yes)',
    text: fixture('hostile-scalars.yml'),
    routing: "{page: pd-base, notify: '0123'}",
    migration: [
      [rollback, ['pd-base']],
      [pause, ['0123']],
      // `continue: on` is true to Go: the base's first route keeps its copy of the migration's alerts.
      [{ ...rollback, team: 'dba', tier: '1e3' }, ['yes', 'pd-base']],
    ],
    others: [{ alertname: 'DiskFull', team: 'dba', tier: '1e3', severity: 'critical' }, { alertname: 'DiskFull', severity: 'critical' }, { alertname: 'Whatever' }],
    lines: true,
  },
  {
    name: 'hostile-merge-keys.yml (routes and inhibit rules through anchors, aliases and <<: merge keys)',
    text: fixture('hostile-merge-keys.yml'),
    migration: [
      [rollback, ['pagerduty-orders']],
      [pause, ['slack-orders']],
      [{ ...pause, team: 'dba' }, ['dba-pager', 'slack-orders']],
    ],
    others: [{ alertname: 'DiskFull', team: 'dba' }, { alertname: 'Lag', team: 'dba', severity: 'warning' }, { alertname: 'Whatever' }],
    lines: true,
  },
  {
    name: 'hostile-handwritten.yml (routes and an inhibit rule a person wrote for this migration)',
    text: fixture('hostile-handwritten.yml'),
    migration: [
      [rollback, ['dba-escalation', 'audit', 'pagerduty-orders']],
      [pause, ['audit', 'slack-orders']],
    ],
    others: [{ alertname: 'DiskFull', severity: 'critical' }, { ...rollback, migration_id: 'another-migration' }],
    lines: true,
  },
  {
    name: 'hostile-pagerduty.yml (PagerDuty routing keys 0123456789 and 1e3)',
    text: fixture('hostile-pagerduty.yml'),
    migration: [[rollback, ['pagerduty-orders']]],
    others: [{ alertname: 'DiskFull', team: 'dba', severity: 'critical' }, { alertname: 'Whatever' }],
    lines: true,
  },
  {
    name: 'hostile-json.yml (the whole config as JSON)',
    text: fixture('hostile-json.yml'),
    migration: [
      [rollback, ['pagerduty-orders']],
      [{ ...rollback, team: 'dba' }, ['dba-pager', 'pagerduty-orders']],
    ],
    others: [{ alertname: 'DiskFull', team: 'dba', severity: 'critical' }, { alertname: 'DiskFull', severity: 'critical' }],
    lines: false,
  },
  {
    name: 'base.yml with CRLF line ends, a byte-order mark and no final line break',
    text: '\ufeff' + BASE.replace(/\n/g, '\r\n').replace(/\r\n$/, ''),
    migration: [[rollback, ['pagerduty-orders']]],
    others: [{ alertname: 'DiskFull', team: 'dba', severity: 'critical' }],
    lines: true,
  },
  {
    name: 'null lists (`routes: ~`, `inhibit_rules:`)',
    text: 'route:\n  receiver: slack-orders\n  routes: ~ # none yet\ninhibit_rules:\nreceivers:\n  - name: pagerduty-orders\n  - name: slack-orders\n',
    migration: [[rollback, ['pagerduty-orders']]],
    others: [{ alertname: 'Whatever' }],
    lines: false,
  },
  {
    name: 'empty flow lists and a flow root route without routes',
    text: 'route: {receiver: slack-orders, group_by: [alertname]}\ntemplates: []\ninhibit_rules: [] # none\nreceivers: [{name: pagerduty-orders}, {name: slack-orders}]',
    migration: [[rollback, ['pagerduty-orders']]],
    others: [{ alertname: 'Whatever' }],
    lines: false,
  },
  {
    name: 'no routes and no inhibit rules at all',
    text: 'route:\n  receiver: slack-orders\n  group_wait: 1s\nreceivers:\n  - name: pagerduty-orders\n  - name: slack-orders\n',
    migration: [[rollback, ['pagerduty-orders']]],
    others: [{ alertname: 'Whatever' }],
    lines: true,
  },
];

/**
 * Every scalar, alias, anchor and tag of a YAML text as `path = source text`, in document order.
 * List items holding the migobs marker are left out (and not counted in the paths), so a base and
 * a merged config compare equal exactly when the merge kept every base node's source.
 */
function sourceScalars(text: string): string[] {
  const doc = parseDocument(text, { version: '1.1', merge: true, uniqueKeys: false });
  expect(doc.errors).toEqual([]);
  const raw = (n: Node): string => text.slice(n.range![0], n.range![1]);
  const props = (n: Node): string => [n.anchor ? `&${n.anchor}` : '', n.tag ? `!${n.tag}` : ''].filter(Boolean).join(' ');
  const out: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (isAlias(node)) out.push(`${path} = *${node.source}`);
    else if (isScalar(node)) out.push(`${path} = ${props(node)} ${raw(node)}`);
    else if (isMap(node)) {
      out.push(`${path} {} ${props(node)}`);
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? raw(pair.key) : '?';
        walk(pair.value, `${path}/${key}`);
      }
    } else if (isSeq(node)) {
      out.push(`${path} [] ${props(node)}`);
      node.items.filter((item) => !raw(item as Node).includes('migobs_managed')).forEach((item, i) => walk(item, `${path}/${i}`));
    }
  };
  walk(doc.contents, '');
  // What migobs may replace: an empty or null `routes` / `inhibit_rules` (it becomes the list of its entries).
  return out.filter((e) => !/\/"?(routes|inhibit_rules)"? (?:= +(~|null|)|\[\] )$/.test(e));
}

function isSubsequence(small: string[], big: string[]): boolean {
  let i = 0;
  for (const line of big) if (i < small.length && line === small[i]) i++;
  return i === small.length;
}

const services = new Services();
let am = { url: '', configFile: '' };
beforeAll(async () => {
  am = await services.startAlertmanager(BASE);
});
afterAll(() => services.stopAll());

type Obj = Record<string, unknown> & { route?: Obj & { routes?: Obj[] }; inhibit_rules?: Obj[] };
/** The config as a real Alertmanager read it: its own re-serialization, after a reload with `text`. */
async function readByAlertmanager(text: string): Promise<Obj> {
  writeFileSync(am.configFile, text);
  const reload = await fetch(`${am.url}/-/reload`, { method: 'POST' });
  expect(`${reload.status} ${await reload.text()}`).toMatch(/^200/);
  const status = (await (await fetch(`${am.url}/api/v2/status`)).json()) as { config: { original: string } };
  return parse(status.config.original, { version: '1.1' }) as Obj;
}
const MARKER = 'migobs_managed=~".*"';
const marked = (r: Obj, key: string): boolean => ((r[key] as string[] | undefined) ?? []).includes(MARKER);

/** amtool's exit code and resolved receivers; with no receivers given, nothing is verified. */
function routeTest(file: string, labels: Labels, receivers: string[]): string {
  const args = amtoolRouteArgs({ labels, receivers });
  const r = runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...(receivers.length ? args : args.slice(1))]);
  return `${r.code} ${r.stdout.trim().split('\n')[0]}`;
}

describe.each(HOSTILE.map((h) => [h.name, h] as const))('merge into %s', (_name, hostile) => {
  const dir = services.tempDir('am-hostile');
  const baseFile = join(dir, 'base.yml');
  writeFileSync(baseFile, hostile.text);
  const migration = definition(hostile.routing);
  const parsed = parseBaseConfig(baseFile, hostile.text);
  const result = parsed.base ? mergeAlertmanager(parsed.base, [mergeInputOf(migration)]) : { diagnostics: parsed.diagnostics };
  const merged = result.text ?? '';
  const mergedFile = join(dir, 'merged.yml');
  writeFileSync(mergedFile, merged);

  it('the base is a config amtool accepts, and the merge succeeds', () => {
    expect(runTool('amtool', ['check-config', baseFile]).stdout).toContain('SUCCESS');
    expect(result.diagnostics).toEqual([]);
    expect(merged).not.toBe('');
  });

  it('amtool accepts the result', () => {
    const r = runTool('amtool', ['check-config', mergedFile]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('every base scalar keeps its source text at its place', () => {
    expect(sourceScalars(merged)).toEqual(sourceScalars(hostile.text));
  });

  it.runIf(hostile.lines)('every base line is still there, in order', () => {
    const lines = (t: string): string[] => t.replace(/^\ufeff/, '').split('\n');
    expect(isSubsequence(lines(hostile.text), lines(merged))).toBe(true);
    expect(merged.startsWith('\ufeff')).toBe(hostile.text.startsWith('\ufeff'));
  });

  it('a real Alertmanager reads the base unchanged, plus one migration route and its two inhibit rules', async () => {
    const before = await readByAlertmanager(hostile.text);
    const after = await readByAlertmanager(merged);
    const routes = after.route!.routes ?? [];
    expect(routes.filter((r) => marked(r, 'matchers'))).toHaveLength(1);
    expect(routes.filter((r) => !marked(r, 'matchers'))).toEqual(before.route!.routes ?? []);
    const inhibit = after.inhibit_rules ?? [];
    expect(inhibit.filter((r) => marked(r, 'source_matchers'))).toHaveLength(2);
    expect(inhibit.filter((r) => !marked(r, 'source_matchers'))).toEqual(before.inhibit_rules ?? []);
    // Alertmanager fills in the email headers (To, From, Subject) only for receivers a route uses:
    // the migration's receivers gain them once its route uses them. Compared without those.
    const used = new Set([migration.model.routing.page, migration.model.routing.notify]);
    const rest = (c: Obj): unknown => ({
      ...c,
      inhibit_rules: undefined,
      route: { ...c.route, routes: undefined },
      receivers: (c.receivers as Obj[]).map((r) =>
        used.has(r.name as string) && r.email_configs ? { ...r, email_configs: (r.email_configs as Obj[]).map((e) => ({ ...e, headers: undefined })) } : r,
      ),
    });
    expect(rest(after)).toEqual(rest(before));
  });

  it.each(hostile.migration.map(([labels, receivers]) => [JSON.stringify(labels), labels, receivers] as const))('amtool routes migration alert %s as expected', (_l, labels, receivers) => {
    expect(routeTest(mergedFile, labels, receivers)).toBe(`0 ${receivers.join(',')}`);
  });

  it.each(hostile.others.map((labels) => [JSON.stringify(labels), labels] as const))('amtool routes %s as the base did', (_l, labels) => {
    const inBase = routeTest(baseFile, labels, []).replace(/^\d+ /, '');
    expect(inBase).not.toBe('');
    expect(routeTest(mergedFile, labels, inBase.split(','))).toBe(`0 ${inBase}`);
  });

  it('merging the result again gives the same bytes', () => {
    const again = parseBaseConfig('merged.yml', merged);
    expect(again.diagnostics).toEqual([]);
    expect(mergeAlertmanager(again.base!, [mergeInputOf(migration)]).text).toBe(merged);
  });
});
