/**
 * The values a signal can take: its `range` in the engine signal library, else what its unit
 * implies. Shared by validation (a threshold outside it can never fire) and anything else that
 * needs to know a signal's scale.
 */
import type { ResolvedSignal } from './types';

export interface PlausibleRange {
  min?: number;
  max?: number;
  /** Where the range comes from, for messages: "the signal library", "unit ratio". */
  from: string;
}

/** Units whose values are never negative (durations, sizes, counts, and per-second rates of them). */
const NON_NEGATIVE_UNITS = new Set(['s', 'ms', 'us', 'ns', 'm', 'h', 'd', 'seconds', 'bytes', 'decbytes', 'bits', 'count', 'rows', 'ops', 'reqps']);

/** Units whose values are fractions 0..1. */
export const RATIO_UNITS = new Set(['ratio', 'percentunit']);

/** The signal's range from the engine library, else one implied by its unit. */
export function plausibleRange(sig: Pick<ResolvedSignal, 'range' | 'unit'>): PlausibleRange | undefined {
  if (sig.range && (sig.range.min !== undefined || sig.range.max !== undefined)) return { ...sig.range, from: 'the signal library' };
  const unit = sig.unit;
  if (RATIO_UNITS.has(unit)) return { min: 0, max: 1, from: `unit ${unit}` };
  if (unit === 'percent') return { min: 0, max: 100, from: 'unit percent' };
  const base = unit.endsWith('/s') ? unit.slice(0, -2) : unit;
  if (NON_NEGATIVE_UNITS.has(base)) return { min: 0, from: `unit ${unit}` };
  return undefined;
}

/** `0..1`, `>= 0`, `<= 100`. */
export function describeRange(r: Pick<PlausibleRange, 'min' | 'max'>): string {
  return r.max === undefined ? `>= ${r.min}` : r.min === undefined ? `<= ${r.max}` : `${r.min}..${r.max}`;
}
