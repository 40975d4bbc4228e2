import type { Diagnostic } from '../../diagnostics';
import { gateDurations } from '../locate';
import { findingAt, type LintCheck } from '../types';

/**
 * A `for` longer than the whole planned run means the alert cannot fire before the migration is
 * over: the gate exists on paper only.
 */
export const forLongerThanRun: LintCheck = {
  name: 'for-longer-than-run',
  severity: 'warning',
  doc: 'A gate `for` / `rollbackFor` is shorter than the planned run (expectedDuration).',
  check(ctx) {
    const planned = ctx.model.expectedDurationSeconds;
    if (planned === undefined) return [];
    const out: Diagnostic[] = [];
    for (const g of ctx.model.gates) {
      const seen = new Set<string>();
      for (const { field, text, seconds, src } of gateDurations(ctx, g)) {
        if (seconds < planned) continue;
        const key = JSON.stringify(src.path);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(
          findingAt(ctx, this, src.path, `gate \`${g.id}\`: ${field} ${text}${src.note} is not shorter than the planned run (expectedDuration ${ctx.model.expectedDuration}): the alert cannot fire before the migration ends`, `shorten \`${field}\` to a fraction of the run, or fix expectedDuration`),
        );
      }
    }
    return out;
  },
};
