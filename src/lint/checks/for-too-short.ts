import type { Diagnostic } from '../../diagnostics';
import { formatDuration } from '../../util/duration';
import { gateDurations } from '../locate';
import { findingAt, type LintCheck } from '../types';

/**
 * A `for` shorter than two scrapes fires on a single sample: one slow scrape, one outlier or one
 * restart pages someone. Two scrape intervals is the least that means "it stayed bad".
 */
export const forTooShort: LintCheck = {
  name: 'for-too-short',
  severity: 'warning',
  doc: 'A gate `for` / `rollbackFor` is at least 2 x scrapeInterval, so one bad sample cannot fire it.',
  check(ctx) {
    const scrape = ctx.model.scrapeIntervalSeconds;
    const min = 2 * scrape;
    const out: Diagnostic[] = [];
    for (const g of ctx.model.gates) {
      const items = gateDurations(ctx, g).filter((i) => i.seconds < min);
      // Report one finding per place: `for: 30s` that also sets rollbackFor is one problem, not two.
      const byPlace = new Map<string, typeof items>();
      for (const i of items) {
        const key = JSON.stringify(i.src.path);
        byPlace.set(key, [...(byPlace.get(key) ?? []), i]);
      }
      for (const group of byPlace.values()) {
        const first = group[0]!;
        const what = group.map((i) => (i.field === 'for' ? 'for' : 'rollbackFor')).join(' and ');
        const values = [...new Set(group.map((i) => i.text))].join(' / ');
        const message = `gate \`${g.id}\`: ${what} ${values}${first.src.note} is shorter than 2 x scrapeInterval (${ctx.model.scrapeInterval}) = ${formatDuration(min * 1000)}: one bad sample fires the alert`;
        const hint =
          first.src.origin === 'definition'
            ? `set \`${first.field}\` to at least ${formatDuration(min * 1000)}`
            : `override it: add \`for: ${formatDuration(min * 1000)}\` (or longer) to gate \`${g.id}\` under spec.gates`;
        out.push(findingAt(ctx, this, first.src.path, message, hint));
      }
    }
    return out;
  },
};
