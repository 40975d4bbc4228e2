/**
 * Replay of a gate's generated alerts over history, step by step, with the semantics of Prometheus'
 * rule evaluation (rules/alerting.go) applied to the generated rules (src/generate/rules):
 *
 * - condition of MigrationGatePause/Rollback at t: the migration is in one of the gate's phases
 *   (migration:current_phase) and the gate value is strictly past the threshold (> above, < below);
 *   of MigrationGateSignalAbsent: in one of the gate's phases and no gate value (absent = unknown).
 * - one alert per label set: the phase label comes from the phase join, so each phase is its own
 *   alert (a phase switch restarts the `for` clock, as in Prometheus).
 * - pending at the first step the condition holds (activeAt); firing at the first step where
 *   t - activeAt >= for (pause: `for`, rollback: `rollbackFor`, absent: `for`); resolved at the
 *   first step it does not hold.
 *
 * The gate's state at a step is rollback > unknown > pause > green from the alerts firing then
 * (inactive when the migration is not in one of the gate's phases), the precedence of `migobs gate`.
 * Steps before `reportFromMs` are a warm-up: they run the alerts' `for` clocks (a condition that
 * held before the range starts is already pending at its start, as it was live) but are not counted.
 * Pure: no I/O.
 */
import type { ResolvedGate } from '../model/types';

export type Action = 'pause' | 'rollback' | 'unknown';
export type StepState = 'green' | 'pause' | 'rollback' | 'unknown' | 'inactive';

export interface Episode {
  action: Action;
  /** The phase label of the alert. */
  phase: string;
  /** First step the condition held (the alert went pending). */
  pendingSinceMs: number;
  /** First step the alert was firing. */
  startMs: number;
  /** First step the condition no longer held (resolved); undefined while still firing at the end of the range. */
  endMs?: number;
  /** Last step the alert was firing. */
  lastFiringMs: number;
  /** Worst gate value while firing (max above, min below); undefined for unknown (no value). */
  peak?: number;
}

export interface GateReplay {
  gate: ResolvedGate;
  episodes: Episode[];
  /** Steps in each state, times the step: milliseconds. */
  timeMs: Record<StepState, number>;
  /** Steps with a gate value (whatever the phase). */
  stepsWithValue: number;
  steps: number;
}

interface AlertInstance {
  activeAt: number;
  firedAt?: number;
  peak?: number;
}

export const forMs = (g: ResolvedGate, action: Action): number => (action === 'rollback' ? g.rollbackForSeconds : g.pauseForSeconds) * 1000;

/** Whether `value` is strictly past `threshold` in the gate's direction. */
export const past = (g: Pick<ResolvedGate, 'direction'>, value: number, threshold: number): boolean => (g.direction === 'below' ? value < threshold : value > threshold);

/**
 * Replay one gate. `times`: the evaluation steps in order; `value(t)`: the gate value or undefined;
 * `phasesAt(t)`: the phases current at t (all of them, the gate's are picked here).
 */
export function replayGate(gate: ResolvedGate, times: number[], stepMs: number, value: (t: number) => number | undefined, phasesAt: (t: number) => Iterable<string>, reportFromMs = -Infinity): GateReplay {
  const active = new Map<string, AlertInstance>(); // key: action + '\u0000' + phase
  const episodes: Episode[] = [];
  const timeMs: Record<StepState, number> = { green: 0, pause: 0, rollback: 0, unknown: 0, inactive: 0 };
  let stepsWithValue = 0;
  const worse = (a: number | undefined, b: number): number => (a === undefined ? b : gate.direction === 'below' ? Math.min(a, b) : Math.max(a, b));

  for (const t of times) {
    const v = value(t);
    const reported = t >= reportFromMs;
    if (v !== undefined && reported) stepsWithValue++;
    const phases = [...new Set(phasesAt(t))].filter((p) => gate.phases.includes(p)).sort();
    const holding = new Set<string>();
    for (const phase of phases) {
      if (v === undefined) holding.add(key('unknown', phase));
      else {
        if (past(gate, v, gate.pause)) holding.add(key('pause', phase));
        if (past(gate, v, gate.rollback)) holding.add(key('rollback', phase));
      }
    }
    // Alerts whose condition stopped: resolved (firing) or dropped (pending).
    for (const [k, inst] of active) {
      if (holding.has(k)) continue;
      if (inst.firedAt !== undefined) episodes[episodeIndex.get(inst)!]!.endMs = t;
      active.delete(k);
    }
    const firing = new Set<Action>();
    for (const k of holding) {
      let inst = active.get(k);
      if (!inst) active.set(k, (inst = { activeAt: t }));
      const [action, phase] = split(k);
      if (inst.firedAt === undefined && t - inst.activeAt >= forMs(gate, action)) {
        inst.firedAt = t;
        episodeIndex.set(inst, episodes.length);
        episodes.push({ action, phase, pendingSinceMs: inst.activeAt, startMs: t, lastFiringMs: t });
      }
      if (inst.firedAt !== undefined) {
        const ep = episodes[episodeIndex.get(inst)!]!;
        ep.lastFiringMs = t;
        if (v !== undefined) ep.peak = worse(ep.peak, v);
        firing.add(action);
      }
    }
    const state: StepState = firing.has('rollback') ? 'rollback' : firing.has('unknown') ? 'unknown' : firing.has('pause') ? 'pause' : phases.length ? 'green' : 'inactive';
    if (reported) timeMs[state] += stepMs;
  }
  // Warm-up steps (before reportFromMs) only set the alerts' clocks: episodes over by then are not reported.
  const shown = episodes.filter((e) => e.endMs === undefined || e.endMs > reportFromMs);
  shown.sort((a, b) => a.startMs - b.startMs || ORDER[a.action] - ORDER[b.action] || (a.phase < b.phase ? -1 : a.phase > b.phase ? 1 : 0));
  return { gate, episodes: shown, timeMs, stepsWithValue, steps: times.filter((t) => t >= reportFromMs).length };
}

const ORDER: Record<Action, number> = { rollback: 0, unknown: 1, pause: 2 };
const episodeIndex = new WeakMap<AlertInstance, number>();
const key = (action: Action, phase: string): string => `${action}\u0000${phase}`;
const split = (k: string): [Action, string] => {
  const i = k.indexOf('\u0000');
  return [k.slice(0, i) as Action, k.slice(i + 1)];
};
