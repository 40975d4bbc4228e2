import type { Diagnostic } from '../../diagnostics';
import type { ResolvedSignal } from '../../model/types';
import { thresholdSource } from '../locate';
import { findingAt, type LintCheck } from '../types';

export interface PlausibleRange {
  min?: number;
  max?: number;
  /** Where the range comes from, for the message. */
  from: string;
}

/** Units whose values are never negative (durations, sizes, counts, and per-second rates of them). */
const NON_NEGATIVE_UNITS = new Set(['s', 'ms', 'us', 'ns', 'm', 'h', 'd', 'seconds', 'bytes', 'decbytes', 'bits', 'count', 'rows', 'ops', 'reqps']);

/** The signal's range from the engine library, else one implied by its unit. */
export function plausibleRange(sig: ResolvedSignal): PlausibleRange | undefined {
  if (sig.range && (sig.range.min !== undefined || sig.range.max !== undefined)) return { ...sig.range, from: 'the signal library' };
  const unit = sig.unit;
  if (unit === 'ratio' || unit === 'percentunit') return { min: 0, max: 1, from: `unit ${unit}` };
  if (unit === 'percent') return { min: 0, max: 100, from: 'unit percent' };
  const base = unit.endsWith('/s') ? unit.slice(0, -2) : unit;
  if (NON_NEGATIVE_UNITS.has(base)) return { min: 0, from: `unit ${unit}` };
  return undefined;
}

const describe = (r: PlausibleRange): string =>
  r.max === undefined ? `>= ${r.min}` : r.min === undefined ? `<= ${r.max}` : `${r.min}..${r.max}`;

/**
 * A threshold the signal can never reach is a gate that never fires: a ratio gate at 5 (meant 5%),
 * a negative lag. A threshold exactly at the edge on the side the gate fires is the same bug
 * (the comparison is strict: a ratio is never > 1).
 */
export const thresholdOutOfRange: LintCheck = {
  name: 'threshold-out-of-range',
  severity: 'error',
  doc: "A gate threshold lies inside the signal's plausible range (library range, else implied by the unit: ratio 0..1, percent 0..100, durations/bytes/counts >= 0).",
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const g of ctx.model.gates) {
      const sig = ctx.model.signals[g.signal];
      if (!sig) continue;
      const range = plausibleRange(sig);
      if (!range) continue;
      for (const field of ['pause', 'rollback'] as const) {
        const value = g[field];
        if (!Number.isFinite(value)) continue;
        const below = range.min !== undefined && value < range.min;
        const above = range.max !== undefined && value > range.max;
        // Strict comparison: `above` never fires at >= max, `below` never fires at <= min.
        const unreachable = (g.direction === 'above' && range.max !== undefined && value === range.max) || (g.direction === 'below' && range.min !== undefined && value === range.min);
        if (!below && !above && !unreachable) continue;
        const src = thresholdSource(ctx, g.id, field);
        const why = unreachable
          ? `the gate fires only when the value is ${g.direction === 'above' ? 'greater' : 'less'} than ${value}, which signal \`${sig.name}\` (${describe(range)}, ${range.from}) never is`
          : `outside the plausible range ${describe(range)} of signal \`${sig.name}\` (${range.from}): the gate can never ${field === 'pause' ? 'pause' : 'roll back'}`;
        const hint =
          sig.unit === 'ratio' && value > 1 && value <= 100
            ? `a ratio is 0..1: ${value}% is ${value / 100}`
            : `pick a ${field} threshold within ${describe(range)}`;
        out.push(findingAt(ctx, this, src.path, `gate \`${g.id}\`: ${field} ${value}${src.note} is ${unreachable ? 'unreachable' : 'impossible'}: ${why}`, hint));
      }
    }
    return out;
  },
};
