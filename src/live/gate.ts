/**
 * Live go/no-go: the current phase from `migration_phase`, then every gate that applies to it,
 * evaluated against Prometheus in one batched instant query (see batch.ts).
 *
 * Fail-closed: anything that is not a finite number for a gate — Prometheus unreachable, timeout,
 * HTTP error, not a Prometheus answer, a partial or stale answer, empty result, NaN, ±Inf — makes
 * that gate `unknown` (exit 4). Evidence of danger is never hidden: a gate past its rollback
 * threshold answers rollback (exit 3) even when other gates are unknown, and even when the current
 * phase is unknown (then every gate of every phase is evaluated). Precedence of the overall answer:
 * rollback > unknown > pause > green. Thresholds follow docs/architecture.md "Gate semantics":
 * strictly greater (above) or strictly less (below); a value exactly at a threshold is green.
 *
 * The gate value is the instant value of the signal (worst series: max for above, min for below;
 * absent when any series is NaN or the series count differs from the target's `count`),
 * computed from the resolved signal expression, so `gate` works even where migobs' recording rules
 * are not loaded. The alerts' `for` durations do not apply here: a runner asks "is it safe now?".
 *
 * All queries of one answer are evaluated at the same explicit time and share one deadline
 * (`--timeout`), so an answer never takes longer than that.
 */
import type { GateStateName } from '../generate/names';
import type { ResolvedGate, ResolvedMigration } from '../model/types';
import { gateValueOf } from '../promql/gate-value';
import { formatMatchers, matcherAccepts, quotePromqlString, selector } from '../promql/matchers';
import { splitTagged, taggedQuery } from './batch';
import { explainUnknown } from './explain';
import { PrometheusError, type PrometheusClient, type QueryAnswer, type Sample } from './prometheus';

export type GateState = GateStateName;

/** What the gate logic needs of a Prometheus client (a wrapper may count or log its queries). */
export type GateClient = Pick<PrometheusClient, 'query' | 'deadline' | 'insecure'>;

/** Exit codes of `migobs gate`. */
export const EXIT = { proceed: 0, error: 1, pause: 2, rollback: 3, unknown: 4 } as const;

const EXIT_OF_STATE: Record<GateState, number> = { green: EXIT.proceed, pause: EXIT.pause, rollback: EXIT.rollback, unknown: EXIT.unknown };

/**
 * Rank of a state in the overall answer: rollback > unknown > pause > green. (The numeric values of
 * `migration:gate:state` in the rules, GATE_STATE, are a recording format, not this order.)
 */
export const PRECEDENCE: Record<GateState, number> = { green: 0, pause: 1, unknown: 2, rollback: 3 };

