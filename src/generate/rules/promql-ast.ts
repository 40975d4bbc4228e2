/**
 * A small PromQL syntax tree, converted from Prometheus' own Lezer grammar, for the subset the
 * unit-test synthesizer understands. Anything outside it throws `Unsupported` with a reason, so a
 * signal the synthesizer cannot handle is reported instead of guessed.
 */
import type { SyntaxNode } from '@lezer/common';
import type { MatchOp } from '../../promql/matchers';
import { unquote } from '../../promql/matchers';
import { parsePromql, syntaxProblems } from '../../promql/parse';
import { parseDurationSeconds } from '../../util/duration';
import { boundedMemo } from '../../util/memo';

/**
 * "This construction does not fit": the synthesizer tries shapes and drops the ones that throw
 * this, thousands of times per migration, and only its message is ever shown (as a reason). So it
 * records no stack: capturing one was a tenth of the synthesis time.
 */
export class Unsupported extends Error {
  constructor(message?: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type BinOp = '+' | '-' | '*' | '/' | '%' | '^' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'and' | 'or' | 'unless' | 'atan2';

export type Ast =
  | { k: 'num'; v: number }
  | { k: 'sel'; metric: string; matchers: Matcher[]; range?: number }
  | { k: 'agg'; op: string; by?: string[]; without?: string[]; arg: Ast }
  | { k: 'call'; fn: string; args: Ast[] }
  | { k: 'bin'; op: BinOp; bool: boolean; on?: string[]; ignoring?: string[]; group?: 'left' | 'right'; include?: string[]; l: Ast; r: Ast }
  | { k: 'neg'; arg: Ast };

const OPS: Record<string, BinOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless', Atan2: 'atan2',
};

/**
 * Test-input synthesis parses the same few expressions thousands of times; ASTs are never mutated.
 * Most keys hold a migration's own id (its selectors), so each migration adds about ten that no
 * other reuses: 1,000 is ample for the largest accepted definition, where 5,000 held some 15 MiB
 * more in each worker thread of a 1,000-definition run (its peak RSS: about 235 against 255 MiB).
 */
export const parseAst: (text: string) => Ast = boundedMemo(1000, (text) => parseByShape(text) ?? parseAstUncached(text));

/**
 * The tree of an expression is the same whatever its string literals hold (each is one token to
 * the grammar): `up{migration_id="a"}` and `up{migration_id="b"}` differ only in a matcher's value.
 * Most expressions the synthesizer parses differ from another one's only so (a migration's own id,
 * another instance), so trees are remembered by shape, the text with every literal replaced by a
 * numbered placeholder, and each text gets a copy with its own values. Lezer's parse was about a
 * fifth of the rule-test synthesis of a migration in a bulk run.
 */
const treeOfShape = boundedMemo(1000, (shape: string): Ast | Unsupported => {
  try {
    return parseAstUncached(shape);
  } catch (e) {
    if (e instanceof Unsupported) return e;
    throw e;
  }
});

/** Starts every placeholder: no identifier or keyword holds it, so a metric name taken from one (`{__name__="..."}`) is told apart. */
const PLACEHOLDER = '\u0001';

/**
 * `text`'s tree from the tree of its shape, or undefined where the shape does not serve: a comment
 * (quotes in it are not literals), a literal that does not end, or a shape the synthesizer refuses
 * (the text is parsed itself, so the reason quotes its own literals).
 */
function parseByShape(text: string): Ast | undefined {
  const shaped = literalShape(text);
  if (!shaped) return undefined;
  const tree = treeOfShape(shaped.shape);
  if (tree instanceof Unsupported) return undefined;
  return withValues(tree, shaped.values);
}

/** `text` with each string literal replaced by `"<PLACEHOLDER><n>"`, and the literals' values in order. */
export function literalShape(text: string): { shape: string; values: string[] } | undefined {
  const values: string[] = [];
  let shape = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#') return undefined;
    if (c !== '"' && c !== "'" && c !== '`') continue;
    let end = i + 1;
    // Go's quoting: a backslash escapes the next character in "..." and '...'; `...` has no escapes.
    while (end < text.length && text[end] !== c) end += c !== '`' && text[end] === '\\' ? 2 : 1;
    if (end >= text.length) return undefined;
    shape += `${text.slice(from, i)}"${PLACEHOLDER}${values.length}"`;
    values.push(unquote(text.slice(i, end + 1)));
    from = end + 1;
    i = end;
  }
  return { shape: shape + text.slice(from), values };
}

