import { describe, expect, it } from 'vitest';
import { gateSignalExists } from '../../../src/validate/rules/gate-signal-exists';
import { problems } from '../../helpers/definitions';

describe(gateSignalExists.name, () => {
  it('flags an unknown signal with a suggestion', () => {
    const p = problems((d) => (d.spec.gates![0]!.signal = 'replicationLagg'));
    expect(p).toHaveLength(1);
    expect(p[0]!.check).toBe('gate-signal-exists');
    expect(p[0]!.message).toBe('gate `replication-lag` uses unknown signal `replicationLagg` (did you mean `replicationLag`?)');
  });
  it.each(['replicationLag', 'cpuUtilization', 'activeSessions'])('accepts engine library signal %s', (signal) => {
    // Thresholds every one of these signals can pass (cpuUtilization is a ratio).
    expect(problems((d) => Object.assign(d.spec.gates![0]!, { signal, pause: 0.5, rollback: 0.9 }))).toEqual([]);
  });
  it('accepts a signal defined in the definition', () => {
    expect(problems((d) => { d.spec.signals!.myLag = { expr: 'max(my_lag_seconds)', unit: 's' }; d.spec.gates![0]!.signal = 'myLag'; })).toEqual([]);
  });
});
