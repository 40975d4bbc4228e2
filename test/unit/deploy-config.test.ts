/** deploy:/headers: of migobs.config.yaml, and how gate/watch combine extra headers (src/load/deploy-config.ts, src/live/setup.ts). */
import { describe, expect, it } from 'vitest';
import { headerProblem, labelKeyProblem, labelValueProblem, parseDeploy, parseHeaderArg } from '../../src/load/deploy-config';
import { resolveHeaders } from '../../src/live/setup';

describe('extra Prometheus API headers', () => {
  it('config, then MIGOBS_PROMETHEUS_HEADERS, then --header; the same name (any case) is replaced', () => {
    expect(resolveHeaders({ 'X-Scope-OrgID': 'cfg', 'X-A': '1' }, 'x-scope-orgid: env\nX-B: 2\n', ['X-Scope-OrgID: flag'])).toEqual({ 'X-Scope-OrgID': 'flag', 'X-A': '1', 'X-B': '2' });
    expect(resolveHeaders(undefined, undefined, undefined)).toEqual({});
    expect(resolveHeaders(undefined, 'X-Scope-OrgID:  team-a \r\n', [])).toEqual({ 'X-Scope-OrgID': 'team-a' });
  });

  it.each([
    ['no colon', 'X-Scope-OrgID team-a', /write a header as 'Name: value'/],
    ['a space in the name', 'X Scope: a', /is not an HTTP field name/],
    ['Host', 'Host: evil.example.com', /set by migobs itself/],
    ['a line feed in the value', 'X-A: secret\nX-B: 1', /control character/],
  ])('refuses %s without printing the value', (_n, text, message) => {
    const flag = (() => {
      try {
        resolveHeaders(undefined, undefined, [text]);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(flag).toMatch(message);
    expect(flag).not.toContain('secret');
    expect(flag).not.toContain('evil.example.com');
  });

  it('a value with a carriage return from the environment is refused, a tab is allowed', () => {
    expect(parseHeaderArg('X-A: a\rb', 'env')).toEqual({ problem: expect.stringMatching(/control character/) });
    expect(parseHeaderArg('X-A: a\tb', 'env')).toEqual({ name: 'X-A', value: 'a\tb' });
    expect(headerProblem('Authorization', 'Bearer x')).toBeUndefined();
  });
});

describe('deploy: settings', () => {
  const problems = (value: unknown): string[] => {
    const out: string[] = [];
    parseDeploy(value, (path, message) => out.push(`${path.join('.')}: ${message}`));
    return out;
  };

  it('accepts every documented key', () => {
    expect(problems({ flavors: ['files', 'mimir'], namespace: 'monitoring', labels: { 'app.kubernetes.io/part-of': 'obs' }, prometheusOperator: { ruleLabels: { release: 'kps' }, receivers: { a: { slackConfigs: [] } } }, grafanaOperator: { instanceSelector: { matchLabels: { dashboards: 'grafana' } }, folder: 'M' }, configmap: { dashboardLabels: { grafana_dashboard: '1' }, rules: true }, mimir: { namespacePrefix: 'x-' }, grafanaAlerting: { folder: 'M', orgId: 2 } })).toEqual([]);
  });

  it.each([
    [{ namespace: 'Bad_NS' }, /deploy\.namespace/],
    [{ labels: { release: 1 } }, /must be a string/],
    [{ labels: { 'bad key!': 'x' } }, /Kubernetes label name/],
    [{ labels: { a: 'not a value' } }, /not a Kubernetes label value/],
    [{ flavors: ['helm'] }, /unknown flavour `helm`/],
    [{ prometheusOperator: { receivers: { a: { name: 'a' } } } }, /leave out `name`/],
    [{ grafanaAlerting: { orgId: 0 } }, /orgId/],
    [{ configmap: { rules: 'yes' } }, /true or false/],
    [{ mimir: { namespacePrefix: 'a b' } }, /namespacePrefix/],
    [{ grafanaOperatr: {} }, /unknown key `grafanaOperatr` in deploy \(did you mean `grafanaOperator`\?\)/],
  ])('refuses %j', (value, message) => {
    expect(problems(value).join('\n')).toMatch(message);
  });

  it('label keys and values follow Kubernetes', () => {
    expect(labelKeyProblem('grafana_dashboard')).toBeUndefined();
    expect(labelKeyProblem('example.com/team')).toBeUndefined();
    expect(labelKeyProblem('Example.com/team')).toMatch(/prefix/);
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('x'.repeat(64))).toMatch(/at most 63/);
  });
});
