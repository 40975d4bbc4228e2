/**
 * Reading gate thresholds back out of committed output, so drift can compare them with the
 * definition. Each reader takes the file text and returns what it found per gate; anything it
 * cannot find is left out (drift reports only values it could read and that differ).
 */
import { parse as parseYaml } from 'yaml';
import type { SyntaxNode } from '@lezer/common';
import type { Direction } from '../definition/types';
import { thresholdOfStep } from '../generate/dashboard/thresholds';
import { ALERT, RECORD } from '../generate/names';
import { parsePromql, syntaxProblems } from '../promql/parse';

export type Action = 'pause' | 'rollback';
export type Thresholds = Partial<Record<Action, number>>;

/** A YAML/JSON file that does not parse is itself worth reporting. */
export class UnreadableOutput extends Error {}

const COMPARISONS: Record<Direction, Record<string, true>> = {
  above: { '>': true, '>=': true },
  below: { '<': true, '<=': true },
};
/** `10 < x` is `x > 10`. */
const FLIP: Record<string, string> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=' };

/** The numeric literal of an expression node (`10`, `-3`, `(0.5)`), or undefined. */
function literal(text: string, node: SyntaxNode): number | undefined {
  if (node.name === 'NumberDurationLiteral' || node.name === 'NumberLiteral') {
    const v = Number(text.slice(node.from, node.to));
    return Number.isFinite(v) ? v : undefined;
  }
  if (node.name === 'ParenExpr' || node.name === 'UnaryExpr') {
    const inner = node.lastChild;
    if (!inner) return undefined;
    const v = literal(text, inner);
    if (v === undefined) return undefined;
    return node.name === 'UnaryExpr' && text.slice(node.from, node.to).trimStart().startsWith('-') ? -v : v;
  }
  return undefined;
}

/**
 * Numbers compared against in the gate's direction: `expr > 10` and `10 < expr` give 10 for
 * `above`. Comparisons of state (`== 1`) and phase matching are ignored.
 */
export function directionalLiterals(expr: string, direction: Direction): number[] {
  const parsed = parsePromql(expr);
  if (syntaxProblems(parsed).length) return [];
  const found: number[] = [];
  parsed.tree.iterate({
    enter: (n) => {
      if (n.name !== 'BinaryExpr') return undefined;
      const node = n.node;
      const operands: SyntaxNode[] = [];
      let op: string | undefined;
      for (let c = node.firstChild; c; c = c.nextSibling) {
        const t = expr.slice(c.from, c.to).trim();
        if (['>', '>=', '<', '<=', '==', '!='].includes(t)) op = t;
        else if (c.name !== 'BoolModifier' && c.name !== 'MatchingModifierClause' && !/^(bool|on|ignoring|group_left|group_right)\b/.test(t)) operands.push(c);
      }
      if (!op || operands.length !== 2) return undefined;
      const [lhs, rhs] = operands as [SyntaxNode, SyntaxNode];
      const right = literal(expr, rhs);
      const left = literal(expr, lhs);
      if (right !== undefined && left === undefined && COMPARISONS[direction][op]) found.push(right);
      else if (left !== undefined && right === undefined && COMPARISONS[direction][FLIP[op] ?? '']) found.push(left);
      return undefined;
    },
  });
  return found;
}

interface RuleLike {
  alert?: unknown;
  record?: unknown;
  expr?: unknown;
  labels?: Record<string, unknown>;
}

/**
 * Parse results of the last file read, so drift parses each committed file once per migration
 * rather than once per gate (the rules file of a migration with 20 gates is read 20 times). One
 * entry per reader: drift reads one migration's files, gate after gate, then moves on.
 */
function memoLast<T>(parse: (text: string) => T): (text: string) => T {
  let last: { text: string; value?: T; error?: unknown } | undefined;
  return (text) => {
    if (last?.text !== text) {
      try {
        last = { text, value: parse(text) };
      } catch (error) {
        last = { text, error };
      }
    }
    if ('error' in last) throw last.error;
    return last.value as T;
  };
}

const rulesOf = memoLast(parseRules);

