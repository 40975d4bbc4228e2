/**
 * Baseline of each gate's value over a quiet window, and thresholds suggested from it. Pure.
 *
 * Method (docs/baseline.md):
 * - statistics over the steps with a value (quantiles as Prometheus computes them, stats.ts);
 * - the share of the window's steps the current thresholds would have put in each state, step by
 *   step, without `for` (an upper bound: backtest applies `for`): rollback (strictly past rollback),
 *   pause (strictly past pause only), unknown (no value), green;
 * - a gate "crosses" when its p99 (above; p1 for below) is strictly past the pause threshold: it
 *   would pause more than 1 % of a normal window. Then pause is suggested at that percentile plus a
 *   margin (default 20 % of its magnitude), rounded outward to two significant digits. The rollback
 *   is never loosened: when the suggestion would reach it, nothing is suggested and the gate is
 *   flagged for a human (a window taken during an incident, or a preset that does not fit).
 */
import type { ResolvedGate } from '../model/types';
import { past } from './backtest';
import type { GateHistory } from './fetch';
import { summarize, type Summary } from './stats';

export const DEFAULT_MARGIN = 0.2;

export type Verdict = 'ok' | 'near' | 'crosses' | 'reaches-rollback' | 'no-data';

export interface GateBaseline {
  gate: ResolvedGate;
  expr: string;
  /** undefined when the signal had no value in the window. */
  stats?: Summary;
  steps: number;
  /** Share of the window's steps (0..1) per state under the current thresholds, without `for`. */
  share: { green: number; pause: number; rollback: number; unknown: number };
  /** The percentile that decides (p99 above, p1 below) and its value. */
  decisive?: { name: 'p99' | 'p1'; value: number };
  verdict: Verdict;
  suggestion?: { pause: number; rollback: number; method: string };
  note?: string;
}

/** Round `x` to two significant digits, away from the green side (up for above, down for below). */
export function roundOutward(x: number, direction: 'above' | 'below'): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const exp = Math.floor(Math.log10(Math.abs(x))) - 1;
  const unit = 10 ** exp;
  const n = direction === 'above' ? Math.ceil(x / unit - 1e-9) : Math.floor(x / unit + 1e-9);
  // toPrecision drops float noise (0.30000000000000004).
  return Number((n * unit).toPrecision(2));
}

export function baselineGate(h: GateHistory, steps: number, margin = DEFAULT_MARGIN): GateBaseline {
  const g = h.gate;
  const values = [...h.points.values()];
  // ±Inf counts in the shares (the alerts compare it) but not in the percentiles.
  const stats = summarize(values.filter(Number.isFinite));
  let pause = 0;
  let rollback = 0;
  for (const v of values) {
    if (past(g, v, g.rollback)) rollback++;
    else if (past(g, v, g.pause)) pause++;
  }
  const unknown = steps - values.length;
  const share = steps === 0 ? { green: 0, pause: 0, rollback: 0, unknown: 0 } : { green: (steps - unknown - pause - rollback) / steps, pause: pause / steps, rollback: rollback / steps, unknown: unknown / steps };
  const base = { gate: g, expr: h.expr, steps, share };
  if (!stats) return { ...base, verdict: 'no-data', note: 'no data in the window: during the migration this gate would be unknown (= pause)' };
  const decisive = g.direction === 'below' ? { name: 'p1' as const, value: stats.p1 } : { name: 'p99' as const, value: stats.p99 };
  const withStats = { ...base, stats, decisive };
  const marginText = `${Math.round(margin * 100)} %`;
  if (!past(g, decisive.value, g.pause)) {
    // Within the margin of pause: worth a look, not a change (the runbook's "comes within 20 %").
    const padded = g.direction === 'below' ? decisive.value - margin * Math.abs(decisive.value) : decisive.value + margin * Math.abs(decisive.value);
    if (past(g, padded, g.pause)) return { ...withStats, verdict: 'near', note: `${decisive.name} is within ${marginText} of pause` };
    return { ...withStats, verdict: 'ok' };
  }
  const raw = g.direction === 'below' ? decisive.value - margin * Math.abs(decisive.value) : decisive.value + margin * Math.abs(decisive.value);
  const suggested = roundOutward(raw, g.direction);
  const sign = g.direction === 'below' ? '-' : '+';
  // The suggestion must stay strictly on the green side of rollback (a pause at or past it never fires alone).
  const inside = g.direction === 'below' ? suggested > g.rollback : suggested < g.rollback;
  if (!inside) {
    return { ...withStats, verdict: 'reaches-rollback', note: `${decisive.name} ${fmt(decisive.value)} ${sign} ${marginText} reaches the rollback threshold ${fmt(g.rollback)}: not suggesting a looser rollback; check whether the window held an incident or the preset fits this system` };
  }
  return { ...withStats, verdict: 'crosses', suggestion: { pause: suggested, rollback: g.rollback, method: `pause = ${decisive.name} ${sign} ${marginText} (${fmt(decisive.value)} ${sign} ${marginText} = ${fmt(raw)}, rounded ${g.direction === 'below' ? 'down' : 'up'} to 2 significant digits); rollback unchanged` } };
}

/** A number for a message: up to 4 significant digits, no float noise. */
export const fmt = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));
