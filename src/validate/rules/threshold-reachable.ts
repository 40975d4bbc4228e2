import type { Diagnostic } from '../../diagnostics';
import { thresholdSource } from '../../lint/locate';
import { describeRange, plausibleRange, RATIO_UNITS } from '../../model/signal-range';
import { errorAt, type SemanticRule } from '../rule';

/**
 * A threshold the signal can never pass is a gate that never fires: a ratio gate at 5 (meant 5 %),
 * a `below` gate under 0 on a lag. A threshold exactly at the edge on the side the gate fires is
 * the same bug, because gates compare strictly (a ratio is never > 1). The opposite mistake, a
 * threshold the signal is always past (an `above` gate at -1 on a lag), pauses forever.
 */
export const thresholdReachable: SemanticRule = {
  name: 'threshold-reachable',
  doc: "A gate threshold can be passed and is not always passed: it lies inside the signal's range (library range, else implied by the unit: ratio/percentunit 0..1, percent 0..100, durations/bytes/counts >= 0), not at the edge the gate fires past.",
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const g of ctx.model.gates) {
      const sig = ctx.model.signals[g.signal];
      if (!sig) continue;
      const range = plausibleRange(sig);
      if (!range) continue;
      const shown = `${describeRange(range)}, ${range.from}`;
      for (const field of ['pause', 'rollback'] as const) {
        const value = g[field];
        if (!Number.isFinite(value)) continue;
        const above = g.direction === 'above';
        const verb = field === 'pause' ? 'pauses' : 'rolls back';
        // `above` fires at value > threshold: never when threshold >= max, always when threshold < min.
        const never = above ? range.max !== undefined && value >= range.max : range.min !== undefined && value <= range.min;
        const always = above ? range.min !== undefined && value < range.min : range.max !== undefined && value > range.max;
        if (!never && !always) continue;
        const src = thresholdSource(ctx, g.id, field);
        const what = never
          ? `is unreachable: the gate ${verb} only when the value is strictly ${above ? 'greater' : 'less'} than ${value}, which signal \`${sig.name}\` (${shown}) never is`
          : `is always passed: signal \`${sig.name}\` (${shown}) is always ${above ? 'greater' : 'less'} than ${value}, so the gate ${verb} all the time`;
        const hint =
          RATIO_UNITS.has(sig.unit) && value > 1 && value <= 100
            ? `a ratio is 0..1: ${value}% is ${value / 100}`
            : `pick a ${field} threshold inside ${describeRange(range)}${never ? ` that the value can be ${above ? 'greater' : 'less'} than` : ''}`;
        out.push(errorAt(ctx, this.name, src.path, `gate \`${g.id}\`: ${field} ${value}${src.note} ${what}`, hint));
      }
    }
    return out;
  },
};
