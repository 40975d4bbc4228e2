import { describe, expect, it } from 'vitest';
import { gateThresholdsPresent } from '../../../src/validate/rules/gate-thresholds-present';
import { problems } from '../../helpers/definitions';

describe(gateThresholdsPresent.name, () => {
  it.each([
    [{ id: 'cpu-hot', signal: 'cpuUtilization' }, '`pause`, `rollback`'],
    [{ id: 'cpu-hot', pause: 0.8, rollback: 0.9 }, '`signal`'],
    [{ id: 'cpu-hot', signal: 'cpuUtilization', pause: 0.8 }, '`rollback`'],
  ])('a new gate %j needs %s', (gate, missing) => {
    const p = problems((d) => d.spec.gates!.push(gate));
    expect(p.map((x) => x.message)).toEqual([`gate \`cpu-hot\` is not a backfill preset gate, so it needs ${missing}`]);
  });
  it('a preset gate override may give only what it changes', () => {
    expect(problems((d) => d.spec.gates!.push({ id: 'active-sessions', pause: 30 }))).toEqual([]);
  });
});
