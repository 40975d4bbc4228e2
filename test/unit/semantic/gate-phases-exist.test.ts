import { describe, expect, it } from 'vitest';
import { gatePhasesExist } from '../../../src/validate/rules/gate-phases-exist';
import { located, problems } from '../../helpers/definitions';

describe(gatePhasesExist.name, () => {
  it('flags an unknown phase at the list item', () => {
    const p = located((d) => (d.spec.gates![0]!.phases = ['canary', 'rampup'])).map(({ check, text, message }) => ({ check, text, message }));
    expect(p).toEqual([{ check: 'gate-phases-exist', text: 'rampup', message: 'gate `replication-lag` names unknown phase `rampup` (did you mean `ramp`?)' }]);
  });
  it('accepts a phase added by the definition', () => {
    expect(problems((d) => { d.spec.phases = [{ id: 'soak', title: 'Soak' }]; d.spec.gates![0]!.phases = ['soak']; })).toEqual([]);
  });
  it('flags a gate whose phases were all removed', () => {
    const p = problems((d) => {
      d.spec.gates = [{ id: 'replication-lag', phases: ['canary'] }];
      d.spec.phases = [{ id: 'canary', enabled: false }];
    });
    expect(p.map((x) => x.message)).toEqual(['gate `replication-lag` names unknown phase `canary`']);
  });
});
