/**
 * Live go/no-go: the current phase from `migration_phase`, then every gate that applies to it,
 * evaluated against Prometheus in one batched instant query (see batch.ts).
 *
 * Fail-closed: anything that is not a finite number for a gate — Prometheus unreachable, timeout,
 * HTTP error, not a Prometheus answer, empty result, NaN, ±Inf — makes that gate `unknown`, which is
 * worse than rollback (exit 4). Thresholds follow docs/architecture.md "Gate semantics": strictly
 * greater (above) or strictly less (below); a value exactly at a threshold is green.
 *
 * The gate value is the instant value of the signal (worst series: max for above, min for below),
 * computed from the resolved signal expression, so `gate` works even where migobs' recording rules
 * are not loaded. The alerts' `for` durations do not apply here: a runner asks "is it safe now?".
 */
import { GATE_STATE, type GateStateName } from '../generate/names';
import type { ResolvedGate, ResolvedMigration } from '../model/types';
import { selector } from '../promql/matchers';
import { splitTagged, taggedQuery } from './batch';
import { PrometheusError, type PrometheusClient } from './prometheus';

export type GateState = GateStateName;

/** Exit codes of `migobs gate`. */
export const EXIT = { proceed: 0, error: 1, pause: 2, rollback: 3, unknown: 4 } as const;

const EXIT_OF_STATE: Record<GateState, number> = { green: EXIT.proceed, pause: EXIT.pause, rollback: EXIT.rollback, unknown: EXIT.unknown };

export interface GateResult {
  gate: string;
  title: string;
  signal: string;
  direction: 'above' | 'below';
  pause: number;
  rollback: number;
  /** The signal's value; null when there is none (empty result, query failed) or it is NaN/±Inf. */
  value: number | null;
  /** The value as Prometheus wrote it (e.g. "NaN"), when there was one. */
  raw?: string;
  state: GateState;
  /** Why the gate is unknown. */
  reason?: string;
}

export interface GateReport {
  migrationId: string;
  /** The phase the gates were chosen for; undefined when it could not be determined (or --gate was used without --phase). */
  phase?: string;
  phaseSource: 'flag' | 'prometheus' | 'none';
  gates: GateResult[];
  state: GateState;
  exitCode: number;
  /** A problem that affects the whole answer (e.g. current phase unknown). */
  reason?: string;
}

/** Green, pause or rollback for a finite value; unknown for NaN/±Inf. */
export function classify(value: number, gate: Pick<ResolvedGate, 'direction' | 'pause' | 'rollback'>): { state: GateState; reason?: string } {
  if (!Number.isFinite(value)) return { state: 'unknown', reason: `signal value is ${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf'}` };
  const beyond = gate.direction === 'below' ? (t: number) => value < t : (t: number) => value > t;
  if (beyond(gate.rollback)) return { state: 'rollback' };
  if (beyond(gate.pause)) return { state: 'pause' };
  return { state: 'green' };
}

/** The worst state: unknown > rollback > pause > green. */
export function worstState(states: GateState[]): GateState {
  return states.reduce<GateState>((worst, s) => (GATE_STATE[s] > GATE_STATE[worst] ? s : worst), 'green');
}

export const exitCodeFor = (state: GateState): number => EXIT_OF_STATE[state];

/** The gate's value as PromQL: the worst series of its signal. */
export function gateValueExpr(model: ResolvedMigration, gate: ResolvedGate): string {
  const signal = model.signals[gate.signal];
  if (!signal) throw new Error(`gate ${gate.id}: signal ${gate.signal} is not defined`);
  return `${gate.direction === 'below' ? 'min' : 'max'}(${signal.expr})`;
}

/** `migration_phase{migration_id="<id>", <selector>} == 1`. */
export function currentPhaseExpr(model: ResolvedMigration): string {
  return `${selector('migration_phase', model.migrationMatchers)} == 1`;
}

/** Label carrying the gate id in the batched gate query. */
export const GATE_LABEL = 'gate';

/** One instant query answering every given gate. */
export function gatesQuery(model: ResolvedMigration, gates: ResolvedGate[]): string {
  return taggedQuery(gates.map((g) => [g.id, gateValueExpr(model, g)] as const), GATE_LABEL);
}

/** The gates that apply in a phase, in definition order. */
export function gatesForPhase(model: ResolvedMigration, phase: string): ResolvedGate[] {
  return model.gates.filter((g) => g.phases.includes(phase));
}

