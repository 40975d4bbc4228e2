/**
 * The history commands' work between the command line and the pure parts: ask Prometheus
 * (fetch.ts), then compute (baseline.ts, backtest.ts). Every Prometheus fault or oversized range
 * becomes a UserError (exit 1) naming what failed; there is no partial result.
 */
import { UserError } from '../diagnostics';
import { gateValueExpr } from '../generate/rules/promql';
import { PrometheusError } from '../live/prometheus';
import { printable } from '../live/format';
import { RangeTooLargeError, type RangeClient } from '../live/range-query';
import type { ResolvedGate, ResolvedMigration } from '../model/types';
import { formatDuration } from '../util/duration';
import { replayGate, type GateReplay } from './backtest';
import { baselineGate, type GateBaseline } from './baseline';
import { fetchGateHistories, fetchPhaseHistory, gridTimes, type Range } from './fetch';
import { isoTime } from './time';

export interface BaselineReport {
  migrationId: string;
  startMs: number;
  endMs: number;
  stepMs: number;
  window: string;
  steps: number;
  margin: number;
  gates: GateBaseline[];
  infos: string[];
  /** Why these numbers may mislead (docs/baseline.md "Caveats"), shown with the report. */
  caveats: string[];
}

export interface BacktestReport {
  migrationId: string;
  startMs: number;
  endMs: number;
  stepMs: number;
  steps: number;
  /** Replayed before startMs to start the `for` clocks (not reported). */
  warmUpMs: number;
  /** Where the phase came from: migration_phase history, or `--phase` for the whole range. */
  phaseSource: 'prometheus' | 'flag';
  phase?: string;
  gates: GateReplay[];
  infos: string[];
}

/** Prometheus faults and oversized ranges as a usage error: clear message, exit 1, nothing written. */
async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RangeTooLargeError) throw new UserError(`${what}: ${e.message}`);
    if (e instanceof PrometheusError) throw new UserError(`${what}: ${printable(e.message)}`);
    throw e;
  }
}

export async function collectBaseline(client: RangeClient, model: ResolvedMigration, range: Range & { window: string; margin: number }, onProgress?: (gate: string) => void): Promise<BaselineReport> {
  if (model.gates.length === 0) throw new UserError(`${model.id} has no enabled gate: nothing to baseline`);
  const { histories, infos } = await guarded('baseline', () => fetchGateHistories(client, model, model.gates, range, onProgress));
  const steps = gridTimes(range).length;
  const gates = histories.map((h) => baselineGate(h, steps, range.margin));
  if (gates.every((g) => g.verdict === 'no-data')) {
    throw new UserError(`baseline: no gate of ${model.id} has data from ${isoTime(range.startMs)} to ${isoTime(range.endMs)} (${range.window}): nothing to learn from; check --prometheus-url, the window, and that the signals' metrics are scraped (gates: ${model.gates.map((g) => g.id).join(', ')})`);
  }
  const caveats: string[] = [];
  if (range.endMs - range.startMs < 7 * 86_400_000) caveats.push(`the window (${range.window}) is shorter than a week: weekly peaks (weekend batch jobs, Monday traffic) are not in it`);
  if (range.stepMs > model.scrapeIntervalSeconds * 1000) caveats.push(`the step (${formatDuration(range.stepMs)}) is longer than spec.scrapeInterval (${formatDuration(model.scrapeIntervalSeconds * 1000)}): spikes between steps are not seen, max may be lower than the true maximum`);
  caveats.push('a window that held an incident learns the incident: check its dashboards before taking a suggestion');
  return { migrationId: model.id, startMs: range.startMs, endMs: range.endMs, stepMs: range.stepMs, window: range.window, steps, margin: range.margin, gates, infos, caveats };
}

export async function collectBacktest(client: RangeClient, model: ResolvedMigration, range: Range, phase: string | undefined, onProgress?: (gate: string) => void): Promise<BacktestReport> {
  const gates: ResolvedGate[] = phase ? model.gates.filter((g) => g.phases.includes(phase)) : model.gates;
  if (gates.length === 0) throw new UserError(phase ? `no enabled gate of ${model.id} applies in phase ${phase}: nothing to replay` : `${model.id} has no enabled gate: nothing to replay`);
  const infos = new Set<string>();
  // Warm-up: replay from the longest `for` (rounded up to a step) before the range, so an alert
  // already pending at its start fires when it did live. Reported numbers cover the range only.
  const longestFor = Math.max(...gates.map((g) => Math.max(g.pauseForSeconds, g.rollbackForSeconds))) * 1000;
  const warmSteps = Math.ceil(longestFor / range.stepMs);
  const fetchRange: Range = { ...range, startMs: range.startMs - warmSteps * range.stepMs };
  let phasesAt: (t: number) => Iterable<string>;
  if (phase) phasesAt = () => [phase];
  else {
    const history = await guarded('backtest', () => fetchPhaseHistory(client, model, fetchRange));
    history.infos.forEach((i) => infos.add(i));
    if (![...history.phases.keys()].some((t) => t >= range.startMs)) {
      throw new UserError(`backtest: no migration_phase of ${model.id} equal to 1 from ${isoTime(range.startMs)} to ${isoTime(range.endMs)}: the generated gate alerts would not have fired at all; use --phase P to replay the gates as if the migration had been in phase P for the whole range`);
    }
    phasesAt = (t) => history.phases.get(t) ?? [];
  }
  const fetched = await guarded('backtest', () => fetchGateHistories(client, model, gates, fetchRange, onProgress));
  fetched.infos.forEach((i) => infos.add(i));
  if (fetched.histories.every((h) => ![...h.points.keys()].some((t) => t >= range.startMs))) {
    throw new UserError(`backtest: no gate of ${model.id} has data from ${isoTime(range.startMs)} to ${isoTime(range.endMs)}: every gate would be unknown (= pause) the whole time; check --prometheus-url, the range, and that the signals' metrics were scraped then (${gates.map((g) => `${g.id}: ${gateValueExpr(model, g)}`).join('; ')})`);
  }
  const times = gridTimes(fetchRange);
  const replays = fetched.histories.map((h) => replayGate(h.gate, times, range.stepMs, (t) => h.points.get(t), phasesAt, range.startMs));
  return { migrationId: model.id, startMs: range.startMs, endMs: times[times.length - 1]!, stepMs: range.stepMs, steps: replays[0]!.steps, warmUpMs: warmSteps * range.stepMs, phaseSource: phase ? 'flag' : 'prometheus', ...(phase ? { phase } : {}), gates: replays, infos: [...infos] };
}

export const stepText = (ms: number): string => formatDuration(ms);
