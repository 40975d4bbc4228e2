/** Prometheus duration syntax: `30s`, `2m`, `1h30m`, `1d`, `500ms`. Units must be in descending order. */
export const DURATION_PATTERN = '^(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const UNIT_MS: Record<string, number> = { y: 365 * 86400e3, w: 7 * 86400e3, d: 86400e3, h: 3600e3, m: 60e3, s: 1e3, ms: 1 };

/** Milliseconds in a Prometheus duration, or undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '' || !DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

export function parseDurationSeconds(text: string): number | undefined {
  const ms = parseDurationMs(text);
  return ms === undefined ? undefined : ms / 1000;
}

/** The shortest Prometheus duration text for a number of milliseconds (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
