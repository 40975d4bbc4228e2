import { UserError } from '../../diagnostics';
import { INSECURE_WARNING, printable, safeJson } from '../../live/format';
import { alignToStep, DEFAULT_MAX_POINTS } from '../../live/range-query';
import { checkSelection, loadModel, makeClient, type LiveOptions } from '../../live/setup';
import { backtestJson, backtestText } from '../../history/format';
import { collectBacktest } from '../../history/run';
import { parseTime, spanOption } from '../../history/time';

export interface BacktestCommandOptions extends LiveOptions {
  from?: string;
  to?: string;
  phase?: string;
  step?: string;
  maxPoints?: string;
  json?: boolean;
}

/**
 * `migobs backtest <file> --prometheus-url U --from T --to T [--phase P] [--step S] [--json]`:
 * replay every gate's generated alerts over a past range (docs/backtest.md). Exit 0; 1 on any
 * fault (Prometheus down or failing, no data, a range too long).
 */
export async function backtestCommand(file: string, opts: BacktestCommandOptions): Promise<number> {
  const model = loadModel(file, opts.config);
  checkSelection(model, opts.phase === undefined ? {} : { phase: opts.phase });
  if (!opts.from || !opts.to) throw new UserError('--from and --to are required (RFC 3339, Unix seconds, now or now-<duration>)');
  const client = makeClient(opts, '30s');
  const now = Date.now();
  const stepMs = spanOption('--step', opts.step ?? `${model.scrapeIntervalSeconds}s`);
  const maxPoints = opts.maxPoints === undefined ? DEFAULT_MAX_POINTS : Number(opts.maxPoints);
  if (!Number.isSafeInteger(maxPoints) || maxPoints <= 0) throw new UserError(`--max-points must be a whole number greater than 0, got ${JSON.stringify(opts.maxPoints)}`);
  const fromMs = parseTime('--from', opts.from, now);
  const toMs = parseTime('--to', opts.to, now);
  if (toMs <= fromMs) throw new UserError(`--to must be after --from (${opts.from} to ${opts.to})`);
  // On the step grid since the epoch, as Prometheus' evaluation and query frontends align it.
  const startMs = alignToStep(fromMs, stepMs);
  const endMs = alignToStep(toMs, stepMs);
  if (client.insecure) process.stderr.write(`migobs: ${INSECURE_WARNING}\n`);

  const report = await collectBacktest(client, model, { startMs, endMs, stepMs, maxPoints }, opts.phase);
  for (const info of report.infos) process.stderr.write(`migobs: Prometheus info (does not block): ${printable(info)}\n`);
  process.stdout.write(opts.json ? safeJson(backtestJson(report)) + '\n' : backtestText(report));
  return 0;
}
