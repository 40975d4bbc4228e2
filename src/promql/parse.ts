/**
 * PromQL understanding, on top of Prometheus' own Lezer grammar (@prometheus-io/lezer-promql):
 * syntax errors, the type an expression returns, the metric names and range windows it uses,
 * and injecting label matchers into selectors without touching any other text.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode, Tree } from '@lezer/common';
import { parseDurationMs } from '../util/duration';
import { formatMatchers, unquote, type LabelMatcher } from './matchers';
import { boundedMemo } from '../util/memo';

export type ValueType = 'vector' | 'matrix' | 'scalar' | 'string';

export interface PromqlProblem {
  /** Offset into the expression text. */
  offset: number;
  message: string;
}

export interface ParsedExpr {
  text: string;
  tree: Tree;
}

/**
 * Parsed expressions by text. One run parses the same expression many times (resolve, then each
 * rule and generator that reads the signal); Lezer trees are immutable, so they are shared. Kept
 * small: cleared when full, so a run over many definitions does not hold every tree.
 */
const parsedByText = boundedMemo(512, (text) => parseTree(text));

export function parsePromql(text: string): ParsedExpr {
  return { text, tree: parsedByText(text) };
}

function parseTree(text: string): Tree {
  // Prometheus 2.x's holt_winters is not in the 3.x grammar (renamed double_exponential_smoothing):
  // parse it as a known function name of the same length, so every offset into `text` stays exact
  // and the function's name is still read from `text`.
  let masked = text.includes('holt_winters') ? text.replace(/\bholt_winters(?=\s*\()/g, 'day_of_month') : text;
  // `5.` is a number to Prometheus but not to the grammar: `5 ` is the same number at the same length.
  if (masked.includes('.')) masked = masked.replace(/(?<![\w.:])([0-9]+)\.(?![\w.])/g, '$1 ');
  return parser.parse(masked);
}

/** Syntax problems, or an empty list. */
export function syntaxProblems(expr: ParsedExpr): PromqlProblem[] {
  const problems: PromqlProblem[] = [];
  if (expr.text.trim() === '') return [{ offset: 0, message: 'empty PromQL expression' }];
  expr.tree.iterate({
    enter: (n) => {
      if (problems.length > 0) return false;
      if (n.type.isError) {
        const near = expr.text.slice(n.from, n.from + 20);
        problems.push({
          offset: n.from,
          message: n.from >= expr.text.length ? 'PromQL syntax error: unexpected end of expression' : `PromQL syntax error near \`${near}\``,
        });
        return false;
      }
      if (n.name === 'QuotedLabelMatcher' || n.name === 'QuotedLabelName') {
        problems.push({ offset: n.from, message: 'quoted (UTF-8) label names are not supported by Prometheus 2.x' });
        return false;
      }
      return undefined;
    },
  });
  return problems;
}

const SCALAR_FUNCTIONS = new Set(['Scalar', 'Time', 'Pi']);
const STRING_FUNCTIONS = new Set<string>();
/** Functions that take a range vector and return an instant vector. */

/** The value type an expression evaluates to (assumes it parsed). */
export function exprType(expr: ParsedExpr): ValueType {
  const top = expr.tree.topNode.firstChild;
  return top ? nodeType(top) : 'scalar';
}

function nodeType(node: SyntaxNode): ValueType {
  switch (node.name) {
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'NumberDurationLiteral':
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'FunctionCall': {
      const id = node.getChild('FunctionIdentifier')?.firstChild?.name ?? '';
      if (SCALAR_FUNCTIONS.has(id)) return 'scalar';
      if (STRING_FUNCTIONS.has(id)) return 'string';
      return 'vector';
    }
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'OffsetExpr':
    case 'StepInvariantExpr': {
      // The operand is the first child that is an expression.
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (isExpr(c)) return nodeType(c);
      }
      return 'scalar';
    }
    case 'BinaryExpr': {
      const sides: ValueType[] = [];
      for (let c = node.firstChild; c; c = c.nextSibling) if (isExpr(c)) sides.push(nodeType(c));
      return sides.includes('vector') ? 'vector' : sides.includes('matrix') ? 'matrix' : 'scalar';
    }
    default:
      return 'vector';
  }
}

const EXPR_NODES = new Set([
  'VectorSelector', 'AggregateExpr', 'MatrixSelector', 'SubqueryExpr', 'NumberDurationLiteral', 'NumberLiteral',
  'StringLiteral', 'FunctionCall', 'ParenExpr', 'UnaryExpr', 'OffsetExpr', 'StepInvariantExpr', 'BinaryExpr',
]);
function isExpr(n: SyntaxNode): boolean {
  return EXPR_NODES.has(n.name);
}

export interface SelectorInfo {
  /** The metric name, or undefined for `{__name__=...}` style selectors without an identifier. */
  metric?: string;
  from: number;
  to: number;
  /** Offset where new matchers go: just after `{` of an existing matcher list, or after the metric name. */
  insertAt: number;
  hasMatcherBraces: boolean;
  /** Whether the existing matcher list is empty (`x{}`), so no separating comma is needed. */
  emptyMatchers: boolean;
  labels: Array<{ name: string; op: string; value: string }>;
}

/** selectors() of a tree (same tree = same text), computed once; callers get their own array. */
const selectorsByTree = new WeakMap<Tree, SelectorInfo[]>();

/** Every vector selector of an expression, in text order. */
export function selectors(expr: ParsedExpr): SelectorInfo[] {
  let out = selectorsByTree.get(expr.tree);
  if (!out) {
    out = findSelectors(expr);
    selectorsByTree.set(expr.tree, out);
  }
  return [...out];
}

