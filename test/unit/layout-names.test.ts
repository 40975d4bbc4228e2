/** The output layout's helpers in names.ts: links between output files, and which paths migobs owns. */
import { describe, expect, it } from 'vitest';
import { FILES, isGeneratedPath, legacyPaths, migrationIdOf, migrationPaths, relativeLink, RULES_GLOB } from '../../src/generate/names';

describe('relativeLink', () => {
  it.each([
    [FILES.rulesTest('m'), FILES.rules('m'), '../rules/m.yaml'],
    [FILES.runbook('m'), FILES.alertsDoc('m'), 'alerts.md'],
    [FILES.alertsDoc('m'), FILES.rules('m'), '../../prometheus/rules/m.yaml'],
    [FILES.alertsDoc('m'), FILES.rulesTest('m'), '../../prometheus/tests/m.test.yaml'],
    ['a.md', 'docs/m/runbook.md', 'docs/m/runbook.md'],
    ['docs/m/runbook.md', 'x.md', '../../x.md'],
  ])('from %s to %s is %s', (from, to, link) => expect(relativeLink(from, to)).toBe(link));
});

describe('ownership', () => {
  it('every per-migration path is generated, belongs to its migration, and only the rules match the rule_files glob', () => {
    for (const p of migrationPaths('orders-2')) {
      expect(isGeneratedPath(p), p).toBe(true);
      expect(migrationIdOf(p), p).toBe('orders-2');
      expect(new RegExp(`^${RULES_GLOB.replace('.', '\\.').replace('*', '[^/]*')}$`).test(p), p).toBe(p === FILES.rules('orders-2'));
    }
    expect(isGeneratedPath(FILES.provisioning)).toBe(true);
  });

  it.each([
    '../victim.txt',
    '/etc/hostname',
    'keep.txt',
    'docs',
    'docs/m/notes.md',
    'prometheus/rules/sub/x.yaml',
    'prometheus/rules/../../x.yaml',
    'prometheus/rules/UPPER.yaml',
    'prometheus/rules/-x.yaml',
    'prometheus/tests/m.yaml',
    'grafana/dashboards/m.json.bak',
    '.migobs-manifest.json',
    ...legacyPaths('m'),
  ])('%s is not a path migobs writes', (p) => {
    expect(isGeneratedPath(p)).toBe(false);
    expect(migrationIdOf(p)).toBeUndefined();
  });
});
