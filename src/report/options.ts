/** Command-line values of `migobs report`: times, the grid step, the regression margin. */
import { UserError } from '../diagnostics';
import { pickStep } from '../live/range-query';
import { formatDuration, parseDurationMs } from '../util/duration';

/** A duration option (`--step`, `--compare-window`), in ms, greater than 0. */
export function durationMsOption(option: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new UserError(`${option} must be a duration such as 30s, 5m or 1h, got ${JSON.stringify(text)}`);
  return ms;
}

/** `--regression-margin`: a percentage, `20` or `20%`, 0 to 1000. */
export function marginOption(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1000) throw new UserError(`--regression-margin must be a percentage from 0 to 1000 (e.g. 20 or 20%), got ${JSON.stringify(text)}`);
  return n;
}

/** Points per chart series the report aims for when it picks the step itself. */
export const TARGET_POINTS = 1500;
/** Default bound on points per series (Prometheus' own limit for one query_range series). */
export const DEFAULT_MAX_POINTS_PER_SERIES = 11_000;

/**
 * The grid step: `--step` when given (refused when the range would need more than `maxPoints`
 * points per series), else the smallest readable step, at least the scrape interval, that covers
 * the range in about TARGET_POINTS points.
 */
export function chooseStep(rangeMs: number, scrapeIntervalMs: number, maxPoints: number, stepText?: string): number {
  if (stepText !== undefined) {
    const step = durationMsOption('--step', stepText);
    const points = Math.floor(rangeMs / step) + 1;
    if (points > maxPoints) {
      throw new UserError(
        `--step ${stepText} over ${formatDuration(rangeMs)} needs ${points} points per series, more than --max-points ${maxPoints}: use --step ${formatDuration(pickStep(rangeMs, maxPoints, step))} or larger, or a shorter range`,
      );
    }
    return step;
  }
  return pickStep(rangeMs, Math.min(TARGET_POINTS, maxPoints), Math.max(1000, scrapeIntervalMs));
}
