import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/load/config';
import { receiverNameProblem, receiverNameValid } from '../../../src/validate/rules/receiver-name-valid';
import { located } from '../../helpers/definitions';

const withPage = (page: string) => located((d) => (d.spec.routing = { page, notify: 'slack-orders' }));

describe(receiverNameValid.name, () => {
  it.each(['pagerduty-orders', 'slack_orders', 'Team DBA pager', 'pd/orders:eu.1', 'ops@example.com', '0123', 'yes', 'a', 'x'.repeat(100)])('accepts %j', (name) => {
    expect(receiverNameProblem(name)).toBeUndefined();
    expect(withPage(name)).toEqual([]);
  });

  it.each([
    ['pd-$(touch /tmp/x)', 'contains `$`'],
    ['pd-`id`', 'contains ```'],
    ['a;b', 'contains `;`'],
    ['a|b', 'contains `|`'],
    ['a&b', 'contains `&`'],
    ['a>b', 'contains `>`'],
    ["it's", "contains `'`"],
    ['say "hi"', 'contains `"`'],
    ['a\\b', 'contains `\\`'],
    ['a,b', 'contains `,`'],
    ['team {{ x }}', 'contains `{`'],
    ['a*', 'contains `*`'],
    ['#pager', 'contains `#`'],
    ['ü-pager', 'contains U+00FC'],
    ['a\tb', 'contains U+0009'],
    ['-pager', 'must start with a letter or digit, not `-`'],
    [' pager', 'must start with a letter or digit, not U+0020'],
    ['pager ', 'may not end with a space'],
    ['x'.repeat(101), 'is 101 characters long'],
  ])('refuses %j at spec.routing.page, with a hint', (name, message) => {
    const p = withPage(name);
    expect(p).toHaveLength(1);
    expect(p[0]!.check).toBe('receiver-name-valid');
    expect(p[0]!.message).toContain(`spec.routing.page: receiver name ${message}`);
    // Located at the value: the text from the reported column starts with the name or its quote.
    expect([name[0], '"', "'"]).toContain(p[0]!.text[0]);
  });

  it('checks notify too', () => {
    const p = located((d) => (d.spec.routing = { page: 'pd', notify: 'slack;rm -rf /' }));
    expect(p.map((x) => [x.check, x.message])).toEqual([['receiver-name-valid', 'spec.routing.notify: receiver name contains `;`']]);
  });

  it('the repo config’s routing defaults are checked too, at their line', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'migobs-cfg-')), 'migobs.config.yaml');
    writeFileSync(file, "outDir: out\nrouting:\n  page: 'pd-$(touch /tmp/x)'\n  notify: slack\n");
    const r = loadConfig(file);
    expect(r.diagnostics.map((d) => [d.line, d.column, d.message])).toEqual([[3, 9, 'routing.page: receiver name contains `$`']]);
    expect(r.diagnostics[0]!.hint).toMatch(/letters, digits/);
    expect(r.config.routing?.page).toBeUndefined();
  });
});