/** The current phase according to Prometheus, or why it cannot be known. */
export async function currentPhase(client: PrometheusClient, model: ResolvedMigration, signal?: AbortSignal): Promise<{ phase?: string; reason?: string }> {
  let samples;
  try {
    samples = await client.query(currentPhaseExpr(model), signal);
  } catch (e) {
    return { reason: `current phase unknown: ${message(e)}` };
  }
  const phases = [...new Set(samples.map((s) => s.metric.phase ?? ''))].sort();
  if (phases.length === 0) return { reason: `current phase unknown: no migration_phase series equal to 1 for migration_id ${JSON.stringify(model.id)} (is the runner exporting metrics?)` };
  if (phases.length > 1) return { reason: `current phase ambiguous: migration_phase is 1 for ${phases.map((p) => JSON.stringify(p)).join(', ')}` };
  const phase = phases[0]!;
  if (!model.phases.some((p) => p.id === phase)) return { reason: `current phase ${JSON.stringify(phase)} (from migration_phase) is not a phase of ${model.id}: ${model.phases.map((p) => p.id).join(', ')}` };
  return { phase };
}

/** Evaluate gates in one query. A failed query makes every gate unknown with the same reason. */
export async function evaluateGates(client: PrometheusClient, model: ResolvedMigration, gates: ResolvedGate[], signal?: AbortSignal): Promise<GateResult[]> {
  if (gates.length === 0) return [];
  const base = (g: ResolvedGate): Omit<GateResult, 'state' | 'value'> => ({ gate: g.id, title: g.title, signal: g.signal, direction: g.direction, pause: g.pause, rollback: g.rollback });
  let byGate: Map<string, { value: number; raw: string }[]>;
  try {
    const samples = await client.query(gatesQuery(model, gates), signal);
    byGate = new Map([...splitTagged(samples, GATE_LABEL)].map(([k, v]) => [k, v.map((s) => ({ value: s.value, raw: s.raw }))]));
  } catch (e) {
    const reason = message(e);
    return gates.map((g) => ({ ...base(g), value: null, state: 'unknown', reason }));
  }
  return gates.map((g): GateResult => {
    const found = byGate.get(g.id) ?? [];
    if (found.length === 0) return { ...base(g), value: null, state: 'unknown', reason: `no data: signal ${g.signal} returned an empty result` };
    if (found.length > 1) return { ...base(g), value: null, state: 'unknown', reason: `signal ${g.signal} returned ${found.length} series for one gate` };
    const { value, raw } = found[0]!;
    const c = classify(value, g);
    return { ...base(g), value: Number.isFinite(value) ? value : null, raw, ...c };
  });
}

export interface GateRunOptions {
  /** Evaluate the gates of this phase instead of the current one. */
  phase?: string;
  /** Evaluate exactly these gates (the phase is then not consulted unless `phase` is given too). */
  gateIds?: string[];
}

/**
 * The whole `gate` answer: choose the gates (by phase or by id) and evaluate them. The caller has
 * already checked that `phase` and `gateIds` exist in the model.
 */
export async function runGates(client: PrometheusClient, model: ResolvedMigration, options: GateRunOptions = {}, signal?: AbortSignal): Promise<GateReport> {
  const report = (partial: Omit<GateReport, 'state' | 'exitCode' | 'migrationId'>): GateReport => {
    const state = partial.reason ? 'unknown' : worstState(partial.gates.map((g) => g.state));
    return { migrationId: model.id, ...partial, state, exitCode: exitCodeFor(state) };
  };
  if (options.gateIds?.length) {
    const gates = options.gateIds.map((id) => model.gates.find((g) => g.id === id)!);
    const results = await evaluateGates(client, model, gates, signal);
    return report({ ...(options.phase ? { phase: options.phase } : {}), phaseSource: options.phase ? 'flag' : 'none', gates: results });
  }
  let phase = options.phase;
  const phaseSource = phase ? 'flag' : 'prometheus';
  if (!phase) {
    const found = await currentPhase(client, model, signal);
    if (!found.phase) return report({ phaseSource, gates: [], reason: found.reason! });
    phase = found.phase;
  }
  const results = await evaluateGates(client, model, gatesForPhase(model, phase), signal);
  return report({ phase, phaseSource, gates: results });
}

function message(e: unknown): string {
  if (e instanceof PrometheusError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** Matchers selecting this migration's contract metrics (re-exported for watch). */
export const migrationSelector = (model: ResolvedMigration, metric: string): string => selector(metric, model.migrationMatchers);
