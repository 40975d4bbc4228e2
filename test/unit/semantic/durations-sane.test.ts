import { describe, expect, it } from 'vitest';
import { durationsSane } from '../../../src/validate/rules/durations-sane';
import { problems } from '../../helpers/definitions';

describe(durationsSane.name, () => {
  it.each([
    ['scrapeInterval', '0s', 'scrapeInterval `0s` is out of range (1s to 10m)'],
    ['scrapeInterval', '1h', 'scrapeInterval `1h` is out of range (1s to 10m)'],
    ['expectedDuration', '10s', 'expectedDuration `10s` is out of range (1m to 366d)'],
    ['expectedDuration', '99999999999999y', 'expectedDuration `99999999999999y` is too large to be a duration'],
    ['stalledAfter', '5s', 'stalledAfter `5s` is out of range (1m to 7d)'],
  ] as const)('%s %s', (field, value, message) => {
    const p = problems((d) => ((d.spec as Record<string, unknown>)[field] = value));
    expect(p.map((x) => [x.check, x.message])).toEqual([['durations-sane', message]]);
  });
  it('gate for above a day', () => {
    expect(problems((d) => (d.spec.gates![0]!.for = '2d')).map((x) => x.message)).toEqual(['gate `replication-lag` for `2d` is out of range (0s to 1d)']);
  });
  it('accepts sane durations', () => {
    expect(problems((d) => Object.assign(d.spec, { scrapeInterval: '15s', expectedDuration: '1h30m', stalledAfter: '15m' }))).toEqual([]);
  });
});
