/** Text of the report's numbers, times and durations, shared by the HTML and Markdown renderers. */
import { formatValue } from '../live/format';
import type { Part, Percentiles, RegressionRow } from './types';
import { isMissing } from './types';

/** `2024-05-01 10:00:00Z` (UTC, to the second; milliseconds when there are any). */
export function utc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19).replace('T', ' ')}Z` : iso.replace('T', ' ');
}

/** `1h 5m`, `45s`, `0s`: a duration for people (seconds precision, at most three units). */
export function human(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms / 1000);
  if (rest === 0) return `${ms}ms`;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.slice(0, 3).join(' ');
}

/** A value with its unit, six significant digits; `-` for none. */
export function value(v: number | null | undefined, unit = ''): string {
  if (v === null || v === undefined) return '-';
  const text = formatValue(v);
  return unit && unit !== 'none' ? `${text} ${unit}` : text;
}

/** A share of a duration, `12.5 %`. */
export function share(part: number, whole: number): string {
  if (whole <= 0) return '-';
  return `${Number(((100 * part) / whole).toFixed(1))} %`;
}

/** A relative change as `+25 %`, `-3 %`, `from 0`, or `to +Inf` (no finite ratio). */
export function change(v: number | null, before: number, after: number): string {
  if (v === null) return before === after ? '0 %' : !Number.isFinite(after) ? `to ${formatValue(after)}` : before === 0 ? 'from 0' : '-';
  const pct = Number((v * 100).toFixed(1));
  return `${pct > 0 ? '+' : ''}${pct} %`;
}

export function percentileCells(p: Part<Percentiles>, unit: string): [string, string, string] | string {
  if (isMissing(p)) return p.missing;
  return [value(p.p50, unit), value(p.p95, unit), value(p.p99, unit)];
}

/** The verdict of a regression row in words. */
export function verdict(r: RegressionRow, margin: number): string {
  if (isMissing(r.before) || isMissing(r.after)) return 'not compared';
  if (r.flagged) return `WORSE by more than ${margin} % (${r.worse.join(', ')})`;
  return `within ${margin} %`;
}