function findSelectors(expr: ParsedExpr): SelectorInfo[] {
  const out: SelectorInfo[] = [];
  expr.tree.iterate({
    enter: (n) => {
      if (n.name !== 'VectorSelector') return undefined;
      const node = n.node;
      const ident = node.getChild('Identifier');
      const matchers = node.getChild('LabelMatchers');
      const labels: SelectorInfo['labels'] = [];
      if (matchers) {
        for (let m = matchers.firstChild; m; m = m.nextSibling) {
          if (m.name !== 'UnquotedLabelMatcher') continue;
          const name = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          const val = m.getChild('StringLiteral');
          if (name && op && val) {
            labels.push({ name: expr.text.slice(name.from, name.to), op: expr.text.slice(op.from, op.to), value: unquote(expr.text.slice(val.from, val.to)) });
          }
        }
      }
      const nameMatcher = labels.find((l) => l.name === '__name__' && l.op === '=');
      const metric = ident ? expr.text.slice(ident.from, ident.to) : nameMatcher?.value;
      const inner = matchers ? expr.text.slice(matchers.from + 1, matchers.to - 1).trim() : '';
      out.push({
        ...(metric !== undefined ? { metric } : {}),
        from: node.from,
        to: node.to,
        insertAt: matchers ? matchers.from + 1 : (ident?.to ?? node.to),
        hasMatcherBraces: Boolean(matchers),
        emptyMatchers: inner === '',
        labels,
      });
      return false;
    },
  });
  return out;
}

/** Metric names an expression reads. */
export function metricNames(expr: ParsedExpr): string[] {
  return [...new Set(selectors(expr).flatMap((s) => (s.metric ? [s.metric] : [])))].sort();
}

export interface RangeWindow {
  offset: number;
  text: string;
  ms: number;
  /** The function the range feeds, e.g. `rate`. */
  fn?: string;
}

/** The `[5m]` windows of range selectors and subqueries, with the function they feed. */
export function rangeWindows(expr: ParsedExpr): RangeWindow[] {
  const out: RangeWindow[] = [];
  expr.tree.iterate({
    enter: (n) => {
      if (n.name !== 'MatrixSelector' && n.name !== 'SubqueryExpr') return undefined;
      const dur = n.node.getChild('DurationExpr');
      if (!dur) return undefined;
      const text = expr.text.slice(dur.from, dur.to);
      const ms = parseDurationMs(text);
      let fn: string | undefined;
      const call = n.node.parent?.parent;
      if (call?.name === 'FunctionCall') {
        const id = call.getChild('FunctionIdentifier');
        if (id) fn = expr.text.slice(id.from, id.to);
      }
      if (ms !== undefined) out.push({ offset: dur.from, text, ms, ...(fn ? { fn } : {}) });
      return undefined;
    },
  });
  return out;
}

/**
 * Add matchers to every selector whose metric passes `select`. Matchers already present with the
 * same label name are left alone (the user's own choice wins). Returns the new expression text,
 * without comments.
 */
export function injectMatchers(expr: ParsedExpr, select: (metric: string) => boolean, matchers: LabelMatcher[]): string {
  return injectMatchersBy(expr, (metric) => (metric !== undefined && select(metric) ? matchers : []));
}

/**
 * Add to each selector the matchers `pick` returns for its metric name (undefined for a selector
 * without one, such as `{__name__=~"..."}`). Every vector selector is visited, also inside
 * functions, aggregations, binary operations and subqueries; `on()`/`by()` label lists and other
 * text are untouched. Same-name matchers already present win; comments are removed.
 */
export function injectMatchersBy(expr: ParsedExpr, pick: (metric: string | undefined) => LabelMatcher[]): string {
  return applyInjection(expr.text, injectionPlan(expr), pick);
}

/**
 * What injecting matchers needs to know of an expression: its selectors and its comments. A pure
 * function of the text, so the build precomputes it for the shipped signal libraries
 * (src/generated/promql-plans.ts) and resolve does not parse them.
 */
export interface InjectionPlan {
  selectors: SelectorInfo[];
  comments: Array<{ from: number; to: number }>;
  /** The range windows' lengths (ms), in order: injecting matchers never changes them. */
  windowsMs: number[];
}

export function injectionPlan(expr: ParsedExpr): InjectionPlan {
  const comments: Array<{ from: number; to: number }> = [];
  expr.tree.iterate({
    enter: (n) => {
      if (n.name === 'LineComment') comments.push({ from: n.from, to: n.to });
    },
  });
  return { selectors: selectors(expr), comments, windowsMs: rangeWindows(expr).map((w) => w.ms) };
}

/** injectMatchersBy on the text an InjectionPlan was made from. */
export function applyInjection(source: string, plan: InjectionPlan, pick: (metric: string | undefined) => LabelMatcher[]): string {
  const edits: Array<{ at: number; text: string }> = [];
  for (const s of plan.selectors) {
    const add = pick(s.metric).filter((m) => !s.labels.some((l) => l.name === m.name));
    if (add.length === 0) continue;
    const list = formatMatchers(add);
    if (!s.hasMatcherBraces) edits.push({ at: s.insertAt, text: `{${list}}` });
    else edits.push({ at: s.insertAt, text: s.emptyMatchers ? list : `${list}, ` });
  }
  // Comments go: generated rules embed the expression in others (`max(<expr>)`), where a `#`
  // comment would swallow the closing text.
  const cuts = plan.comments;
  const changes = [...edits.map((e) => ({ from: e.at, to: e.at, text: e.text })), ...cuts.map((c) => ({ ...c, text: '' }))];
  let text = source;
  for (const c of changes.sort((a, b) => b.from - a.from || b.to - a.to)) text = text.slice(0, c.from) + c.text + text.slice(c.to);
  return cuts.length ? text.trimEnd() : text;
}