function parseRules(text: string): RuleLike[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UnreadableOutput(`is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  const groups = (doc as { groups?: unknown })?.groups;
  if (!Array.isArray(groups)) throw new UnreadableOutput('has no `groups:` list');
  return groups.flatMap((g) => (Array.isArray((g as { rules?: unknown })?.rules) ? ((g as { rules: RuleLike[] }).rules) : []));
}

const ALERT_OF: Record<Action, string> = { pause: ALERT.pause, rollback: ALERT.rollback };

/** Thresholds as one place of a committed file states them (e.g. one alert rule). */
export interface ThresholdPlace {
  /** e.g. `alert MigrationGatePause`, `gate panel 1234`. */
  where: string;
  values: Thresholds;
}

/**
 * Thresholds of a gate in rules.yaml: the number each gate alert (found by alert name and labels
 * gate/action) compares against, and the two numbers of the gate's state recording rule
 * (the smaller/larger directional literal is pause/rollback for `above`, the reverse for `below`).
 * Undefined when the file has no rule for the gate at all.
 */
export function rulesThresholds(text: string, gate: { id: string; direction: Direction }): ThresholdPlace[] | undefined {
  const rules = rulesOf(text);
  const places: ThresholdPlace[] = [];
  let seen = false;
  for (const action of ['pause', 'rollback'] as const) {
    const alert = rules.find((r) => r.alert === ALERT_OF[action] && r.labels?.gate === gate.id && (r.labels?.action === undefined || r.labels.action === action));
    if (!alert || typeof alert.expr !== 'string') continue;
    seen = true;
    const values = [...new Set(directionalLiterals(alert.expr, gate.direction))];
    if (values.length === 1) places.push({ where: `alert ${ALERT_OF[action]}`, values: { [action]: values[0] } });
  }
  const state = rules.find((r) => r.record === RECORD.gateState && r.labels?.gate === gate.id && typeof r.expr === 'string');
  if (state) {
    seen = true;
    const values = [...new Set(directionalLiterals(state.expr as string, gate.direction))];
    if (values.length === 2) {
      const [lo, hi] = [Math.min(...values), Math.max(...values)];
      const [pause, rollback] = gate.direction === 'above' ? [lo, hi] : [hi, lo];
      places.push({ where: `recording rule ${RECORD.gateState}`, values: { pause, rollback } });
    }
  }
  return seen ? places : undefined;
}

interface PanelLike {
  id?: unknown;
  panels?: unknown;
  fieldConfig?: { defaults?: { thresholds?: { steps?: Array<{ value?: unknown }> } } };
}

function findPanel(panels: unknown, id: number): PanelLike | undefined {
  if (!Array.isArray(panels)) return undefined;
  for (const p of panels as PanelLike[]) {
    if (p?.id === id) return p;
    const nested = findPanel(p?.panels, id);
    if (nested) return nested;
  }
  return undefined;
}

const dashboardOf = memoLast((text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UnreadableOutput(`is not valid JSON (${(e as Error).message})`);
  }
});

/**
 * Thresholds of a gate in dashboard.json: the gate panel's threshold steps, ascending as Grafana
 * wants them. Above: [base, next double after pause, next after rollback]; below: [base, rollback,
 * pause] (see dashboard/thresholds.ts).
 * Returns undefined when the panel is not there.
 */
export function dashboardThresholds(text: string, gate: { direction: Direction; pause?: number; rollback?: number }, panelId: number): ThresholdPlace[] | undefined {
  const panel = findPanel((dashboardOf(text) as { panels?: unknown })?.panels, panelId);
  if (!panel) return undefined;
  const steps = (panel.fieldConfig?.defaults?.thresholds?.steps ?? []).map((s) => s?.value).filter((v): v is number => typeof v === 'number');
  if (steps.length !== 2) return [];
  const [first, second] = steps as [number, number];
  // Above gates' steps sit just past the threshold (dashboard/thresholds.ts): read them back.
  const values =
    gate.direction === 'above'
      ? { pause: thresholdOfStep('above', first, gate.pause), rollback: thresholdOfStep('above', second, gate.rollback) }
      : { rollback: first, pause: second };
  return [{ where: `gate panel ${panelId}`, values }];
}

const linesOf = memoLast((text: string): readonly string[] => text.split(/\r?\n/));

/**
 * The runbook section of a gate: from its `<a id="gate-<id>">` anchor to the next gate anchor or
 * the next heading at the same or a higher level.
 */
export function runbookSection(text: string, gateId: string): string | undefined {
  const lines = linesOf(text);
  const anchor = `id="gate-${gateId}"`;
  const start = lines.findIndex((l) => l.includes(anchor));
  if (start < 0) return undefined;
  const level = (l: string): number => /^(#{1,6})\s/.exec(l)?.[1]!.length ?? 0;
  const own = level(lines[start]!) || level(lines[start + 1] ?? '') || 6;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (/<a id="gate-/.test(l) || (level(l) > 0 && level(l) <= own && i !== start + 1)) {
      end = i;
      break;
    }
  }
  return lines.slice(start, end).join('\n');
}

const NUMBER = String.raw`(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)`;

/**
 * Pause/rollback values in a gate's runbook section. Table rows (`| Pause | > 10 s for 2m |`) and
 * prose (`pause when ... above 10`) both work: the first number after a comparison word that
 * follows pause/rollback on a line (a line naming both is cut at the other word).
 */
export function runbookThresholds(text: string, gateId: string): ThresholdPlace[] | undefined {
  const section = runbookSection(text, gateId);
  if (section === undefined) return undefined;
  const out: Thresholds = {};
  // Table rows first (the generator's `| Pause | > 10 s for 2m |`), then prose such as remediation text.
  const lines = section.split('\n');
  const ordered = [...lines.filter((l) => l.trimStart().startsWith('|')), ...lines.filter((l) => !l.trimStart().startsWith('|'))];
  for (const line of ordered) {
    const plain = line.replace(/\\([\\`*_{}[\]()#+!|<>~&.-])/g, '$1');
    for (const action of ['pause', 'rollback'] as const) {
      if (out[action] !== undefined) continue;
      const other = action === 'pause' ? /roll ?back/i : /\bpause/i;
      const word = action === 'pause' ? /\bpause\b/i : /\broll ?back\b/i;
      const at = plain.search(word);
      if (at < 0) continue;
      // A line mentioning both (e.g. "pause when above 10; roll back when above 60"): cut at the other word.
      let rest = plain.slice(at);
      const cut = rest.slice(1).search(other);
      if (cut >= 0) rest = rest.slice(0, cut + 1);
      const m = new RegExp(String.raw`(?:above|below|>|<|over|under|threshold)\D{0,20}?` + NUMBER, 'i').exec(rest);
      if (m) out[action] = Number(m[1]);
    }
  }
  return [{ where: `section #gate-${gateId}`, values: out }];
}
