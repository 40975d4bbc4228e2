import { describe, expect, it } from 'vitest';
import { scheduleValid } from '../../../src/validate/rules/schedule-valid';
import { located } from '../../helpers/definitions';

const at = (schedule: Record<string, unknown>) =>
  located((d) => Object.assign(d.spec, { schedule })).map(({ check, text, message }) => ({ check, text, message }));

describe(scheduleValid.name, () => {
  it.each([
    [{ notBefore: '2027-01-12T21:00:00+01:00', notAfter: '2027-01-13T05:00:00+01:00' }],
    [{ notBefore: '2027-01-12T20:00:00Z' }],
    [{ notAfter: '2027-01-13T04:00:00.5-07:00' }],
    [{ notBefore: '2028-02-29T00:00:00z', notAfter: '2028-02-29t00:00:01Z' }],
    [{}],
  ])('accepts %o', (schedule) => {
    expect(at(schedule)).toEqual([]);
  });

  it.each([
    ['2027-02-30T10:00:00Z', 'day 30 does not exist in 2027-02'],
    ['2027-13-01T10:00:00Z', 'month 13 does not exist'],
    ['2027-01-12T24:00:00Z', 'hour 24 does not exist (00 to 23)'],
    ['2027-01-12T23:60:00Z', 'minute 60 does not exist (00 to 59)'],
    ['2016-12-31T23:59:60Z', 'second 60 does not exist (00 to 59; leap seconds are not supported)'],
    ['2027-01-12T10:00:00+24:00', 'offset +24:00 does not exist'],
    ['1969-12-31T23:00:00Z', 'year 1969 is before 1970'],
  ])('refuses %s at the value: %s', (value, problem) => {
    expect(at({ notBefore: value })).toEqual([{ check: 'schedule-valid', text: value, message: `schedule.notBefore \`${value}\`: ${problem}` }]);
  });

  it.each([
    ['2027-01-12T21:00:00+01:00', '2027-01-12T20:00:00Z', '2027-01-12T20:00:00Z', '2027-01-12T20:00:00Z'],
    ['2027-01-13T05:00:00+01:00', '2027-01-12T21:00:00+01:00', '2027-01-12T20:00:00Z', '2027-01-13T04:00:00Z'],
  ])('refuses an empty window: notBefore %s, notAfter %s', (notBefore, notAfter, after, before) => {
    expect(at({ notBefore, notAfter })).toEqual([
      {
        check: 'schedule-valid',
        text: notAfter,
        message: `schedule.notAfter (${after}) is not later than notBefore (${before}): the window is empty and no alert would ever fire`,
      },
    ]);
  });

  it.each(['2027-01-12T21:00:00', '2027-01-12 21:00:00+01:00', '2027-01-12', 'tomorrow'])('a local or partial time %s is a schema error naming the format', (value) => {
    expect(at({ notBefore: value })).toEqual([
      { check: 'schema', text: value, message: `\`notBefore\` must be an RFC 3339 time with an offset, such as 2027-01-12T21:00:00+01:00 or 2027-01-12T20:00:00Z; got string "${value}"` },
    ]);
  });

  it('refuses unknown keys in the schedule', () => {
    expect(at({ start: '2027-01-12T21:00:00Z' }).map((p) => p.check)).toEqual(['schema']);
  });
});
