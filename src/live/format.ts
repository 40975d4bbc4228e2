/** Text for live output: numbers, thresholds, states and the gate table (shared by gate and watch). */
import { paint, table, type Color } from '../cli/output';
import type { GateReport, GateResult, GateState } from './gate';

/**
 * Characters a terminal may act on (C0 and C1 controls, DEL: ESC starts colour, cursor and
 * clear-screen sequences; CR/LF start a fake line), plus line/paragraph separators and bidi
 * controls that reorder what a reader sees.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text that came from Prometheus or the network (error messages, label values, bodies), made safe
 * to print: every unsafe character is shown as an escape (`\x1b`, `\n`, `\u202e`), so a hostile
 * answer cannot clear the screen, move the cursor or print a line of its own.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const cp = ch.codePointAt(0)!;
    return NAMED[ch] ?? (cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`);
  });
}

/** JSON whose text holds no character a terminal acts on (JSON.stringify leaves C1 controls and bidi marks as they are). */
export function safeJson(value: unknown): string {
  // C0 controls inside strings are already escaped by JSON.stringify; the rest of its C0 are layout newlines.
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/**
 * Six significant digits, no exponent for everyday magnitudes, `-` for no value; infinities and
 * NaN as Prometheus writes them (`+Inf`, `-Inf`, `NaN`), not as JavaScript does (`Infinity`).
 */
export function formatValue(value: number | null | undefined, raw?: string): string {
  if (value === null || value === undefined) return raw === undefined ? '-' : printable(raw);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** `> 10` (above) or `< 0.5` (below): the condition that trips the threshold. */
export function formatThreshold(direction: 'above' | 'below', threshold: number): string {
  return `${direction === 'below' ? '<' : '>'} ${formatValue(threshold)}`;
}

const STATE_COLOR: Record<GateState, Color> = { green: 'green', pause: 'yellow', rollback: 'red', unknown: 'magenta' };

/** What the runner should do for a state. */
export const ACTION: Record<GateState, string> = { green: 'PROCEED', pause: 'PAUSE', rollback: 'ROLLBACK', unknown: 'UNKNOWN (treat as pause)' };

export function paintState(state: GateState, stream?: NodeJS.WriteStream): string {
  return paint(state, STATE_COLOR[state], stream);
}

/**
 * gate | [phases |] value | pause | rollback | state. The phases column is shown when the current
 * phase is unknown and every gate of every phase was evaluated. Colour is applied after padding so
 * columns stay aligned.
 */
export function gateTable(results: GateResult[], stream?: NodeJS.WriteStream, opts: { phases?: boolean } = {}): string {
  const rows = results.map((r) => [r.gate, ...(opts.phases ? [r.phases.join(',')] : []), formatValue(r.value, r.raw), formatThreshold(r.direction, r.pause), formatThreshold(r.direction, r.rollback), r.state]);
  const text = table(['gate', ...(opts.phases ? ['phases'] : []), 'value', 'pause', 'rollback', 'state'], rows);
  const lines = text.split('\n');
  // The state is the last column: repaint it on each data line (lines 0 and 1 are header and rule).
  return lines
    .map((line, i) => {
      const r = results[i - 2];
      return r && line.endsWith(r.state) ? line.slice(0, line.length - r.state.length) + paintState(r.state, stream) : line;
    })
    .join('\n');
}

/** Shown on every answer given without certificate checks. */
export const INSECURE_WARNING = 'WARNING: TLS certificate NOT verified (--insecure-skip-verify): anyone on the network path can forge this answer';

/**
 * Every note of an answer, one line each, already printable: the overall reason, each unknown gate's
 * reason, Prometheus infos. Used for stderr (gate, plain watch) and below the watch frame.
 */
export function reasonLines(r: GateReport): string[] {
  const lines: string[] = [];
  if (r.reason) lines.push(printable(r.reason) + (r.evaluated === 'all-phases' ? ' (every gate of every phase was evaluated)' : ''));
  for (const g of r.gates) if (g.reason) lines.push(`gate ${g.gate} unknown: ${printable(g.reason)}`);
  for (const info of r.infos) lines.push(`Prometheus info (does not block): ${printable(info)}`);
  return lines;
}

/** One gate of `migobs gate --json`. */
export interface GateJson {
  gate: string;
  signal: string;
  phases: string[];
  value: number | null;
  raw?: string;
  pause: number;
  rollback: number;
  direction: 'above' | 'below';
  state: GateState;
  reason: string | null;
}

/** `migobs gate --json`. */
export interface GateReportJson {
  migration: string;
  phase: string | null;
  phaseSource: GateReport['phaseSource'];
  evaluated: GateReport['evaluated'];
  gates: GateJson[];
  overall: { state: GateState; action: string; exitCode: number; reason: string | null };
  infos: string[];
  insecureSkipVerify: boolean;
  warning?: string;
}

/** `migobs gate --json` (also the `evaluation` of the gate server's /check). Stable JSON for runners: per-gate value, thresholds, direction, phases, state, reason; and the overall answer. */
export function gateReportJson(r: GateReport): GateReportJson {
  return {
    migration: r.migrationId,
    phase: r.phase ?? null,
    phaseSource: r.phaseSource,
    evaluated: r.evaluated,
    gates: r.gates.map((g) => ({
      gate: g.gate,
      signal: g.signal,
      phases: g.phases,
      value: g.value,
      ...(g.raw !== undefined && g.value === null ? { raw: g.raw } : {}),
      pause: g.pause,
      rollback: g.rollback,
      direction: g.direction,
      state: g.state,
      reason: g.reason ?? null,
    })),
    overall: { state: r.state, action: ACTION[r.state], exitCode: r.exitCode, reason: r.reason ?? null },
    infos: r.infos,
    insecureSkipVerify: r.tlsUnverified,
    ...(r.tlsUnverified ? { warning: INSECURE_WARNING } : {}),
  };
}
