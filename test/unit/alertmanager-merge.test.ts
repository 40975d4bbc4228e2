/**
 * What `migobs alertmanager --base` owns and what it refuses: re-merges replace exactly the marked
 * routes and inhibit rules of the migrations being merged (and those of migobs before the marker,
 * by their comment); bases whose meaning a merge cannot keep are refused at a line, never changed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mergeAlertmanager, mergeInputOf, parseBaseConfig, type MergeResult } from '../../src/alertmanager/merge';
import { parseAmMatchers } from '../../src/alertmanager/matchers';
import { applyEdits } from '../../src/alertmanager/text-edit';
import { loadDefinitionText, type LoadedMigration } from '../../src/pipeline';
import { toFlowJson, toYaml11 } from '../../src/render/serialize';
import { REPO } from '../helpers/cli';
import { runTool } from '../helpers/tools';

const BASE = readFileSync(join(REPO, 'test/fixtures/alertmanager/base.yml'), 'utf8');
const EXAMPLE = readFileSync(join(REPO, 'examples/orders-region-backfill.yaml'), 'utf8');

function migration(id = 'orders-region-backfill', routing?: string): LoadedMigration {
  let text = EXAMPLE.replace('id: orders-region-backfill', `id: ${id}`);
  if (routing) text = text.replace(/ {2}routing: .*\n/, `  routing: ${routing}\n`);
  const r = loadDefinitionText(`${id}.yaml`, text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.migrations[0]!;
}

function merge(base: string, ms: LoadedMigration[] = [migration()]): MergeResult {
  const parsed = parseBaseConfig('base.yml', base);
  if (!parsed.base) return { diagnostics: parsed.diagnostics };
  return mergeAlertmanager(parsed.base, ms.map(mergeInputOf));
}

function mergedText(base: string, ms?: LoadedMigration[]): string {
  const r = merge(base, ms);
  expect(r.diagnostics).toEqual([]);
  return r.text!;
}

function writeTmp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'migobs-am-merge-')), 'alertmanager.yml');
  writeFileSync(file, text);
  return file;
}

type Route = { receiver?: string; matchers?: string[]; routes?: Route[] };
const routesOf = (text: string): Route[] => (parse(text, { version: '1.1' }) as { route: { routes: Route[] } }).route.routes;
const MARKED = (id: string): string[] => [`migration_id="${id}"`, 'migobs_managed=~".*"'];

describe('a re-merge replaces exactly what migobs wrote', () => {
  const once = mergedText(BASE);

  it('a changed definition replaces its route and inhibit rules, nothing else', () => {
    const changed = mergedText(once, [migration('orders-region-backfill', '{page: sre-pager, notify: dba-slack}')]);
    const routes = routesOf(changed);
    expect(routes.filter((r) => r.matchers?.includes('migration_id="orders-region-backfill"'))).toHaveLength(1);
    expect(routes[0]!.receiver).toBe('dba-slack');
    expect(changed.match(/migobs_managed/g)).toHaveLength(3);
    // Merging the original definition again restores the first output byte for byte.
    expect(mergedText(changed)).toBe(once);
  });

  it('routes of migrations not being merged stay, in place', () => {
    const both = mergedText(once, [migration('users-email-backfill')]);
    expect(routesOf(both).slice(0, 2).map((r) => r.matchers)).toEqual([MARKED('users-email-backfill'), MARKED('orders-region-backfill')]);
    expect(both.match(/migobs_managed/g)).toHaveLength(6);
  });

  it('a route that names the migration but lacks the marker is a person’s: kept', () => {
    const handWritten = BASE.replace(
      '  routes:\n',
      '  routes:\n    - receiver: dba-pager\n      matchers: [migration_id="orders-region-backfill", severity="critical"]\n      continue: true\n',
    );
    const out = mergedText(handWritten);
    expect(routesOf(out)[0]).toEqual({ receiver: 'dba-pager', matchers: ['migration_id="orders-region-backfill"', 'severity="critical"'], continue: true });
    expect(routesOf(out)[1]!.matchers).toEqual(MARKED('orders-region-backfill'));
  });

  it('output of migobs before the marker (recognised by its comment) is replaced, not duplicated', () => {
    // The old layout: `# migobs: migration <id>` above an unmarked route and inhibit rules.
    const legacy = once
      .replace(/# migobs: migration orders-region-backfill .*/g, '# migobs: migration orders-region-backfill')
      .replace(/, migobs_managed=~"\.\*"/g, '');
    expect(legacy).not.toContain('migobs_managed');
    expect(mergedText(legacy)).toBe(once);
  });

  it('the marker is recognised however the matchers are spelled (re-formatted by a tool)', () => {
    const reformatted = once.replace('[migration_id="orders-region-backfill", migobs_managed=~".*"]', "['{ migobs_managed =~ \".*\" , migration_id = orders-region-backfill }']");
    expect(reformatted).not.toBe(once);
    expect(mergedText(reformatted)).toBe(once);
  });
});

