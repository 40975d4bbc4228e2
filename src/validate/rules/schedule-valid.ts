import { formatUtc, parseRfc3339 } from '../../util/timestamp';
import { errorAt, type SemanticRule } from '../rule';

/**
 * spec.schedule: each time is a real instant (the schema checked the shape), and the window is
 * not empty. An empty or inverted window would silence every alert of the migration for good.
 */
export const scheduleValid: SemanticRule = {
  name: 'schedule-valid',
  doc: 'spec.schedule times are real RFC 3339 instants with an offset, and notBefore is earlier than notAfter.',
  check(ctx) {
    const schedule = ctx.def.spec.schedule;
    if (!schedule) return [];
    const out = [];
    const seconds: Partial<Record<'notBefore' | 'notAfter', number>> = {};
    for (const key of ['notBefore', 'notAfter'] as const) {
      const text = schedule[key];
      if (typeof text !== 'string') continue;
      const r = parseRfc3339(text);
      if ('problem' in r) {
        // A shape the schema already rejected is reported there, once.
        if (r.problem.startsWith('is not')) continue;
        out.push(errorAt(ctx, this.name, ['spec', 'schedule', key], `schedule.${key} \`${text}\`: ${r.problem}`, 'write a real instant, e.g. 2027-01-12T21:00:00+01:00'));
      } else seconds[key] = r.seconds;
    }
    if (seconds.notBefore !== undefined && seconds.notAfter !== undefined && seconds.notBefore >= seconds.notAfter) {
      out.push(
        errorAt(
          ctx,
          this.name,
          ['spec', 'schedule', 'notAfter'],
          `schedule.notAfter (${formatUtc(seconds.notAfter)}) is not later than notBefore (${formatUtc(seconds.notBefore)}): the window is empty and no alert would ever fire`,
          'notAfter is the end of the window (exclusive); make it later than notBefore',
        ),
      );
    }
    return out;
  },
};
