import { describe, expect, it } from 'vitest';
import { idNotWindowsReserved } from '../../../src/validate/rules/id-not-windows-reserved';
import { problems } from '../../helpers/definitions';

describe(idNotWindowsReserved.name, () => {
  it.each(['con', 'prn', 'aux', 'nul', 'com1', 'com9', 'lpt1', 'lpt9'])('refuses %s at metadata.id', (id) => {
    const p = problems((d) => (d.metadata.id = id));
    expect(p.map((x) => [x.check, x.at])).toEqual([['id-not-windows-reserved', '4:7']]);
    expect(p[0]!.message).toContain(`migration id \`${id}\` is a device name Windows reserves`);
  });
  it.each(['CON', 'Nul', 'com1.yaml', 'LPT3.json', 'aux.tar.gz'])('the pattern covers %s too (any case, any extension)', (id) => {
    expect(idNotWindowsReserved.check({ def: { metadata: { id } }, source: { file: 'x', locate: () => ({ line: 1, column: 1 }) } } as never)).toHaveLength(1);
  });
  it.each(['console', 'con-backfill', 'com10', 'com0', 'lpt', 'nul1', 'auxiliary', 'prn-2'])('accepts %s', (id) => {
    expect(problems((d) => (d.metadata.id = id))).toEqual([]);
  });
});
