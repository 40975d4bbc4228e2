import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/pipeline';
import { thresholdReachable } from '../../../src/validate/rules/threshold-reachable';
import { located } from '../../helpers/definitions';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'semantic', 'threshold-reachable');

describe(thresholdReachable.name, () => {
  // A ratio (unit or library range 0..1), a lag (unit s: >= 0), direction, pause, rollback -> problems.
  it.each<[string, string, 'above' | 'below', number, number, string[]]>([
    ['ratio', 'ratio', 'above', 1, 5, [
      'pause 1 is unreachable: the gate pauses only when the value is strictly greater than 1, which signal `replicationLag` (0..1, unit ratio) never is',
      'rollback 5 is unreachable: the gate rolls back only when the value is strictly greater than 5, which signal `replicationLag` (0..1, unit ratio) never is',
    ]],
    ['percentunit', 'percentunit', 'above', 0.5, 2, ['rollback 2 is unreachable']],
    ['ratio below at 0', 'ratio', 'below', 0.1, 0, ['rollback 0 is unreachable: the gate rolls back only when the value is strictly less than 0']],
    ['ratio below above 1', 'ratio', 'below', 2, 0.5, ['pause 2 is always passed: signal `replicationLag` (0..1, unit ratio) is always less than 2, so the gate pauses all the time']],
    ['lag below under 0', 's', 'below', -1, -5, ['pause -1 is unreachable', 'rollback -5 is unreachable']],
    ['lag above under 0', 's', 'above', -1, 5, ['pause -1 is always passed: signal `replicationLag` (>= 0, unit s) is always greater than -1, so the gate pauses all the time']],
    ['percent', 'percent', 'above', 50, 101, ['rollback 101 is unreachable']],
    ['bytes/s rate', 'bytes/s', 'below', 0, -1, ['pause 0 is unreachable', 'rollback -1 is unreachable']],
  ])('%s: refused at the threshold', (_name, unit, direction, pause, rollback, messages) => {
    const p = located((d) => {
      d.spec.signals!.replicationLag!.unit = unit;
      Object.assign(d.spec.gates![0]!, { direction, pause, rollback });
    }).filter((x) => x.check === 'threshold-reachable');
    expect(p.map((x) => x.message)).toHaveLength(messages.length);
    p.forEach((x, i) => {
      expect(x.message).toContain(messages[i]);
      expect(x.text).toBe(String(messages[i]!.includes('pause') ? pause : rollback));
    });
  });

  it.each<[string, 'above' | 'below', number, number]>([
    ['ratio', 'above', 0, 0.99],
    ['ratio', 'below', 1, 0.01],
    ['s', 'above', 0, 1e6],
    ['s', 'below', 10, 1],
    ['short', 'above', -100, 100],
  ])('unit %s %s pause %d rollback %d is fine', (unit, direction, pause, rollback) => {
    const p = located((d) => {
      d.spec.signals!.replicationLag!.unit = unit;
      Object.assign(d.spec.gates![0]!, { direction, pause, rollback });
    });
    expect(p).toEqual([]);
  });

  it('says what 5 % is for a ratio', () => {
    const r = loadDefinitions([join(FIXTURES, 'bad-ratio.yaml')]);
    expect(r.diagnostics.map((d) => [d.line, d.column, d.check, d.hint])).toEqual([
      [13, 14, 'threshold-reachable', 'a ratio is 0..1: 5% is 0.05'],
      [14, 17, 'threshold-reachable', 'a ratio is 0..1: 50% is 0.5'],
    ]);
    expect(r.diagnostics[0]!.message).toBe('gate `batch-error-ratio`: pause 5 is unreachable: the gate pauses only when the value is strictly greater than 5, which signal `batchErrorRatio` (0..1, the signal library) never is');
  });

  it.each([
    ['bad-negative.yaml', [[17, 14], [18, 17]]],
    ['bad-unreachable.yaml', [[14, 17]]],
    ['good.yaml', []],
  ])('%s', (file, at) => {
    const r = loadDefinitions([join(FIXTURES, file)]);
    expect(r.diagnostics.map((d) => [d.line, d.column])).toEqual(at);
    for (const d of r.diagnostics) expect(d.check).toBe('threshold-reachable');
  });

  it('a preset threshold made unreachable by overriding the signal is reported at spec.type, naming the preset', () => {
    const p = located((d) => {
      d.spec.signals!.activeSessions = { expr: 'max(pg_stat_activity_count)', unit: 'ratio' };
    }).filter((x) => x.check === 'threshold-reachable');
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]!.text).toMatch(/^backfill/);
    expect(p[0]!.message).toContain("(the backfill preset's value)");
  });
});
