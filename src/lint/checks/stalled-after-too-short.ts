import { formatDuration } from '../../util/duration';
import { findingAt, type LintCheck } from '../types';

/**
 * The stalled alert compares the last-progress timestamp with now: with stalledAfter under two
 * scrapes, one late scrape looks like a stall and pages someone.
 */
export const stalledAfterTooShort: LintCheck = {
  name: 'stalled-after-too-short',
  severity: 'warning',
  doc: 'stalledAfter is at least 2 x scrapeInterval.',
  check(ctx) {
    const min = 2 * ctx.model.scrapeIntervalSeconds;
    if (ctx.model.stalledAfterSeconds >= min) return [];
    const own = ctx.def.spec.stalledAfter !== undefined;
    return [
      findingAt(
        ctx,
        this,
        own ? ['spec', 'stalledAfter'] : ['spec', 'type'],
        `stalledAfter ${ctx.model.stalledAfter}${own ? '' : ` (the ${ctx.model.type} preset's value)`} is shorter than 2 x scrapeInterval (${ctx.model.scrapeInterval}) = ${formatDuration(min * 1000)}: one late scrape looks like a stall`,
        `set spec.stalledAfter to at least ${formatDuration(min * 1000)}`,
      ),
    ];
  },
};