describe('bases the merge cannot keep the meaning of are refused, at a line', () => {
  it.each([
    [
      'a base route only for this migration that its route would shadow',
      BASE.replace('  routes:\n', '  routes:\n    - receiver: sre-pager\n      matchers: [severity="critical"]\n    - receiver: dba-pager\n      matchers: [migration_id="orders-region-backfill"]\n'),
      17,
      /this base route only matches alerts of migration `orders-region-backfill`.*would never be used/,
    ],
    ['the same receiver defined twice', BASE.replace('  - name: migobs-notify\n', '  - name: dba-slack\n  - name: migobs-notify\n'), 88, /receiver `dba-slack` is defined twice \(first at line 42\)/],
    ['route.routes shared through an alias', 'templates: &none []\nroute:\n  receiver: a\n  routes: *none\nreceivers: [{name: a}]\n', 1, /`route\.routes` is shared through a YAML anchor \(`\*none` at line 4\)/],
    ['inhibit_rules shared through an alias', 'templates: &none []\nroute: {receiver: a}\ninhibit_rules: *none\nreceivers: [{name: a}]\n', 1, /`inhibit_rules` is shared through a YAML anchor \(`\*none` at line 3\)/],
    ['a line separator outside quotes (a line break to Go, not to YAML 1.2)', 'route:\n  receiver: a # note\u2028routes: x\nreceivers: [{name: a}]\n', 2, /U\+2028 outside quotes/],
    ['route.routes that is not a list', 'route:\n  receiver: a\n  routes: nope\nreceivers: [{name: a}]\n', 3, /`route\.routes` must be a list/],
  ])('%s', (_name, base, line, message) => {
    const ms = [migration('orders-region-backfill', '{page: a, notify: a}')];
    const r = merge(base, base.includes('pagerduty-orders') ? [migration()] : ms);
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual([expect.stringMatching(new RegExp(`^${line}: ${message.source}`))]);
  });

  it('an alias that points into a migobs-written route', () => {
    const once = mergedText(BASE);
    const aliased = once.replace('group_by: [migration_id, gate]', 'group_by: &ours [migration_id, gate]').replace('equal: [instance]', 'equal: *ours');
    const r = merge(aliased);
    expect(r.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/`\*ours` points into the migobs-written entry of migration `orders-region-backfill`/)]);
  });

  it('a list item that does not start its line, where migration routes must go before it', () => {
    const r = merge('route:\n  receiver: a\n  routes: [\n    {receiver: a}]\nreceivers: [{name: a}]\n', [migration('orders-region-backfill', '{page: a, notify: a}')]);
    // A flow list is edited inside its brackets instead: accepted.
    expect(r.diagnostics).toEqual([]);
    const odd = merge('route:\n  receiver: a\n  ? routes\n  : - receiver: a\nreceivers: [{name: a}]\n', [migration('orders-region-backfill', '{page: a, notify: a}')]);
    expect(odd.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/does not start its line/)]);
  });
});

