/**
 * RFC 3339 date-times with an explicit offset (`2027-01-12T21:00:00+01:00`, `...Z`), as
 * `spec.schedule` takes them. Only the full form with an offset is accepted: a local time would
 * mean a different instant on every machine that evaluates it. The calendar is checked exactly
 * (no February 30th rolled over into March, no leap second 60, which Prometheus cannot represent).
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export type ParsedTimestamp = { seconds: number } | { problem: string };

/** Unix seconds of an RFC 3339 time with offset, or what is wrong with it. */
export function parseRfc3339(text: string): ParsedTimestamp {
  const m = RFC3339.exec(text);
  if (!m) return { problem: 'is not an RFC 3339 time with an offset' };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1970) return { problem: `year ${year} is before 1970` };
  if (month < 1 || month > 12) return { problem: `month ${m[2]} does not exist` };
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return { problem: `day ${m[3]} does not exist in ${year}-${m[2]}` };
  if (hour > 23) return { problem: `hour ${m[4]} does not exist (00 to 23)` };
  if (minute > 59) return { problem: `minute ${m[5]} does not exist (00 to 59)` };
  if (second > 59) return { problem: `second ${m[6]} does not exist (00 to 59; leap seconds are not supported)` };
  let offsetSeconds = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return { problem: `offset ${m[9]}${m[10]}:${m[11]} does not exist` };
    offsetSeconds = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const fraction = m[7] ? Number(`0.${m[7]}`) : 0;
  return { seconds: Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetSeconds + fraction };
}

/** Unix seconds of a timestamp the definition rules already accepted. */
export function rfc3339Seconds(text: string): number {
  const r = parseRfc3339(text);
  if ('problem' in r) throw new Error(`not a valid RFC 3339 time: ${text} (${r.problem})`);
  return r.seconds;
}

/** An instant as RFC 3339 in UTC, for messages (`2027-01-12T20:00:00Z`). */
export function formatUtc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
