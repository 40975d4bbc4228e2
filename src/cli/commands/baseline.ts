import { readFileSync } from 'node:fs';
import { UserError } from '../../diagnostics';
import { INSECURE_WARNING, printable, safeJson } from '../../live/format';
import { alignToStep, DEFAULT_MAX_POINTS, pickStep } from '../../live/range-query';
import { loadModel, makeClient, type LiveOptions } from '../../live/setup';
import { loadDefinitionText } from '../../pipeline';
import { loadConfig } from '../../load/config';
import { writeFileAtomic } from '../../write/atomic';
import { formatDuration } from '../../util/duration';
import { DEFAULT_MARGIN, fmt } from '../../history/baseline';
import { editThresholds, NOTE_PREFIX, type ThresholdChange } from '../../history/edit-thresholds';
import { baselineJson, baselineText } from '../../history/format';
import { collectBaseline, type BaselineReport } from '../../history/run';
import { isoTime, parseTime, spanOption } from '../../history/time';

export interface BaselineCommandOptions extends LiveOptions {
  window?: string;
  step?: string;
  end?: string;
  margin?: string;
  maxPoints?: string;
  write?: boolean;
  json?: boolean;
}

/**
 * `migobs baseline <file> --prometheus-url U [--window 7d] [--step S] [--end T] [--margin 20] [--write] [--json]`:
 * each gate's value over a past window, its percentiles, the share of the window the current
 * thresholds would have spent in pause and rollback, and a suggested pause where the baseline
 * crosses it (docs/baseline.md). Exit 0; 1 on any fault (nothing written).
 */
export async function baselineCommand(file: string, opts: BaselineCommandOptions): Promise<number> {
  const model = loadModel(file, opts.config);
  const client = makeClient(opts, '30s');
  const windowMs = spanOption('--window', opts.window ?? '7d');
  const maxPoints = opts.maxPoints === undefined ? DEFAULT_MAX_POINTS : positiveInt('--max-points', opts.maxPoints);
  const stepMs = opts.step ? spanOption('--step', opts.step) : pickStep(windowMs, Math.min(maxPoints, 11_000), model.scrapeIntervalSeconds * 1000);
  const margin = opts.margin === undefined ? DEFAULT_MARGIN : percent(opts.margin);
  const endMs = alignToStep(parseTime('--end', opts.end ?? 'now', Date.now()), stepMs);
  const startMs = endMs - windowMs;
  const window = opts.window ?? '7d';
  if (client.insecure) process.stderr.write(`migobs: ${INSECURE_WARNING}\n`);

  const report = await collectBaseline(client, model, { startMs, endMs, stepMs, maxPoints, window, margin });
  for (const info of report.infos) process.stderr.write(`migobs: Prometheus info (does not block): ${printable(info)}\n`);
  for (const g of report.gates.filter((b) => b.verdict === 'no-data')) process.stderr.write(`migobs: gate ${g.gate.id}: ${g.note}\n`);

  let written: ThresholdChange[] = [];
  if (opts.write) written = writeSuggestions(file, opts.config, report);
  if (opts.json) process.stdout.write(safeJson({ ...(baselineJson(report) as object), written: opts.write ? written.map((c) => ({ gate: c.gate, pause: c.pause })) : null }) + '\n');
  else {
    process.stdout.write(baselineText(report));
    if (opts.write) process.stdout.write(written.length ? `wrote ${file}: ${written.map((c) => `${c.gate} pause ${fmt(c.pause)}`).join(', ')}\n` : `${file} unchanged: no threshold to change\n`);
  }
  return 0;
}

/**
 * Apply the suggestions to the definition's text, check the result is a valid definition whose
 * gates differ from the current ones only by those pause values, and replace the file atomically.
 */
function writeSuggestions(file: string, configFile: string | undefined, report: BaselineReport): ThresholdChange[] {
  const date = isoTime(report.endMs).slice(0, 10);
  const changes: ThresholdChange[] = report.gates.flatMap((b) =>
    b.verdict === 'crosses' && b.suggestion
      ? [{ gate: b.gate.id, pause: b.suggestion.pause, note: `${NOTE_PREFIX} ${date}: ${report.window} window to ${isoTime(report.endMs)}, step ${formatDuration(report.stepMs)}: pause = ${b.decisive!.name} ${fmt(b.decisive!.value)} ${b.gate.direction === 'below' ? '-' : '+'} ${Math.round(report.margin * 100)} % (was ${fmt(b.gate.pause)})` }]
      : [],
  );
  if (changes.length === 0) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const edited = editThresholds(text, changes);
  if (edited.skipped.length) throw new UserError(`not written: ${edited.skipped.map((s) => `gate ${s.gate}: ${s.reason}`).join('; ')}`);
  // The edited text must load to the same migration with exactly the new pause values.
  const { config } = loadConfig(configFile);
  const before = loadDefinitionText(file, text, config);
  const after = loadDefinitionText(file, edited.text, config);
  const model = after.ok && after.migrations.length === 1 ? after.migrations[0]!.model : undefined;
  const old = before.migrations[0]?.model;
  const expected = new Map(changes.map((c) => [c.gate, c.pause]));
  const same = model && old && model.gates.length === old.gates.length && model.gates.every((g, i) => {
    const o = old.gates[i]!;
    return g.id === o.id && g.rollback === o.rollback && g.direction === o.direction && g.pause === (expected.get(g.id) ?? o.pause) && g.pauseFor === o.pauseFor && g.rollbackFor === o.rollbackFor;
  });
  if (!same) throw new UserError(`not written: editing ${file} did not give the expected definition (a layout migobs cannot edit safely); set by hand: ${changes.map((c) => `${c.gate} pause ${fmt(c.pause)}`).join(', ')}`);
  writeFileAtomic(file, edited.text);
  return changes;
}

function positiveInt(flag: string, text: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UserError(`${flag} must be a whole number greater than 0, got ${JSON.stringify(text)}`);
  return Number(text);
}

function percent(text: string): number {
  if (!/^[0-9]+(?:\.[0-9]+)?$/.test(text) || Number(text) > 1000) throw new UserError(`--margin must be a percentage such as 20, got ${JSON.stringify(text)}`);
  return Number(text) / 100;
}
