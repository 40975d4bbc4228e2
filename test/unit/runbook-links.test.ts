/** The link checker itself: it must find broken links, or the runbook link tests prove nothing. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLinks, headingSlug, markdownAnchors, markdownLinks } from '../helpers/links';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migobs-links-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const RUNBOOK = '<a id="gate-lag"></a>\n### Gate: lag\n\n## Stalled alerts\n';

describe('checkLinks', () => {
  it('accepts links to explicit anchors and heading slugs in existing files', () => {
    const dir = folder({
      'runbook.md': `${RUNBOOK}[a](alerts.md#alert-lag-pause) [b](#gate-lag) [c](#stalled-alerts) [d](https://x.example/y) [e](alerts.md)`,
      'alerts.md': '<a id="alert-lag-pause"></a>\n## x\n[back](runbook.md#gate-lag)',
    });
    expect(checkLinks(dir)).toEqual([]);
  });

  it.each([
    ['a missing anchor in another file', '[a](alerts.md#alert-nope)', /no anchor #alert-nope in alerts\.md/],
    ['a missing anchor in the same file', '[a](#gate-nope)', /no anchor #gate-nope in runbook\.md/],
    ['a missing file', '[a](dashboard.md#panel-1)', /file dashboard\.md does not exist/],
    ['a javascript: link', '[a](javascript:alert(1))', /unsafe link target javascript:alert\(1\)/],
  ])('reports %s', (_n, link, message) => {
    const problems = checkLinks(folder({ 'runbook.md': `${RUNBOOK}\n${link}\n`, 'alerts.md': '# Alerts\n' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).toMatch(/^runbook\.md:\d+: /);
  });

  it('ignores links in code and escaped brackets', () => {
    const dir = folder({ 'runbook.md': '`[a](x.md#y)`\n\n```\n[b](x.md)\n```\n\\[c\\]\\(x.md\\)\n' });
    expect(checkLinks(dir)).toEqual([]);
  });

  it('checks runbook_url anchors of the rules and runbook links of the dashboard against that migration\'s runbook', () => {
    const rules =
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: {runbook_url: "https://docs.example.com/m/runbook.md#gate-lag"}\n' +
      '      - alert: B\n        expr: up\n        annotations: {runbook_url: docs/m/runbook.md#gate-gone}\n' +
      '      - alert: C\n        expr: up\n        annotations: {runbook_url: runbook.md#gate-lag}\n' +
      '      - alert: D\n        expr: up\n        annotations: {runbook_url: "https://docs.example.com/other/runbook.md#gate-lag"}\n      - record: r\n        expr: up\n';
    const dashboard = JSON.stringify({ links: [{ url: 'docs/m/runbook.md#gate-lag' }, { url: 'docs/m/runbook.md#nope' }] });
    const problems = checkLinks(folder({ 'docs/m/runbook.md': RUNBOOK, 'prometheus/rules/m.yaml': rules, 'grafana/dashboards/m.json': dashboard }));
    expect(problems).toEqual([
      expect.stringMatching(/prometheus\/rules\/m\.yaml: B runbook_url: .*no anchor #gate-gone in docs\/m\/runbook\.md/),
      expect.stringMatching(/prometheus\/rules\/m\.yaml: C runbook_url: runbook\.md#gate-lag is relative but not docs\/m\/runbook\.md/),
      expect.stringMatching(/prometheus\/rules\/m\.yaml: D runbook_url: .* does not name the migration m/),
      expect.stringMatching(/grafana\/dashboards\/m\.json: link: .*no anchor #nope/),
    ]);
  });
});

describe('anchors and links', () => {
  it.each([
    ['Gate: Replica lag (`replication-lag`)', 'gate-replica-lag-replication-lag'],
    ['1. Preflight', '1-preflight'],
    ['Threads\\_running &amp; more', 'threads_running--more'],
  ])('slug of %s', (heading, slug) => expect(headingSlug(heading)).toBe(slug));

  it('numbers duplicate heading slugs', () => {
    expect([...markdownAnchors('## A\n## A\n<a id="x"></a>')].sort()).toEqual(['a', 'a-1', 'x']);
  });

  it('finds link targets with parentheses and line numbers', () => {
    expect(markdownLinks('x\n[t](a.md#b) [u](https://e.com/x_(y))')).toEqual([
      { text: 't', target: 'a.md#b', line: 2 },
      { text: 'u', target: 'https://e.com/x_(y)', line: 2 },
    ]);
  });
});
