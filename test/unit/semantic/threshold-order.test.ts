import { describe, expect, it } from 'vitest';
import { thresholdOrder } from '../../../src/validate/rules/threshold-order';
import { located, problems } from '../../helpers/definitions';

describe(thresholdOrder.name, () => {
  it.each([
    ['above', 10, 60, true],
    ['above', 10, 10, false],
    ['above', 60, 10, false],
    ['below', 0.2, 0.1, true],
    ['below', 0.1, 0.1, false],
    ['below', 0.1, 0.2, false],
  ] as const)('direction %s pause %d rollback %d ok=%s', (direction, pause, rollback, ok) => {
    const p = located((d) => Object.assign(d.spec.gates![0]!, { direction, pause, rollback })).map(({ check, text, message }) => ({ check, text, message }));
    if (ok) expect(p).toEqual([]);
    else expect(p).toEqual([{ check: 'threshold-order', text: `${rollback}`, message: `gate \`replication-lag\`: rollback (${rollback}) must be ${direction === 'above' ? 'greater' : 'less'} than pause (${pause}) for direction ${direction}` }]);
  });
  it('checks preset gates changed by a partial override, reporting at the override', () => {
    const p = problems((d) => d.spec.gates!.push({ id: 'active-sessions', pause: 80 }));
    expect(p.map((x) => [x.check, x.message])).toEqual([['threshold-order', 'gate `active-sessions`: rollback (50) must be greater than pause (80) for direction above']]);
  });
});
