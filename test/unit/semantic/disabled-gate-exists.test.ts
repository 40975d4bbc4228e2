import { describe, expect, it } from 'vitest';
import { disabledGateExists } from '../../../src/validate/rules/disabled-gate-exists';
import { located } from '../../helpers/definitions';

describe(disabledGateExists.name, () => {
  it('a typo in a disabling entry is an error at its id, with the gate it probably meant', () => {
    const p = located((d) => d.spec.gates!.push({ id: 'replicaton-lag', enabled: false }));
    expect(p).toEqual([
      {
        check: 'disabled-gate-exists',
        at: expect.stringMatching(/^\d+:11$/),
        text: 'replicaton-lag',
        message: 'gate `replicaton-lag` is not a backfill preset gate, so `enabled: false` disables nothing (did you mean `replication-lag`?)',
      },
    ]);
  });
  it('names the engine when the gate exists only for another engine', () => {
    const p = located((d) => {
      d.spec.engine = 'generic';
      d.spec.gates!.push({ id: 'dead-tuples', enabled: false });
    }).filter((x) => x.check === 'disabled-gate-exists');
    expect(p.map((x) => x.message)).toEqual(['gate `dead-tuples` is a backfill preset gate only for engine postgres, not generic, so `enabled: false` disables nothing']);
  });
  it.each([
    ['a real preset gate', { id: 'dead-tuples', enabled: false }],
    ['a complete gate of its own, switched off', { id: 'my-gate', enabled: false, signal: 'replicationLag', pause: 1, rollback: 2 }],
  ])('accepts %s', (_name, gate) => {
    expect(located((d) => d.spec.gates!.push(gate))).toEqual([]);
  });
});
