/** Times on the command line of history commands: RFC 3339, Unix seconds, `now` or `now-<duration>`. */
import { UserError } from '../diagnostics';
import { parseDurationMs } from '../util/duration';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, or a UserError naming the flag and the accepted forms. */
export function parseTime(flag: string, text: string, nowMs: number): number {
  const rel = /^now(?:-(.+))?$/.exec(text);
  if (rel) {
    if (rel[1] === undefined) return nowMs;
    const d = parseDurationMs(rel[1]);
    if (d !== undefined) return nowMs - d;
  } else if (/^\d+(?:\.\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  } else if (RFC3339.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UserError(`${flag} ${JSON.stringify(text)} is not a time: use RFC 3339 (2026-11-24T09:00:00Z), Unix seconds, now or now-<duration> (now-2h)`);
}

export const isoTime = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A window or step such as `7d` or `1m`, in milliseconds, > 0 (longer than any timer may be). */
export function spanOption(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new UserError(`${flag} must be a duration such as 7d, 1h or 30s, got ${JSON.stringify(text)}`);
  return ms;
}
