import { UserError } from '../../diagnostics';
import { PrometheusError } from '../../live/prometheus';
import { pickStep, RangeTooLargeError } from '../../live/range-query';
import { loadModel, makeClient, type LiveOptions } from '../../live/setup';
import { printable } from '../../live/format';
import { collectReport } from '../../report/collect';
import { renderHtml } from '../../report/html';
import { renderMarkdown } from '../../report/markdown';
import { parseTime } from '../../history/time';
import { chooseStep, DEFAULT_MAX_POINTS_PER_SERIES, durationMsOption, marginOption, TARGET_POINTS } from '../../report/options';
import { isMissing, type ReportData } from '../../report/types';
import { formatDuration } from '../../util/duration';
import { fsReason, writeFileAtomic } from '../../write/atomic';

export interface ReportCommandOptions extends LiveOptions {
  from?: string;
  to?: string;
  out?: string;
  format?: 'html' | 'md';
  step?: string;
  compareWindow?: string;
  regressionMargin?: string;
  maxPoints?: string;
}

/** Exit codes: 0 complete report written, 2 written but parts are missing (listed), 1 nothing written. */
export const REPORT_EXIT = { complete: 0, error: 1, partial: 2 } as const;

/**
 * `migobs report <definition> --prometheus-url U --from T --to T [--out report.html] [--format html|md]`:
 * the post-migration report from Prometheus' history (docs/report.md).
 */
export async function reportCommand(file: string, opts: ReportCommandOptions): Promise<number> {
  const format = opts.format ?? 'html';
  const model = loadModel(file, opts.config);
  const nowMs = Date.now();
  if (opts.from === undefined || opts.to === undefined) throw new UserError('--from and --to are required: the range the migration ran in (RFC 3339, Unix seconds, now or now-6h)');
  const fromMs = parseTime('--from', opts.from, nowMs);
  const toMs = parseTime('--to', opts.to, nowMs);
  if (toMs <= fromMs) throw new UserError(`--to (${new Date(toMs).toISOString()}) must be later than --from (${new Date(fromMs).toISOString()})`);
  if (fromMs > nowMs) throw new UserError(`--from ${new Date(fromMs).toISOString()} is in the future: there is no history to report yet`);
  const maxPoints = opts.maxPoints === undefined ? DEFAULT_MAX_POINTS_PER_SERIES : Number(opts.maxPoints);
  if (!Number.isInteger(maxPoints) || maxPoints < 10 || maxPoints > 1_000_000) throw new UserError(`--max-points must be a whole number from 10 to 1000000, got ${JSON.stringify(opts.maxPoints)}`);
  const scrapeMs = model.scrapeIntervalSeconds * 1000;
  const stepMs = chooseStep(toMs - fromMs, scrapeMs, maxPoints, opts.step);
  const compareWindowMs = durationMsOption('--compare-window', opts.compareWindow ?? '1h');
  const compareStepMs = pickStep(compareWindowMs, Math.min(TARGET_POINTS, maxPoints), Math.max(1000, scrapeMs));
  const marginPercent = marginOption(opts.regressionMargin ?? '20');
  const out = opts.out ?? (format === 'md' ? 'report.md' : 'report.html');
  const client = makeClient(opts, '30s');

  // The grid starts at the first multiple of the step at or after --from (what query frontends cache on).
  const gridFrom = Math.ceil(fromMs / stepMs) * stepMs;
  let data: ReportData;
  try {
    data = await collectReport(client, model, { fromMs: gridFrom, toMs, stepMs, compareWindowMs, compareStepMs, marginPercent, maxPoints: Math.max(maxPoints, 200_000), nowMs });
  } catch (e) {
    if (e instanceof RangeTooLargeError) throw new UserError(e.message);
    if (e instanceof PrometheusError) throw new UserError(printable(e.message));
    throw e;
  }
  if (client.insecure) process.stderr.write('migobs: WARNING: TLS certificate NOT verified (--insecure-skip-verify)\n');

  // Nothing at all: no report, exit 1 (a page of "missing" would look like a report).
  if (!hasData(data)) {
    const reasons = data.missing.length ? `:\n${data.missing.map((m) => `  - ${printable(m)}`).join('\n')}` : '';
    throw new UserError(`nothing to report for ${model.id} from ${new Date(fromMs).toISOString()} to ${new Date(toMs).toISOString()} on ${client.url}: no phase, progress, gate signal, alert or verification data in the range${reasons}\nNo report written.`);
  }

  const text = format === 'md' ? renderMarkdown(data) : renderHtml(data);
  if (out === '-') process.stdout.write(text);
  else {
    try {
      writeFileAtomic(out, text);
    } catch (e) {
      throw new UserError(`cannot write ${out}: ${fsReason(e)}`);
    }
  }
  for (const m of data.missing) process.stderr.write(`migobs: report part missing: ${printable(m)}\n`);
  if (out !== '-') {
    const stepNote = `one point every ${formatDuration(stepMs)}`;
    process.stderr.write(`migobs: wrote ${out} (${format}, ${data.times.length} points, ${stepNote})${data.missing.length ? `; PARTIAL: ${data.missing.length} part(s) missing, listed at the top of the report` : ''}\n`);
  }
  return data.missing.length ? REPORT_EXIT.partial : REPORT_EXIT.complete;
}

/** Whether Prometheus had anything at all about the migration in the range. */
function hasData(d: ReportData): boolean {
  if (!isMissing(d.phases) && d.phases.spans.length > 0) return true;
  if (!isMissing(d.progress)) return true;
  if (d.gates.some((g) => !isMissing(g.values) && g.values.some((v) => v !== null))) return true;
  if (!isMissing(d.alerts) && d.alerts.episodes.length > 0) return true;
  return !isMissing(d.verification) && (d.verification.verified.last !== null || d.verification.mismatched.last !== null);
}
