/** Text for live output: numbers, thresholds, states and the gate table (shared by gate and watch). */
import { paint, table, type Color } from '../cli/output';
import type { GateResult, GateState } from './gate';

/** Six significant digits, no exponent for everyday magnitudes, `-` for no value. */
export function formatValue(value: number | null | undefined, raw?: string): string {
  if (value === null || value === undefined) return raw ?? '-';
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

/** gate | value | pause | rollback | state. Colour is applied after padding so columns stay aligned. */
export function gateTable(results: GateResult[], stream?: NodeJS.WriteStream): string {
  const rows = results.map((r) => [r.gate, formatValue(r.value, r.raw), formatThreshold(r.direction, r.pause), formatThreshold(r.direction, r.rollback), r.state]);
  const text = table(['gate', 'value', 'pause', 'rollback', 'state'], rows);
  const lines = text.split('\n');
  // The state is the last column: repaint it on each data line (lines 0 and 1 are header and rule).
  return lines
    .map((line, i) => {
      const r = results[i - 2];
      return r && line.endsWith(r.state) ? line.slice(0, line.length - r.state.length) + paintState(r.state, stream) : line;
    })
    .join('\n');
}
