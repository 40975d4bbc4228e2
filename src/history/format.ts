/** Text and JSON of `migobs baseline` and `migobs backtest` reports. */
import { formatDuration } from '../util/duration';
import { formatThreshold, formatValue } from '../live/format';
import type { StepState } from './backtest';
import { fmt, type GateBaseline } from './baseline';
import type { BacktestReport, BaselineReport } from './run';
import { isoTime } from './time';

const pct = (share: number): string => `${share === 0 ? '0' : share < 0.001 ? '<0.1' : (Math.round(share * 1000) / 10).toString()} %`;

function thresholds(g: { direction: 'above' | 'below'; pause: number; rollback: number }): string {
  return `pause ${formatThreshold(g.direction, g.pause)}, rollback ${formatThreshold(g.direction, g.rollback)}`;
}

function statsText(b: GateBaseline): string {
  const s = b.stats!;
  const v = (x: number): string => formatValue(x);
  return b.gate.direction === 'below' ? `p50 ${v(s.p50)}  p5 ${v(s.p5)}  p1 ${v(s.p1)}  min ${v(s.min)}` : `p50 ${v(s.p50)}  p95 ${v(s.p95)}  p99 ${v(s.p99)}  max ${v(s.max)}`;
}

export function baselineText(r: BaselineReport): string {
  const lines = [`${r.migrationId}: baseline ${isoTime(r.startMs)} to ${isoTime(r.endMs)} (${r.window}), step ${formatDuration(r.stepMs)}, ${r.steps} steps; shares are per step, without \`for\``];
  for (const b of r.gates) {
    lines.push(`${b.gate.id} (${b.gate.direction}; ${thresholds(b.gate)})`);
    if (b.stats) {
      lines.push(`  ${statsText(b)}  (${b.stats.samples} of ${r.steps} steps have a value)`);
      lines.push(`  current thresholds: green ${pct(b.share.green)}, pause ${pct(b.share.pause)}, rollback ${pct(b.share.rollback)}, no data ${pct(b.share.unknown)}`);
    }
    if (b.verdict === 'crosses' && b.suggestion) lines.push(`  SUGGEST pause ${fmt(b.gate.pause)} -> ${fmt(b.suggestion.pause)}, rollback ${fmt(b.suggestion.rollback)}: ${b.suggestion.method}`);
    else if (b.verdict === 'no-data') lines.push(`  NO DATA: ${b.note}`);
    else if (b.verdict === 'reaches-rollback') lines.push(`  REVIEW: ${b.note}`);
    else if (b.verdict === 'near') lines.push(`  near: ${b.note} (no change suggested)`);
    else lines.push('  ok: the baseline stays clear of pause');
  }
  for (const c of r.caveats) lines.push(`caveat: ${c}`);
  return lines.join('\n') + '\n';
}

export function baselineJson(r: BaselineReport): unknown {
  return {
    migrationId: r.migrationId,
    from: isoTime(r.startMs),
    to: isoTime(r.endMs),
    window: r.window,
    stepSeconds: r.stepMs / 1000,
    steps: r.steps,
    margin: r.margin,
    gates: r.gates.map((b) => ({
      gate: b.gate.id,
      signal: b.gate.signal,
      expr: b.expr,
      direction: b.gate.direction,
      pause: b.gate.pause,
      rollback: b.gate.rollback,
      verdict: b.verdict,
      stats: b.stats ?? null,
      share: b.share,
      decisive: b.decisive ?? null,
      suggestion: b.suggestion ?? null,
      note: b.note ?? null,
    })),
    caveats: r.caveats,
    infos: r.infos,
  };
}

const STATES: StepState[] = ['green', 'pause', 'rollback', 'unknown', 'inactive'];

export function backtestText(r: BacktestReport): string {
  const phase = r.phaseSource === 'flag' ? `as if in phase ${r.phase} throughout (--phase)` : 'phases from migration_phase';
  const warm = r.warmUpMs ? `; alerts' for clocks warmed up from ${isoTime(r.startMs - r.warmUpMs)}` : '';
  const lines = [`${r.migrationId}: backtest ${isoTime(r.startMs)} to ${isoTime(r.endMs)}, step ${formatDuration(r.stepMs)} (${r.steps} steps), ${phase}${warm}`];
  for (const g of r.gates) {
    const gate = g.gate;
    lines.push(`${gate.id} (${gate.direction}; pause ${formatThreshold(gate.direction, gate.pause)} for ${gate.pauseFor}, rollback ${formatThreshold(gate.direction, gate.rollback)} for ${gate.rollbackFor}; phases ${gate.phases.join(', ')})`);
    lines.push(`  time: ${STATES.map((s) => `${s} ${formatDuration(g.timeMs[s])}`).join(', ')}`);
    if (g.episodes.length === 0) lines.push('  no episodes');
    for (const e of g.episodes) {
      const end = e.endMs === undefined ? 'still firing at the end' : isoTime(e.endMs);
      const dur = formatDuration((e.endMs ?? e.lastFiringMs + r.stepMs) - e.startMs);
      const peak = e.peak === undefined ? '' : `, peak ${formatValue(e.peak)}`;
      lines.push(`  ${e.action.padEnd(8)} ${e.phase}  ${isoTime(e.startMs)} -> ${end}  (${dur}; pending from ${isoTime(e.pendingSinceMs)}${peak})`);
    }
  }
  return lines.join('\n') + '\n';
}

export function backtestJson(r: BacktestReport): unknown {
  return {
    migrationId: r.migrationId,
    from: isoTime(r.startMs),
    to: isoTime(r.endMs),
    stepSeconds: r.stepMs / 1000,
    steps: r.steps,
    warmUpSeconds: r.warmUpMs / 1000,
    phaseSource: r.phaseSource,
    phase: r.phase ?? null,
    gates: r.gates.map((g) => ({
      gate: g.gate.id,
      direction: g.gate.direction,
      pause: g.gate.pause,
      rollback: g.gate.rollback,
      pauseFor: g.gate.pauseFor,
      rollbackFor: g.gate.rollbackFor,
      phases: g.gate.phases,
      seconds: Object.fromEntries(STATES.map((s) => [s, g.timeMs[s] / 1000])),
      stepsWithValue: g.stepsWithValue,
      episodes: g.episodes.map((e) => ({
        action: e.action,
        phase: e.phase,
        pendingSince: isoTime(e.pendingSinceMs),
        start: isoTime(e.startMs),
        end: e.endMs === undefined ? null : isoTime(e.endMs),
        lastFiring: isoTime(e.lastFiringMs),
        // JSON has no infinity: Prometheus' spelling, as a string.
        peak: e.peak === undefined ? null : Number.isFinite(e.peak) ? e.peak : e.peak > 0 ? '+Inf' : '-Inf',
      })),
    })),
    infos: r.infos,
  };
}
