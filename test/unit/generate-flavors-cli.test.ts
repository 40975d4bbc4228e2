/**
 * `migobs generate --flavor` through the built CLI: the "done when" command writes every
 * flavour; --check knows the flavours; a flavour dropped from the command has its files removed
 * (manifest-owned, like a removed migration's); bad flavour names and deploy settings are refused
 * with file:line:col and nothing written.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FILES, OUT_META } from '../../src/generate/names';
import { migobs, REPO } from '../helpers/cli';

const EXAMPLE = join(REPO, 'examples', 'orders-region-backfill.yaml');
const ID = 'orders-region-backfill';
const ALL = ['--flavor', 'prometheus-operator', '--flavor', 'grafana-operator', '--flavor', 'configmap', '--flavor', 'mimir', '--flavor', 'grafana-alerting'];
const dir = mkdtempSync(join(tmpdir(), 'migobs-flavors-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generate --flavor', () => {
  const out = join(dir, 'out');
  const flavorFiles = [FILES.prometheusRule(ID), FILES.alertmanagerConfig(ID), FILES.grafanaDashboard(ID), FILES.dashboardConfigMap(ID), FILES.mimirRules(ID), FILES.mimirAlertmanager(ID), FILES.grafanaAlerting(ID)];

  it('the issue\'s command writes every flavour (and only those), warning about receivers without integrations', () => {
    const r = migobs(['generate', EXAMPLE, '--out-dir', out, ...ALL]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of flavorFiles) expect(existsSync(join(out, f)), f).toBe(true);
    expect(existsSync(join(out, FILES.rules(ID)))).toBe(false);
    expect(r.stderr).toMatch(/receiver `pagerduty-orders` without integrations/);
    const manifest = JSON.parse(readFileSync(join(out, OUT_META.manifest), 'utf8')) as { files: string[] };
    expect(manifest.files).toEqual([...flavorFiles].sort());
  });

  it('--check with the same flavours is current; without them it reports the difference', () => {
    const same = migobs(['generate', EXAMPLE, '--out-dir', out, '--check', ...ALL]);
    expect(same.code, same.stderr).toBe(0);
    const other = migobs(['generate', EXAMPLE, '--out-dir', out, '--check']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`missing: ${out}/${FILES.rules(ID)}`);
    expect(other.stderr).toContain(`extra:   ${out}/${FILES.prometheusRule(ID)}`);
  });

  it('files + one flavour: the other flavours\' files are removed, the plain layout written beside', () => {
    const r = migobs(['generate', EXAMPLE, '--out-dir', out, '--flavor', 'files', '--flavor', 'mimir']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, FILES.rules(ID)))).toBe(true);
    expect(existsSync(join(out, FILES.mimirRules(ID)))).toBe(true);
    expect(existsSync(join(out, FILES.prometheusRule(ID)))).toBe(false);
    expect(r.stdout).toContain(`removed ${out}/${FILES.prometheusRule(ID)}`);
  });

  it('deploy.flavors in the config is the default; --flavor overrides it', () => {
    const cfgDir = join(dir, 'cfg');
    const cfgOut = join(dir, 'cfg-out');
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(join(cfgDir, 'migobs.config.yaml'), 'deploy:\n  flavors: [grafana-alerting]\n');
    const r = migobs(['generate', EXAMPLE, '--out-dir', cfgOut], { cwd: cfgDir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cfgOut, FILES.grafanaAlerting(ID)))).toBe(true);
    expect(existsSync(join(cfgOut, FILES.rules(ID)))).toBe(false);
  });

  it('an unknown flavour is refused, with a suggestion, and nothing is written', () => {
    const fresh = join(dir, 'fresh');
    const r = migobs(['generate', EXAMPLE, '--out-dir', fresh, '--flavor', 'prometheus-operater']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--flavor prometheus-operater: not a flavour \(did you mean `prometheus-operator`\?\)/);
    expect(existsSync(fresh)).toBe(false);
  });

  it.each([
    ['deploy:\n  prometheusOperator:\n    ruleLabels:\n      release: 1\n', /migobs\.config\.yaml:4:16: .*must be a string/],
    ['deploy:\n  namespace: Monitoring\n', /migobs\.config\.yaml:2:14: `deploy.namespace` must be a Kubernetes namespace name/],
    ['deploy:\n  flavors: [helm]\n', /migobs\.config\.yaml:2:13: unknown flavour `helm`/],
    ['deploy:\n  configmap:\n    dashboardLabel: {a: b}\n', /migobs\.config\.yaml:3:5: unknown key `dashboardLabel` in deploy\.configmap \(did you mean `dashboardLabels`\?\)/],
    ['headers:\n  "X Bad": v\n', /migobs\.config\.yaml:2:3: header name `X Bad` is not an HTTP field name/],
  ])('a bad deploy setting is refused at its place: %j', (text, message) => {
    const cfg = join(dir, `bad-${Math.abs(hash(text))}.yaml`);
    writeFileSync(cfg, text);
    const fresh = join(dir, `fresh-${Math.abs(hash(text))}`);
    const r = migobs(['--config', cfg, 'generate', EXAMPLE, '--out-dir', fresh]);
    expect(r.code).toBe(1);
    expect(r.stderr.replace(cfg, 'migobs.config.yaml')).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(fresh)).toBe(false);
  });
});

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