export interface GateResult {
  gate: string;
  title: string;
  signal: string;
  /** The phases the gate applies in (from the definition). */
  phases: string[];
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

/**
 * Which gates an answer covers: those of the current (or `--phase`) phase, every gate of every
 * phase (the current phase is unknown), or the `--gate` selection.
 */
export type Evaluated = 'phase' | 'all-phases' | 'selected';

export interface GateReport {
  migrationId: string;
  /** The phase the gates were chosen for; undefined when it could not be determined (or --gate was used without --phase). */
  phase?: string;
  phaseSource: 'flag' | 'prometheus' | 'none';
  evaluated: Evaluated;
  gates: GateResult[];
  state: GateState;
  exitCode: number;
  /** A problem that affects the whole answer (e.g. current phase unknown). */
  reason?: string;
  /** Prometheus' `infos` notes (shown, never blocking), deduplicated. */
  infos: string[];
  /** The answer came over https without certificate verification (`--insecure-skip-verify`). */
  tlsUnverified: boolean;
}

/** The infinity past every threshold of a gate in `direction` (+Inf for `above`): a value, where the other one is not (classify). */
export const badSideInfinity = (direction: 'above' | 'below'): number => (direction === 'below' ? -Infinity : Infinity);

/**
 * Green, pause or rollback for a number; unknown for NaN and for the infinity on the gate's good
 * side (-Inf for `above`: not a measurement). The bad side's infinity (+Inf for `above`, e.g.
 * errors over no traffic) is past every threshold: rollback, as the alert rules say
 * (src/promql/gate-value.ts).
 */
export function classify(value: number, gate: Pick<ResolvedGate, 'direction' | 'pause' | 'rollback'>): { state: GateState; reason?: string } {
  if (Number.isNaN(value)) return { state: 'unknown', reason: 'signal value is NaN' };
  const goodSideInfinity = -badSideInfinity(gate.direction);
  if (value === goodSideInfinity) return { state: 'unknown', reason: `signal value is ${value > 0 ? '+Inf' : '-Inf'}, which is not a measurement` };
  const beyond = gate.direction === 'below' ? (t: number) => value < t : (t: number) => value > t;
  if (beyond(gate.rollback)) return { state: 'rollback' };
  if (beyond(gate.pause)) return { state: 'pause' };
  return { state: 'green' };
}

/** The overall state of gates: rollback > unknown > pause > green. */
export function worstState(states: GateState[]): GateState {
  return states.reduce<GateState>((worst, s) => (PRECEDENCE[s] > PRECEDENCE[worst] ? s : worst), 'green');
}

export const exitCodeFor = (state: GateState): number => EXIT_OF_STATE[state];

/**
 * The gate's value as PromQL: the worst series of its signal, with the NaN and series-count
 * guards; the same expression as the recording rule (src/promql/gate-value.ts).
 */
export function gateValueExpr(model: ResolvedMigration, gate: ResolvedGate): string {
  return gateValueOf(model, gate).value;
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

/** How the queries of one answer are asked: one evaluation time, one deadline, one cancel signal. */
export interface AnswerContext {
  signal?: AbortSignal;
  /** Evaluation time, ms since the epoch. */
  timeMs?: number;
  /** Deadline of the whole answer, ms since the epoch. */
  deadline?: number;
  /** Collects Prometheus `infos` of every query. */
  infos?: string[];
}

async function ask(client: GateClient, expr: string, ctx: AnswerContext): Promise<Sample[]> {
  const answer: QueryAnswer = await client.query(expr, { ...(ctx.signal ? { signal: ctx.signal } : {}), ...(ctx.timeMs !== undefined ? { timeMs: ctx.timeMs } : {}), ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}) });
  ctx.infos?.push(...answer.infos);
  return answer.samples;
}

/** `{a="x", b="y"}` for a message (label values quoted as PromQL would). */
const labelText = (metric: Record<string, string>): string => `{${Object.entries(metric).map(([k, v]) => `${k}=${quotePromqlString(v)}`).join(', ')}}`;

/**
 * Why a series of the phase answer is not this migration's current phase, or undefined. The query
 * asked for exactly that, so a series outside it means something between migobs and Prometheus
 * (a proxy rewriting or ignoring matchers, a cache keyed wrongly) answered another question.
 */
function foreignPhaseSeries(model: ResolvedMigration, s: Sample): string | undefined {
  const name = s.metric.__name__;
  if (name !== undefined && name !== 'migration_phase') return `a ${name} series`;
  const failed = model.migrationMatchers.find((m) => {
    try {
      return !matcherAccepts(m, s.metric[m.name] ?? '');
    } catch {
      return true; // a regex JavaScript cannot compile: cannot vouch for the series
    }
  });
  if (failed) return `a series outside ${formatMatchers([failed])}`;
  if (s.value !== 1) return `a series with value ${s.raw} (asked for == 1)`;
  return undefined;
}

/** The current phase according to Prometheus, or why it cannot be known. */
export async function currentPhase(client: GateClient, model: ResolvedMigration, ctx: AnswerContext = {}): Promise<{ phase?: string; reason?: string }> {
  let samples: Sample[];
  try {
    samples = await ask(client, currentPhaseExpr(model), ctx);
  } catch (e) {
    return { reason: `current phase unknown: ${message(e)}` };
  }
  for (const s of samples) {
    const foreign = foreignPhaseSeries(model, s);
    if (foreign) return { reason: `current phase unknown: the migration_phase answer holds ${foreign}: ${labelText(s.metric)}, not this migration's phase (a proxy ignoring or rewriting matchers?)` };
  }
  const phases = [...new Set(samples.map((s) => s.metric.phase ?? ''))].sort();
  if (phases.length === 0) return { reason: `current phase unknown: no migration_phase series equal to 1 for migration_id ${JSON.stringify(model.id)} (is the runner exporting metrics?)` };
  if (phases.length > 1) return { reason: `current phase ambiguous: migration_phase is 1 for ${phases.map((p) => JSON.stringify(p)).join(', ')}` };
  const phase = phases[0]!;
  if (!model.phases.some((p) => p.id === phase)) return { reason: `current phase ${JSON.stringify(phase)} (from migration_phase) is not a phase of ${model.id}: ${model.phases.map((p) => p.id).join(', ')}` };
  return { phase };
}

