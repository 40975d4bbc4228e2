import { describe, expect, it } from 'vitest';
import { thresholdMagnitude } from '../../../src/validate/rules/threshold-magnitude';
import { located } from '../../helpers/definitions';

describe(thresholdMagnitude.name, () => {
  it.each([
    [5e-324, 60, 'pause'],
    [10, 1e300, 'rollback'],
    [-1e16, 60, 'pause'],
  ])('pause %d rollback %d: %s is refused at its line', (pause, rollback, field) => {
    const p = located((d) => Object.assign(d.spec.gates![0]!, { pause, rollback }));
    expect(p.map((x) => x.check)).toContain('threshold-magnitude');
    const hit = p.find((x) => x.check === 'threshold-magnitude')!;
    expect(hit.message).toContain(`${field} `);
    expect(hit.text).toBe(String(field === 'pause' ? pause : rollback));
  });
  it.each([[0, 1e-9], [1e-9, 1e15], [0.05, 0.5]])('pause %d rollback %d is fine', (pause, rollback) => {
    expect(located((d) => Object.assign(d.spec.gates![0]!, { pause, rollback })).map((x) => x.check)).not.toContain('threshold-magnitude');
  });
});