describe('reading the base as Alertmanager does', () => {
  it('receiver names are their source text: `0123` and `yes` are names, not a number and a boolean', () => {
    const base = 'route:\n  receiver: 0123\nreceivers:\n  - name: 0123\n  - name: yes\n  - name: n\n  - name: off\n';
    const r = parseBaseConfig('b.yml', base);
    expect(r.diagnostics).toEqual([]);
    expect(r.base!.receivers).toEqual(['0123', 'yes', 'n', 'off']);
    const out = mergedText(base, [migration('orders-region-backfill', "{page: '0123', notify: 'yes'}")]);
    expect(routesOf(out)[0]!.receiver).toBe('yes');
    expect(out).toContain('receiver: "yes"');
  });

  it.each([
    ['an own key before a merge key: the merged list wins', 'route:\n  routes: [{receiver: a}]\n  <<: {routes: [{receiver: b}]}\n  receiver: a\n', 'b', '<<: {routes: [{"receiver": "a"'],
    ['an own key after a merge key: the own list wins', 'route:\n  <<: {routes: [{receiver: b}]}\n  routes: [{receiver: a}]\n  receiver: a\n', 'a', 'routes: [{"receiver": "a", "matchers"'],
    ['a merged list of maps: the first map wins', 'route:\n  <<: [{routes: [{receiver: b}]}, {routes: [{receiver: a}]}]\n  receiver: a\n', 'b', '<<: [{routes: [{"receiver": "a"'],
  ])('merge keys as yaml.v2 applies them (%s): the migration route goes into the list Alertmanager uses', (_n, route, other, inserted) => {
    const base = `${route}receivers: [{name: a}, {name: b}]\n`;
    // What Alertmanager itself makes of the base: an alert no route names goes to the list's only route.
    expect(runTool('amtool', ['config', 'routes', 'test', `--config.file=${writeTmp(base)}`, 'alertname=x']).stdout.trim()).toBe(other);
    const out = mergedText(base, [migration('orders-region-backfill', '{page: a, notify: a}')]);
    expect(out).toContain(inserted);
    const file = writeTmp(out);
    expect(runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, 'alertname=x']).stdout.trim()).toBe(other);
    expect(runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=a', 'migration_id=orders-region-backfill', 'severity=critical']).code).toBe(0);
  });

  it('the base’s own leading `continue: true` routes keep seeing migration alerts', () => {
    const base = BASE.replace('  routes:\n', '  routes:\n    - receiver: dba-slack\n      continue: yes\n');
    expect(routesOf(mergedText(base)).map((r) => r.receiver).slice(0, 3)).toEqual(['dba-slack', 'slack-orders', 'dba-pager']);
  });
});

describe('helpers', () => {
  it.each([
    ['a="b"', [{ name: 'a', op: '=', value: 'b' }]],
    ['{a = b , c!~"d,e"}', [{ name: 'a', op: '=', value: 'b' }, { name: 'c', op: '!~', value: 'd,e' }]],
    ['x="q\\"uote\\n"', [{ name: 'x', op: '=', value: 'q"uote\n' }]],
    ['a="b', undefined],
    ['1a=b', undefined],
  ])('parseAmMatchers(%j)', (text, want) => {
    expect(parseAmMatchers(text)).toEqual(want);
  });

  it('applyEdits keeps every byte outside the edits and refuses overlapping ones', () => {
    expect(applyEdits('abcdef', [{ start: 1, end: 3, text: '' }, { start: 1, end: 1, text: 'X' }, { start: 2, end: 4, text: '' }, { start: 6, end: 6, text: '!' }])).toBe('aXef!');
    expect(() => applyEdits('abcdef', [{ start: 1, end: 4, text: 'Y' }, { start: 2, end: 2, text: 'X' }])).toThrow(/overlapping/);
  });

  // (The yaml library always writes a `<<` value plain; yaml.v2 reads that into a string field as "<<".)
  it.each(['0123', 'yes', 'on', 'y', 'null', '~', '1_000', '0x1F', '0o17', '+12', '.5', '1e3', '1:30', '2001-12-14', '=', '', '.inf', '.NaN'])(
    'toYaml11 quotes %j, which YAML 1.1 reads as something else',
    (s) => {
      expect(toYaml11({ v: s })).toBe(`v: ${JSON.stringify(s)}\n`);
    },
  );

  it('toFlowJson escapes the characters Go takes for line breaks', () => {
    expect(toFlowJson({ a: ['x\u2028y', 1, true] })).toBe('{"a": ["x\\u2028y", 1, true]}');
  });
});