/** Evaluate gates in one query. A failed or doubtful answer makes every gate unknown with the same reason. */
export async function evaluateGates(client: GateClient, model: ResolvedMigration, gates: ResolvedGate[], ctx: AnswerContext = {}): Promise<GateResult[]> {
  if (gates.length === 0) return [];
  const base = (g: ResolvedGate): Omit<GateResult, 'state' | 'value'> => ({ gate: g.id, title: g.title, signal: g.signal, phases: [...g.phases], direction: g.direction, pause: g.pause, rollback: g.rollback });
  let byGate: Map<string, Sample[]>;
  try {
    const samples = await ask(client, gatesQuery(model, gates), ctx);
    byGate = splitTagged(samples, GATE_LABEL);
    // Every series of the batched query carries the tag of a gate that was asked (label_replace sets
    // it unconditionally); anything else is an answer to another question.
    const asked = new Set(gates.map((g) => g.id));
    const stray = samples.find((s) => !asked.has(s.metric[GATE_LABEL] ?? ''));
    if (stray) throw new PrometheusError(`the answer holds a series migobs did not ask for: ${labelText(stray.metric)}`);
  } catch (e) {
    const reason = message(e);
    return gates.map((g) => ({ ...base(g), value: null, state: 'unknown', reason }));
  }
  // An empty gate value has several causes (no series, a NaN series, a wrong series count): ask which.
  const empty = gates.filter((g) => (byGate.get(g.id) ?? []).length === 0);
  const why = await explainUnknown((expr) => ask(client, expr, ctx), model, empty);
  return gates.map((g): GateResult => {
    const found = byGate.get(g.id) ?? [];
    if (found.length === 0) return { ...base(g), value: null, state: 'unknown', reason: why.get(g.id) ?? `no data: signal ${g.signal} returned an empty result` };
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
  /** Evaluation time (ms since the epoch); default now. */
  timeMs?: number;
}

/**
 * The whole `gate` answer: choose the gates (by phase or by id) and evaluate them. The caller has
 * already checked that `phase` and `gateIds` exist in the model.
 *
 * When the current phase cannot be determined, every gate of every phase is evaluated: one past its
 * rollback threshold answers rollback, otherwise the answer is unknown (never green or pause, since
 * which gates apply is not known).
 */
export async function runGates(client: GateClient, model: ResolvedMigration, options: GateRunOptions = {}, signal?: AbortSignal): Promise<GateReport> {
  const infos: string[] = [];
  const ctx: AnswerContext = { ...(signal ? { signal } : {}), timeMs: Math.round(options.timeMs ?? Date.now()), deadline: client.deadline(), infos };
  const report = (partial: Omit<GateReport, 'state' | 'exitCode' | 'migrationId' | 'infos' | 'tlsUnverified'>): GateReport => {
    const worst = worstState(partial.gates.map((g) => g.state));
    const state: GateState = partial.reason && worst !== 'rollback' ? 'unknown' : worst;
    return { migrationId: model.id, ...partial, state, exitCode: exitCodeFor(state), infos: [...new Set(infos)], tlsUnverified: client.insecure };
  };
  if (options.gateIds?.length) {
    const gates = options.gateIds.map((id) => model.gates.find((g) => g.id === id)!);
    const results = await evaluateGates(client, model, gates, ctx);
    return report({ ...(options.phase ? { phase: options.phase } : {}), phaseSource: options.phase ? 'flag' : 'none', evaluated: 'selected', gates: results });
  }
  let phase = options.phase;
  const phaseSource = phase ? 'flag' : 'prometheus';
  if (!phase) {
    const found = await currentPhase(client, model, ctx);
    if (!found.phase) {
      const results = await evaluateGates(client, model, model.gates, ctx);
      return report({ phaseSource, evaluated: 'all-phases', gates: results, reason: found.reason! });
    }
    phase = found.phase;
  }
  const results = await evaluateGates(client, model, gatesForPhase(model, phase), ctx);
  return report({ phase, phaseSource, evaluated: 'phase', gates: results });
}

function message(e: unknown): string {
  if (e instanceof PrometheusError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** Matchers selecting this migration's contract metrics (re-exported for watch). */
export const migrationSelector = (model: ResolvedMigration, metric: string): string => selector(metric, model.migrationMatchers);