/** A copy of a shape's tree with the placeholders replaced by `values`. */
function withValues(ast: Ast, values: string[]): Ast {
  const value = (v: string): string => (v.startsWith(PLACEHOLDER) ? values[Number(v.slice(PLACEHOLDER.length))]! : v);
  switch (ast.k) {
    case 'num':
      return ast;
    case 'sel': {
      const sel: Ast = { k: 'sel', metric: value(ast.metric), matchers: ast.matchers.map((m) => ({ name: m.name, op: m.op, value: value(m.value) })) };
      if (ast.range !== undefined) sel.range = ast.range;
      return sel;
    }
    case 'agg':
      return { ...ast, arg: withValues(ast.arg, values) };
    case 'neg':
      return { k: 'neg', arg: withValues(ast.arg, values) };
    case 'call':
      return { k: 'call', fn: ast.fn, args: ast.args.map((a) => withValues(a, values)) };
    case 'bin':
      return { ...ast, l: withValues(ast.l, values), r: withValues(ast.r, values) };
  }
}

/** Every metric name an expression's selectors read. */
export function astMetrics(ast: Ast, out: Set<string> = new Set()): Set<string> {
  switch (ast.k) {
    case 'sel':
      out.add(ast.metric);
      break;
    case 'agg':
    case 'neg':
      astMetrics(ast.arg, out);
      break;
    case 'call':
      for (const a of ast.args) astMetrics(a, out);
      break;
    case 'bin':
      astMetrics(ast.l, out);
      astMetrics(ast.r, out);
      break;
  }
  return out;
}

/** The parse itself, without the memo or the shape (parseAst gives the same tree; its tests compare the two). */
export function parseAstUncached(text: string): Ast {
  const parsed = parsePromql(text);
  const problems = syntaxProblems(parsed);
  if (problems.length) throw new Unsupported(problems[0]!.message);
  const top = parsed.tree.topNode.firstChild;
  if (!top) throw new Unsupported('empty expression');
  return convert(top, text);
}

const EXPR = new Set(['VectorSelector', 'AggregateExpr', 'MatrixSelector', 'SubqueryExpr', 'NumberDurationLiteral', 'NumberLiteral', 'StringLiteral', 'FunctionCall', 'ParenExpr', 'UnaryExpr', 'OffsetExpr', 'StepInvariantExpr', 'BinaryExpr']);

const exprChildren = (n: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (EXPR.has(c.name)) out.push(c);
  return out;
};

function labelList(n: SyntaxNode | null, text: string): string[] {
  const out: string[] = [];
  for (let c = n?.firstChild ?? null; c; c = c.nextSibling) if (c.name === 'LabelName') out.push(text.slice(c.from, c.to));
  return out;
}

