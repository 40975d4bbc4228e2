import { describe, expect, it } from 'vitest';
import { uniqueGateIds } from '../../../src/validate/rules/unique-gate-ids';
import { problems } from '../../helpers/definitions';

describe(uniqueGateIds.name, () => {
  it('flags the second gate with the same id, at its id', () => {
    const p = problems((d) => d.spec.gates!.push({ id: 'replication-lag', pause: 1, rollback: 2 }));
    expect(p).toEqual([{ check: 'unique-gate-ids', at: expect.stringMatching(/^\d+:\d+$/), message: 'duplicate gate id `replication-lag` (first defined at spec.gates[0])' }]);
  });
  it('allows distinct ids and overriding a preset gate by id', () => {
    expect(problems((d) => d.spec.gates!.push({ id: 'active-sessions', pause: 30, rollback: 60 }))).toEqual([]);
  });
});
