/**
 * What Prometheus prints for the annotation templates migobs writes, so unit tests can expect
 * exact annotations. Only the forms rules.ts produces are understood: `{{ $value | humanize }}`,
 * `{{ $value | humanizeDuration }}`, `{{ $labels.<name> }}` and `{{ "<Go string>" }}` (inert user
 * text, see render/prom-template.ts). Number formatting follows Go's `%.4g` as Prometheus uses it.
 */
import { unquote } from '../../promql/matchers';

/** Go's fmt `%.4g` for the magnitudes humanize produces (plus the exponent form elsewhere). */
export function goG4(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(4)))));
  if (exp < -4 || exp >= 4) {
    const [mant, e] = v.toExponential(3).split('e');
    const m = mant!.replace(/\.?0+$/, '');
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(Number(v.toPrecision(4)));
}

export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goG4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return `${goG4(v)}${prefix}`;
  }
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG4(v)}${prefix}`;
}

export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return goG4(v);
  if (v === 0) return `${goG4(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const d = Math.trunc(v);
    const seconds = d % 60;
    const minutes = Math.trunc(d / 60) % 60;
    const hours = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG4(v)}${prefix}s`;
}


/** Expand an annotation template for an alert with these labels and value. */
export function expandTemplate(template: string, labels: Record<string, string>, value: number): string {
  return template.replace(/\{\{ (?:"((?:[^"\\]|\\.)*)"|\$value \| (humanize|humanizeDuration)|\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)) \}\}/g, (whole, str: string | undefined, fn: string | undefined, label: string | undefined) => {
    if (str !== undefined) return unquote(`"${str}"`);
    if (fn === 'humanize') return humanize(value);
    if (fn === 'humanizeDuration') return humanizeDuration(value);
    if (label !== undefined) return labels[label] ?? '';
    throw new Error(`unexpected template action ${whole}`);
  });
}
