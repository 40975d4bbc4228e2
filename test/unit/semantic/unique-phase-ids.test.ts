import { describe, expect, it } from 'vitest';
import { uniquePhaseIds } from '../../../src/validate/rules/unique-phase-ids';
import { problems } from '../../helpers/definitions';

describe(uniquePhaseIds.name, () => {
  it('flags a repeated phase override', () => {
    const p = problems((d) => (d.spec.phases = [{ id: 'canary', title: 'A' }, { id: 'canary', title: 'B' }]));
    expect(p.map((x) => [x.check, x.message])).toEqual([['unique-phase-ids', 'duplicate phase id `canary`']]);
  });
  it('accepts distinct phase overrides', () => {
    expect(problems((d) => (d.spec.phases = [{ id: 'canary', title: 'A' }, { id: 'soak', title: 'Soak' }]))).toEqual([]);
  });
});
