/** Times on the command line of history commands: RFC 3339, Unix seconds, `now` or `now-<duration>`. */
import { UserError } from '../diagnostics';
import { parseDurationMs } from '../util/duration';

/** RFC 3339 with an explicit zone: `2026-05-01T10:00:00Z`, `2026-05-01T12:00:00.5+02:00`. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A point in time (milliseconds since the epoch): RFC 3339 with a zone, Unix seconds
 * (`1714557600`, `1714557600.5`), `now`, or `now-<duration>` (`now-6h`). A date without a zone
 * is refused: whose 10:00 would it be? Shared by report, baseline and backtest, so every history
 * command reads times the same way.
 */
export function parseTime(flag: string, text: string, nowMs: number): number {
  const t = text.trim();
  if (t === 'now') return nowMs;
  const rel = /^now-(.+)$/.exec(t);
  if (rel) {
    const ms = parseDurationMs(rel[1]!);
    if (ms === undefined) throw new UserError(`${flag} ${JSON.stringify(text)}: ${JSON.stringify(rel[1])} is not a duration such as 6h or 1d12h`);
    return nowMs - ms;
  }
  if (/^\d+(?:\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (RFC3339.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  const hint = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/.test(t) ? ' (add the zone: Z for UTC, or +02:00)' : '';
  throw new UserError(`${flag} ${JSON.stringify(text)} is not a time${hint}: use RFC 3339 (2026-05-01T10:00:00Z), Unix seconds, now or now-6h`);
}

export const isoTime = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A window or step such as `7d` or `1m`, in milliseconds, > 0 (longer than any timer may be). */
export function spanOption(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new UserError(`${flag} must be a duration such as 7d, 1h or 30s, got ${JSON.stringify(text)}`);
  return ms;
}