function convert(n: SyntaxNode, text: string): Ast {
  const src = (x: SyntaxNode): string => text.slice(x.from, x.to);
  switch (n.name) {
    case 'ParenExpr':
      return convert(exprChildren(n)[0]!, text);
    case 'NumberDurationLiteral':
    case 'NumberLiteral': {
      const lit = src(n).trim();
      // Go's ParseFloat spellings that JS's Number() does not read: Inf, +Inf, -Inf, NaN (any case).
      if (/^[+-]?inf(inity)?$/i.test(lit)) return { k: 'num', v: lit.startsWith('-') ? -Infinity : Infinity };
      if (/^[+-]?nan$/i.test(lit)) return { k: 'num', v: NaN };
      const v = Number(lit.replace(/_/g, ''));
      if (Number.isNaN(v)) throw new Unsupported(`number ${lit}`);
      return { k: 'num', v };
    }
    case 'UnaryExpr': {
      const arg = convert(exprChildren(n)[0]!, text);
      return src(n).trimStart().startsWith('-') ? (arg.k === 'num' ? { k: 'num', v: -arg.v } : { k: 'neg', arg }) : arg;
    }
    case 'VectorSelector':
      return vectorSelector(n, text);
    case 'MatrixSelector': {
      const vs = n.getChild('VectorSelector');
      const dur = n.getChild('DurationExpr');
      const range = dur ? parseDurationSeconds(src(dur)) : undefined;
      if (!vs || range === undefined) throw new Unsupported(`range selector ${src(n)}`);
      return { ...vectorSelector(vs, text), range };
    }
    case 'AggregateExpr': {
      const op = src(n.getChild('AggregateOp')!);
      const mod = n.getChild('AggregateModifier');
      const body = n.getChild('FunctionCallBody')!;
      const args = exprChildren(body);
      if (args.length !== 1) throw new Unsupported(`aggregation ${op} with a parameter`);
      const labels = labelList(mod?.getChild('GroupingLabels') ?? null, text);
      const agg: Ast = { k: 'agg', op, arg: convert(args[0]!, text) };
      if (mod?.getChild('By')) agg.by = labels;
      if (mod?.getChild('Without')) agg.without = labels;
      return agg;
    }
    case 'FunctionCall': {
      const fn = src(n.getChild('FunctionIdentifier')!);
      const body = n.getChild('FunctionCallBody')!;
      return { k: 'call', fn, args: exprChildren(body).map((c) => convert(c, text)) };
    }
    case 'BinaryExpr': {
      const sides = exprChildren(n);
      let op: BinOp | undefined;
      for (let c = n.firstChild; c; c = c.nextSibling) if (OPS[c.name]) op = OPS[c.name];
      if (!op || sides.length !== 2) throw new Unsupported(`binary expression ${src(n)}`);
      const bin: Ast = { k: 'bin', op, bool: Boolean(n.getChild('BoolModifier')), l: convert(sides[0]!, text), r: convert(sides[1]!, text) };
      const mm = n.getChild('MatchingModifierClause');
      if (mm) {
        const lists = mm.getChildren('GroupingLabels');
        if (mm.getChild('On')) bin.on = labelList(lists[0] ?? null, text);
        if (mm.getChild('Ignoring')) bin.ignoring = labelList(lists[0] ?? null, text);
        if (mm.getChild('GroupLeft')) bin.group = 'left';
        if (mm.getChild('GroupRight')) bin.group = 'right';
        // group_left (a, b): labels the result takes from the "one" side.
        const include = bin.group && lists[1] ? labelList(lists[1], text) : [];
        if (include.length) bin.include = include;
      }
      return bin;
    }
    default:
      throw new Unsupported(`${n.name} \`${src(n)}\``);
  }
}

function vectorSelector(n: SyntaxNode, text: string): Ast & { k: 'sel' } {
  const ident = n.getChild('Identifier');
  const matchers: Matcher[] = [];
  const list = n.getChild('LabelMatchers');
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name !== 'UnquotedLabelMatcher') continue;
    const name = m.getChild('LabelName');
    const op = m.getChild('MatchOp');
    const val = m.getChild('StringLiteral');
    if (name && op && val) matchers.push({ name: text.slice(name.from, name.to), op: text.slice(op.from, op.to) as MatchOp, value: unquote(text.slice(val.from, val.to)) });
  }
  let metric = ident ? text.slice(ident.from, ident.to) : undefined;
  const nameMatcher = matchers.find((m) => m.name === '__name__');
  if (!metric && nameMatcher?.op === '=') metric = nameMatcher.value;
  if (!metric) throw new Unsupported(`selector without a metric name \`${text.slice(n.from, n.to)}\``);
  return { k: 'sel', metric, matchers: matchers.filter((m) => m.name !== '__name__') };
}
