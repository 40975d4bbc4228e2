/**
 * The gate value: the one PromQL expression that turns a signal into the number a gate compares
 * with its thresholds. The recording rule `migration:gate_signal:value` (src/generate/rules) and
 * `migobs gate` (src/live) both take it from here, so the alerts and the live answer cannot
 * disagree about what counts as data.
 *
 * The value is the worst series of the signal (max for `above`, min for `below`), with three
 * guards that make it absent (the gate `unknown`) instead of quietly green:
 *
 * 1. A NaN result (0/0, a quantile of nothing) is dropped, and so is an infinity on the gate's
 *    good side: `> -Inf` (for `above`; `< +Inf` for `below`) is false for NaN and for -Inf. NaN
 *    compares false with every threshold, so unfiltered it would read as green. An infinity on
 *    the bad side (+Inf for `above`: errors divided by no traffic) stays: it is past every
 *    threshold, so the gate says rollback. Evidence of danger outranks "unknown".
 * 2. A NaN input series among others: `max`/`min` skip NaN, so `max(0, NaN)` is 0 and a replica
 *    reporting NaN would vanish behind a healthy one. `sum` does not skip it: `0 * sum(clamp(X,
 *    -1, 1))` is 0 when no series of X is NaN and NaN otherwise (the clamp keeps ±Inf series from
 *    making the sum NaN: +Inf + -Inf), so `max(X) + 0 * sum(clamp(X, -1, 1))` is the worst series,
 *    exactly, or NaN, which (1) drops. X is evaluated twice, not once per guard: Prometheus has no
 *    common subexpressions, and promtool runs every gate rule at every step of every generated
 *    test.
 * 3. Series count: when the signal declares one series per member of a target with `count: N`,
 *    the value exists only while X has exactly N series. A vanished replica makes the gate
 *    unknown; so does an extra one (the target's selector no longer describes the system).
 *
 * X is the argument of the signal's own top-level `max(...)`/`min(...)` (every engine-library
 * signal has that shape: `max(selector)`, `max(sum by (instance) (...))`), otherwise the signal's
 * whole output vector. Everything is built on the PromQL syntax tree of the resolved expression;
 * nothing is pasted into user text.
 */
import type { SyntaxNode } from '@lezer/common';
import type { Direction } from '../definition/types';
import type { ResolvedGate, ResolvedMigration } from '../model/types';
import { parsePromql, syntaxProblems } from './parse';
import { boundedMemo } from '../util/memo';

export interface GateValueInput {
  /** The resolved signal expression (matchers injected, comments removed). */
  expr: string;
  direction: Direction;
  /** Exactly this many series of X must be present (from the target's `count`). */
  expectedSeries?: number;
}

export interface GateValue {
  /** The full gate value expression. */
  value: string;
  /** X: the vector whose series are checked for NaN and counted. */
  inner: string;
  /** The aggregation that picks the worst series. */
  worst: 'max' | 'min';
  /** The aggregation applied to X: the signal's own top-level max/min, else `worst`. */
  aggregation: 'max' | 'min';
  /** Whether X is the argument of the signal's own max/min (true) or the whole signal (false). */
  unwrapped: boolean;
  expectedSeries?: number;
}

/** Rule-test synthesis asks for the same few gate values thousands of times; results are never mutated. */
const byInput = boundedMemo(1000, (key) => {
  const a = key.indexOf('\u0000');
  const b = key.indexOf('\u0000', a + 1);
  const expectedSeries = key.slice(a + 1, b);
  return buildGateValue({ direction: key.slice(0, a) as Direction, expr: key.slice(b + 1), ...(expectedSeries !== '' ? { expectedSeries: Number(expectedSeries) } : {}) });
});

/** The gate value of a signal, with the NaN and series-count guards. */
export function gateValue(input: GateValueInput): GateValue {
  // The expression comes last: it is the only part that may contain the separator (read back up to the second one).
  return byInput(`${input.direction}\u0000${input.expectedSeries ?? ''}\u0000${input.expr}`);
}

function buildGateValue(input: GateValueInput): GateValue {
  const worst = input.direction === 'below' ? 'min' : 'max';
  const top = topAggregation(input.expr);
  const inner = top ? top.arg : input.expr;
  // The signal's own max/min stays as written (a `below` gate on `max(x)` still reads max(x)).
  const core = top ? `${top.op}(${inner})` : `${worst}(${inner})`;
  // The good side's infinity is dropped with NaN; the bad side's is a value past every threshold.
  const keep = input.direction === 'below' ? '< +Inf' : '> -Inf';
  let value = `(${core} + 0 * sum(clamp(${inner}, -1, 1))) ${keep}`;
  const n = input.expectedSeries;
  if (n !== undefined) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`expected series must be a positive integer, got ${n}`);
    value += ` and on () count(${inner}) == ${n}`;
  }
  return { value, inner, worst, aggregation: top ? top.op : worst, unwrapped: Boolean(top), ...(n !== undefined ? { expectedSeries: n } : {}) };
}

/** The gate value of a gate of a resolved migration. */
export function gateValueOf(m: ResolvedMigration, g: ResolvedGate): GateValue {
  const signal = m.signals[g.signal];
  if (!signal) throw new Error(`gate ${g.id}: signal ${g.signal} is not defined`);
  return gateValue({ expr: signal.expr, direction: g.direction, ...(signal.expectedSeries !== undefined ? { expectedSeries: signal.expectedSeries } : {}) });
}

/** `max(X)` or `min(X)` at the top (parentheses aside), without by/without: its op and X's text. */
function topAggregation(expr: string): { op: 'max' | 'min'; arg: string } | undefined {
  const parsed = parsePromql(expr);
  if (syntaxProblems(parsed).length) return undefined;
  let node: SyntaxNode | null = parsed.tree.topNode.firstChild;
  while (node?.name === 'ParenExpr') node = firstExpr(node);
  if (!node || node.name !== 'AggregateExpr') return undefined;
  const opNode = node.getChild('AggregateOp');
  const op = opNode ? expr.slice(opNode.from, opNode.to).toLowerCase() : '';
  if (op !== 'max' && op !== 'min') return undefined;
  const mod = node.getChild('AggregateModifier');
  // `by (...)` keeps several output series: the signal is not one worst value; treat it whole.
  if (mod && mod.getChild('GroupingLabels')?.firstChild) return undefined;
  if (mod?.getChild('Without')) return undefined;
  const body = node.getChild('FunctionCallBody');
  const args: SyntaxNode[] = [];
  for (let c = body?.firstChild ?? null; c; c = c.nextSibling) if (!isPunctuation(c)) args.push(c);
  if (args.length !== 1) return undefined;
  return { op, arg: expr.slice(args[0]!.from, args[0]!.to) };
}

function firstExpr(node: SyntaxNode): SyntaxNode | null {
  for (let c = node.firstChild; c; c = c.nextSibling) if (!isPunctuation(c)) return c;
  return null;
}

const isPunctuation = (n: SyntaxNode): boolean => n.name === '(' || n.name === ')' || n.name === ',' || n.type.isError || n.name === 'LineComment';
