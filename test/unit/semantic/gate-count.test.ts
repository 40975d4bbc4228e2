import { describe, expect, it } from 'vitest';
import { gateCount, MAX_GATES } from '../../../src/validate/rules/gate-count';
import { check, problems } from '../../helpers/definitions';

const addGates = (n: number) => (d: import('../../../src/definition/types').MigrationDefinition) => {
  for (let i = 0; i < n; i++) d.spec.gates!.push({ id: `extra-${i}`, signal: 'replicationLag', pause: 1, rollback: 2 });
};

describe(gateCount.name, () => {
  // The rule-test budget (rule-test-cost) refuses far fewer gates than this; gate-count is the hard ceiling.
  it(`allows up to ${MAX_GATES} enabled gates, preset gates included`, () => {
    const presetAndOwn = check().migrations[0]!.model.gates.length;
    expect(problems(addGates(MAX_GATES - presetAndOwn)).filter((p) => p.check === 'gate-count')).toEqual([]);
  });
  it('refuses one more, at spec.gates', () => {
    const presetAndOwn = check().migrations[0]!.model.gates.length;
    expect(problems(addGates(MAX_GATES - presetAndOwn + 1)).filter((p) => p.check === 'gate-count')).toEqual([
      { check: 'gate-count', at: expect.stringMatching(/^\d+:3$/), message: `this migration has ${MAX_GATES + 1} enabled gates (the backfill preset's included); at most ${MAX_GATES} are supported` },
    ]);
  });
});
