/**
 * What history commands read from Prometheus: each gate's value and the migration's phase, over a
 * range, with the exact expressions of the generated recording rules (src/generate/rules/promql.ts),
 * so a replay sees what the rules would have computed.
 */
import { currentPhaseExpr, gateValueExpr } from '../generate/rules/promql';
import type { ResolvedGate, ResolvedMigration } from '../model/types';
import { PrometheusError } from '../live/prometheus';
import { queryRange, type RangeClient } from '../live/range-query';

export interface Range {
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Bound on points per query (steps x series), see range-query.ts. */
  maxPoints?: number;
}

export interface GateHistory {
  gate: ResolvedGate;
  /** The PromQL evaluated (the recording rule migration:gate:value). */
  expr: string;
  /** Value at each step that has one (±Inf included), time order; a step without a point had no value (unknown). */
  points: Map<number, number>;
}

/** Every evaluation time of the range. */
export function gridTimes(range: { startMs: number; endMs: number; stepMs: number }): number[] {
  const out: number[] = [];
  for (let t = range.startMs; t <= range.endMs; t += range.stepMs) out.push(t);
  return out;
}

/** Query each gate's value over the range, one gate at a time (each chunked). Any failure throws. */
export async function fetchGateHistories(client: RangeClient, model: ResolvedMigration, gates: ResolvedGate[], range: Range, onProgress?: (gate: string) => void): Promise<{ histories: GateHistory[]; infos: string[] }> {
  const histories: GateHistory[] = [];
  const infos = new Set<string>();
  for (const gate of gates) {
    onProgress?.(gate.id);
    const expr = gateValueExpr(model, gate);
    let answer;
    try {
      answer = await queryRange(client, expr, { startMs: range.startMs, endMs: range.endMs, stepMs: range.stepMs, ...(range.maxPoints ? { maxPoints: range.maxPoints } : {}) });
    } catch (e) {
      if (e instanceof PrometheusError) throw new PrometheusError(`gate ${gate.id}: ${e.message}`);
      throw e;
    }
    answer.infos.forEach((i) => infos.add(i));
    // max()/min() without `by` answers one series; more means the expression is not the gate value.
    if (answer.series.length > 1) throw new PrometheusError(`gate ${gate.id}: its value returned ${answer.series.length} series, expected one`);
    const points = new Map<number, number>();
    // NaN is no value (the rule's `> -Inf` / `< +Inf` drops it, with the good side's infinity); the bad side's infinity is a value the alerts compare like any other.
    for (const [t, v] of answer.series[0]?.points ?? []) if (!Number.isNaN(v)) points.set(t, v);
    histories.push({ gate, expr, points });
  }
  return { histories, infos: [...infos] };
}

/** The phases current at each step (migration:current_phase's expression); steps without a phase are absent. */
export async function fetchPhaseHistory(client: RangeClient, model: ResolvedMigration, range: Range): Promise<{ expr: string; phases: Map<number, Set<string>>; infos: string[] }> {
  const expr = currentPhaseExpr(model);
  let answer;
  try {
    answer = await queryRange(client, expr, { startMs: range.startMs, endMs: range.endMs, stepMs: range.stepMs, ...(range.maxPoints ? { maxPoints: range.maxPoints } : {}) });
  } catch (e) {
    if (e instanceof PrometheusError) throw new PrometheusError(`migration phase: ${e.message}`);
    throw e;
  }
  const phases = new Map<number, Set<string>>();
  for (const s of answer.series) {
    const phase = s.metric.phase ?? '';
    for (const [t] of s.points) {
      let set = phases.get(t);
      if (!set) phases.set(t, (set = new Set()));
      set.add(phase);
    }
  }
  return { expr, phases, infos: answer.infos };
}
