import { formatDuration } from '../../util/duration';
import { findingAt, type LintCheck } from '../types';

/**
 * A change window (spec.schedule) shorter than the planned run: at notAfter every alert stops and
 * `migobs gate` stops answering proceed, while the migration is planned to still be running.
 */
export const scheduleShorterThanRun: LintCheck = {
  name: 'schedule-shorter-than-run',
  severity: 'warning',
  doc: 'The spec.schedule window is at least as long as the planned run (expectedDuration).',
  check(ctx) {
    const planned = ctx.model.expectedDurationSeconds;
    const s = ctx.model.schedule;
    if (planned === undefined || !s?.notBefore || !s.notAfter) return [];
    const window = s.notAfter.seconds - s.notBefore.seconds;
    if (!(window < planned)) return [];
    return [
      findingAt(
        ctx,
        this,
        ['spec', 'schedule', 'notAfter'],
        `the schedule window (${formatDuration(window * 1000)}) is shorter than the planned run (expectedDuration ${ctx.model.expectedDuration}): at notAfter every alert stops and \`migobs gate\` stops answering proceed while the migration should still be running`,
        'move notAfter later (with margin), or fix expectedDuration',
      ),
    ];
  },
};
