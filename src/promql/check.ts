/**
 * PromQL as strict as Prometheus: every check Prometheus 2.42's parser makes before it accepts a
 * rule (promql/parser/parse.go `checkAST`, the lexer's number, duration and string rules, label
 * matcher regexes), on top of the Lezer tree migobs already has (src/promql/parse.ts). A rule file
 * with one expression Prometheus refuses stops a shared Prometheus from reloading every rule, so
 * `validate` refuses what `promtool check rules` would, with Prometheus' own wording.
 *
 * The grammar (@prometheus-io/lezer-promql) follows Prometheus 3.x, so it accepts things 2.42 does
 * not (`1_000`, `x > 5m`, duration arithmetic, `anchored`, fill modifiers, newer functions); those
 * are refused here too. test/unit/promql-check.test.ts proves each refusal against promtool.
 */
import type { SyntaxNode } from '@lezer/common';
import { didYouMean } from '../util/suggest';
import { AGGREGATIONS, documentedType, FUNCTIONS, TARGET_PROMETHEUS, type ValueType } from './functions';
import { unquote } from './matchers';
import type { ParsedExpr } from './parse';
import { re2FullMatch, re2Problem } from './re2';

export interface PromqlIssue {
  /** Offset into the expression text. */
  from: number;
  message: string;
  hint?: string;
  /** `regex`: a label matcher regex (reported by the matcher-regex-valid rule); `syntax`: the text does not parse. */
  kind: 'syntax' | 'regex' | 'type';
}

type Type = ValueType | 'none';

const NEWER = `not in Prometheus ${TARGET_PROMETHEUS}, the version migobs targets`;
const DURATION_2X = /^(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?$/;
const UNIT_MS: Record<string, number> = { y: 365 * 86400e3, w: 7 * 86400e3, d: 86400e3, h: 3600e3, m: 60e3, s: 1e3, ms: 1 };
const NUMBER_2X = /^(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[iI][nN][fF]|[nN][aA][nN])$/;
const MAX_INT64 = 2 ** 63;
const COMPARISON = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set(['and', 'or', 'unless']);
const BINARY_OPS = new Set(['Pow', 'Mul', 'Div', 'Mod', 'Atan2', 'Add', 'Sub', 'Eql', 'Gte', 'Gtr', 'TrimUpper', 'TrimLower', 'Lte', 'Lss', 'Neq', 'And', 'Unless', 'Or']);
const EXPR_NODES = new Set([
  'AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'OffsetExpr', 'AnchoredExpr', 'SmoothedExpr',
  'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr',
]);

const isExpr = (n: SyntaxNode): boolean => EXPR_NODES.has(n.name);
function exprChildren(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (isExpr(c)) out.push(c);
  return out;
}

/** Every problem Prometheus 2.42 would refuse the expression for, in the order it finds them. */
export function checkPromql(expr: ParsedExpr): PromqlIssue[] {
  return analyzePromql(expr).issues;
}

/** The problems, and the type the expression evaluates to as Prometheus types it ('none' when it does not parse). */
export function analyzePromql(expr: ParsedExpr): { issues: PromqlIssue[]; type: ValueType | 'none' } {
  const syntax = syntaxIssues(expr);
  if (syntax.length) return { issues: syntax, type: 'none' };
  const top = expr.tree.topNode.firstChild;
  if (!top) return { issues: [{ from: 0, message: 'empty PromQL expression', kind: 'syntax' }], type: 'none' };
  const c = new Checker(expr.text);
  const type = c.check(toExpr(top));
  return { issues: c.issues, type };
}

/**
 * An expression node as Prometheus builds it: the Lezer node (its kind, operator, modifiers,
 * durations) with its operands. Lezer's grammar applies `[range]`, `[range:step]`, `offset` and
 * `@` to a whole binary or unary expression before them (`x / y[5m]` as `(x / y)[5m]`);
 * Prometheus applies them to the operand right before them (`x / (y[5m])`), so the tree is
 * rebuilt that way before it is checked.
 */
interface Expr {
  node: SyntaxNode;
  from: number;
  kids: Expr[];
}

const POSTFIX = new Set(['MatrixSelector', 'SubqueryExpr', 'OffsetExpr', 'StepInvariantExpr', 'AnchoredExpr', 'SmoothedExpr']);

function toExpr(n: SyntaxNode): Expr {
  const body = n.name === 'FunctionCall' || n.name === 'AggregateExpr' ? n.getChild('FunctionCallBody') : n;
  const kids = body ? exprChildren(body).map(toExpr) : [];
  const operand = kids[0];
  if (POSTFIX.has(n.name) && operand && (operand.node.name === 'BinaryExpr' || operand.node.name === 'UnaryExpr')) return reattach(n, operand);
  return { node: n, from: n.from, kids };
}

function reattach(postfix: SyntaxNode, e: Expr): Expr {
  if (e.node.name === 'BinaryExpr' && e.kids.length === 2) return { ...e, kids: [e.kids[0]!, reattach(postfix, e.kids[1]!)] };
  if (e.node.name === 'UnaryExpr' && e.kids.length === 1) return { ...e, kids: [reattach(postfix, e.kids[0]!)] };
  return { node: postfix, from: e.from, kids: [e] };
}

/** Syntax errors of the Lezer parse, in Prometheus' words where they are known. */
export function syntaxIssues(expr: ParsedExpr): PromqlIssue[] {
  const text = expr.text;
  if (text.trim() === '' || text.trim().split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#'))) return [{ from: 0, message: 'empty PromQL expression', kind: 'syntax' }];
  let issue: PromqlIssue | undefined;
  expr.tree.iterate({
    enter: (n) => {
      if (issue) return false;
      if (n.type.isError) {
        // `foo(x)`: an identifier followed by `(` that is no function the grammar knows.
        const prev = n.node.prevSibling;
        if (prev?.name === 'Identifier' && text.slice(prev.to, n.from).trim() === '' && text[n.from] === '(') {
          const name = text.slice(prev.from, prev.to);
          issue = { from: prev.from, message: `unknown function with name "${name}"`, hint: `${functionHint(name)}`, kind: 'syntax' };
        } else {
          issue = {
            from: n.from,
            message: n.from >= text.length ? 'PromQL syntax error: unexpected end of expression' : `PromQL syntax error near \`${text.slice(n.from, n.from + 20)}\``,
            hint: 'check the expression with promtool or the Prometheus query page',
            kind: 'syntax',
          };
        }
        return false;
      }
      if (n.name === 'QuotedLabelMatcher' || n.name === 'QuotedLabelName') {
        issue = { from: n.from, message: `quoted (UTF-8) label names need Prometheus 3; ${TARGET_PROMETHEUS} does not have them`, hint: 'use a plain label name such as job="x"', kind: 'syntax' };
        return false;
      }
      return undefined;
    },
  });
  return issue ? [issue] : [];
}

/** Functions and aggregations of later Prometheus versions (the grammar knows them, 2.42 does not). */
const LATER = new Set([
  'sort_by_label', 'sort_by_label_desc', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar', 'histogram_quantiles', 'info',
  'mad_over_time', 'first_over_time', 'ts_of_first_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time', 'ts_of_last_over_time',
  'double_exponential_smoothing', 'start_timestamp', 'limitk', 'limit_ratio',
]);

function functionHint(name: string): string {
  if (name === 'double_exponential_smoothing') return `Prometheus ${TARGET_PROMETHEUS}, the version migobs targets, calls it holt_winters`;
  if (LATER.has(name)) return `${name} came after Prometheus ${TARGET_PROMETHEUS}, the version migobs targets`;
  const close = didYouMean(name, [...Object.keys(FUNCTIONS), ...Object.keys(AGGREGATIONS)]);
  return close ? close.replace(/^ \((.*)\)$/, '$1') : `Prometheus ${TARGET_PROMETHEUS}, the version migobs targets, has no such function`;
}

class Checker {
  readonly issues: PromqlIssue[] = [];
  constructor(private readonly text: string) {}

  private src(n: { from: number; to: number }): string {
    return this.text.slice(n.from, n.to);
  }

  private add(from: number, message: string, hint?: string, kind: PromqlIssue['kind'] = 'type'): void {
    this.issues.push({ from, message, ...(hint ? { hint } : {}), kind });
  }

  check(e: Expr): Type {
    const n = e.node;
    const inner = e.kids[0];
    switch (n.name) {
      case 'ParenExpr':
        return inner ? this.check(inner) : 'none';
      case 'NumberDurationLiteral':
        this.number(n);
        return 'scalar';
      case 'StringLiteral':
        this.string(n);
        return 'string';
      case 'VectorSelector':
        this.selector(n);
        return 'vector';
      case 'MatrixSelector':
        return this.matrix(e);
      case 'SubqueryExpr':
        return this.subquery(e);
      case 'OffsetExpr':
      case 'StepInvariantExpr':
        return this.modifiers(e);
      case 'UnaryExpr': {
        const t = inner ? this.check(inner) : 'none';
        if (t !== 'scalar' && t !== 'vector') this.add(e.from, `unary expression only allowed on expressions of type scalar or instant vector, got "${documentedType(t)}"`, sideHint(t));
        return t;
      }
      case 'AnchoredExpr':
      case 'SmoothedExpr': {
        const word = n.name === 'AnchoredExpr' ? 'anchored' : 'smoothed';
        this.add(inner ? inner.node.to : e.from, `the \`${word}\` modifier is ${NEWER} (it is experimental in Prometheus 3)`, 'remove it');
        return inner ? this.check(inner) : 'none';
      }
      case 'FunctionCall':
        return this.call(e);
      case 'AggregateExpr':
        return this.aggregate(e);
      case 'BinaryExpr':
        return this.binary(e);
      default:
        return 'none';
    }
  }

  private expectType(e: Expr, want: ValueType, context: string): void {
    const t = this.check(e);
    if (t !== want) this.add(e.from, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`, typeHint(want, t));
  }

  // Literals ---------------------------------------------------------------------------------

  private number(n: SyntaxNode): number {
    const body = this.src(n).replace(/^[-+]\s*/, '');
    const sign = this.src(n).trimStart().startsWith('-') ? -1 : 1;
    if (NUMBER_2X.test(body)) {
      const value = /^0[xX]/.test(body) ? parseInt(body, 16) : Number(body.toLowerCase() === 'inf' ? Infinity : body.toLowerCase() === 'nan' ? NaN : body);
      if (!Number.isFinite(value) && !/^[iI][nN][fF]$|^[nN][aA][nN]$/.test(body)) {
        this.add(n.from, `error parsing number: strconv.ParseFloat: parsing "${body}": value out of range`);
      }
      return sign * value;
    }
    if (/^[0-9]+(?:ms|[smhdwy])/.test(body)) {
      this.add(n.from, `unexpected duration "${body}"`, `a duration is not a number in Prometheus ${TARGET_PROMETHEUS}: write the number of seconds (e.g. 300 for 5m)`);
    } else if (body.includes('_')) {
      this.add(n.from, `bad number or duration syntax: "${body.split('_')[0]}"`, `digit separators such as 1_000 need Prometheus 3: write ${body.replace(/_/g, '')}`);
    } else {
      this.add(n.from, `bad number or duration syntax: "${body}"`);
    }
    return NaN;
  }

  /** A string literal as Prometheus' lexer reads it: Go escapes, closed quotes. */
  private string(n: SyntaxNode): void {
    const lit = this.src(n);
    const q = lit[0]!;
    if (q === '`') {
      if (lit.length < 2 || !lit.endsWith('`')) this.add(n.from, 'unterminated raw string');
      return;
    }
    let i = 1;
    while (i < lit.length) {
      const c = lit[i]!;
      if (c === q) break;
      if (c !== '\\') {
        i++;
        continue;
      }
      const problem = escapeProblem(lit, i, q);
      if (problem) {
        this.add(n.from, problem);
        return;
      }
      i += escapeLength(lit, i);
    }
    if (i !== lit.length - 1) this.add(n.from, 'unterminated quoted string');
  }

  private duration(n: SyntaxNode, what: 'range' | 'step' | 'offset'): void {
    // Only a plain literal: parentheses, arithmetic, step() and min_of() are Prometheus 3 duration expressions.
    const lit = n.name === 'NumberDurationLiteralInDurationContext' ? n : n.firstChild;
    if (!lit || lit.name !== 'NumberDurationLiteralInDurationContext' || this.src(lit) !== this.src(n).trim()) {
      this.add(n.from, `duration expressions such as \`${this.src(n)}\` are ${NEWER}`, 'write a plain duration such as 5m');
      return;
    }
    const text = this.src(lit);
    if (!DURATION_2X.test(text)) {
      if (/^[0-9]+$/.test(text)) this.add(lit.from, 'missing unit character in duration', `write ${text}s for seconds`);
      else this.add(lit.from, `not a valid duration string: "${text}"`, 'durations are whole numbers with units in descending order, e.g. 90s or 1m30s');
      return;
    }
    let ms = 0;
    for (const m of text.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    if (ms * 1e6 >= MAX_INT64) this.add(lit.from, 'duration out of range', 'a duration must be shorter than about 292 years');
    else if (ms === 0) this.add(lit.from, 'duration must be greater than 0', what === 'offset' ? 'remove the offset' : undefined);
  }

  // Selectors --------------------------------------------------------------------------------

  private selector(n: SyntaxNode): void {
    const ident = n.getChild('Identifier');
    const matchers: Array<{ name: string; op: string; value: string; from: number }> = [];
    const list = n.getChild('LabelMatchers');
    for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
      if (m.name !== 'UnquotedLabelMatcher') continue;
      const name = m.getChild('LabelName');
      const op = m.getChild('MatchOp');
      const val = m.getChild('StringLiteral');
      if (!name || !op || !val) continue;
      const before = this.issues.length;
      this.string(val);
      if (this.issues.length > before) return;
      const matcher = { name: this.src(name), op: this.src(op), value: unquote(this.src(val)), from: m.from };
      if (matcher.op === '=~' || matcher.op === '!~') {
        const problem = re2Problem(matcher.value);
        if (problem) {
          this.add(m.from, `matcher ${this.src(m)}: ${problem}`, 'Prometheus regexes are RE2 in Go\'s syntax: no lookarounds, backreferences or \\Z, \\e, \\C; repeat counts up to 1000', 'regex');
          return;
        }
      }
      matchers.push(matcher);
    }
    if (ident) {
      const twice = matchers.find((m) => m.name === '__name__');
      if (twice) this.add(n.from, `metric name must not be set twice: "${this.src(ident)}" or "${twice.value}"`, 'keep the metric name before the braces, or the __name__ matcher, not both');
      return;
    }
    const matchesEmpty = (m: (typeof matchers)[number]): boolean => {
      switch (m.op) {
        case '=':
          return m.value === '';
        case '!=':
          return m.value !== '';
        case '=~':
          return re2FullMatch(m.value, '');
        default:
          return !re2FullMatch(m.value, '');
      }
    };
    if (matchers.every(matchesEmpty)) {
      this.add(n.from, 'vector selector must contain at least one non-empty matcher', 'name a metric, or add a matcher that an empty label value cannot pass, e.g. job=~".+" instead of job=~".*"');
    }
  }

  private matrix(e: Expr): Type {
    const inner = e.kids[0];
    const dur = e.node.getChild('DurationExpr');
    const at = dur ? dur.from - 1 : e.from;
    if (!inner) return 'matrix';
    if (inner.node.name === 'OffsetExpr') this.add(at, 'no offset modifiers allowed before range', 'write the range first: x[5m] offset 1m');
    else if (inner.node.name === 'StepInvariantExpr') this.add(at, 'no @ modifiers allowed before range', 'write the range first: x[5m] @ 1700000000');
    else if (inner.node.name !== 'VectorSelector') this.add(at, 'ranges only allowed for vector selectors', 'use a subquery for an expression: (expr)[5m:1m]');
    else this.check(inner);
    if (dur) this.duration(dur, 'range');
    return 'matrix';
  }

  private subquery(e: Expr): Type {
    const inner = e.kids[0];
    if (inner) {
      const t = this.check(inner);
      if (t !== 'vector') this.add(e.from, `subquery is only allowed on instant vector, got ${t} instead`);
    }
    e.node.getChildren('DurationExpr').forEach((d, i) => this.duration(d, i === 0 ? 'range' : 'step'));
    return 'matrix';
  }

  /** `offset` and `@` on a selector or subquery, in either order, each at most once. */
  private modifiers(e: Expr): Type {
    let cur: Expr | undefined = e;
    let offsets = 0;
    let ats = 0;
    let innermost = e.node.name;
    while (cur && (cur.node.name === 'OffsetExpr' || cur.node.name === 'StepInvariantExpr')) {
      innermost = cur.node.name;
      if (cur.node.name === 'OffsetExpr') {
        offsets++;
        this.offset(cur.node);
      } else {
        ats++;
        this.at(cur.node);
      }
      cur = cur.kids[0];
    }
    if (!cur) return 'none';
    const word = innermost === 'OffsetExpr' ? 'offset' : '@';
    const base = cur.node.name;
    if (base !== 'VectorSelector' && base !== 'MatrixSelector' && base !== 'SubqueryExpr') {
      this.add(e.from, `${word} modifier must be preceded by an instant vector selector or range vector selector or a subquery`, `apply ${word} to the selector inside, e.g. rate(x[5m] ${word === '@' ? '@ 1700000000' : 'offset 1h'})`);
    } else if (offsets > 1) {
      this.add(e.from, 'offset may not be set multiple times');
    } else if (ats > 1) {
      this.add(e.from, '@ <timestamp> may not be set multiple times');
    }
    return this.check(cur);
  }

  private offset(n: SyntaxNode): void {
    let d = n.getChild('OffsetDurationExpr');
    if (!d) return;
    const op = d.getChild('UnaryOp');
    if (op) {
      if (this.src(op) === '+') {
        this.add(op.from, 'unexpected <op:+> in offset, expected duration', 'write the offset without +');
        return;
      }
      d = d.getChild('OffsetDurationExpr');
      if (!d) return;
      if (d.getChild('UnaryOp')) {
        this.add(d.from, 'unexpected <op:-> in offset, expected duration');
        return;
      }
    }
    const lit = d.firstChild;
    if (lit && lit.name === 'NumberDurationLiteralInDurationContext' && !lit.nextSibling) this.duration(lit, 'offset');
    else this.add(d.from, `duration expressions such as \`${this.src(d)}\` are ${NEWER}`, 'write a plain duration such as 5m');
  }

  private at(n: SyntaxNode): void {
    const lit = n.getChild('NumberDurationLiteral');
    if (!lit) return; // start() / end()
    const before = this.issues.length;
    const ts = this.number(lit);
    if (this.issues.length > before) return;
    if (!Number.isFinite(ts) || ts >= MAX_INT64 || ts <= -MAX_INT64) {
      const shown = Number.isNaN(ts) ? 'NaN' : !Number.isFinite(ts) ? (ts > 0 ? '+Inf' : '-Inf') : ts.toFixed(6);
      this.add(lit.from, `timestamp out of bounds for @ modifier: ${shown}`, 'use a Unix time in seconds, or @ start() / @ end()');
    }
  }

  // Calls ------------------------------------------------------------------------------------

  private call(e: Expr): Type {
    const n = e.node;
    const id = n.getChild('FunctionIdentifier');
    const name = id ? this.src(id) : '';
    const args = e.kids;
    const sig = FUNCTIONS[name];
    if (!sig) {
      this.add(n.from, `unknown function with name "${name}"`, functionHint(name));
      return 'vector';
    }
    const nargs = sig.args.length;
    if (sig.variadic === 0) {
      if (args.length !== nargs) this.add(n.from, `expected ${nargs} argument(s) in call to "${name}", got ${args.length}`);
    } else {
      const na = nargs - 1;
      if (na > args.length) this.add(n.from, `expected at least ${na} argument(s) in call to "${name}", got ${args.length}`);
      else if (sig.variadic > 0 && na + sig.variadic < args.length) this.add(n.from, `expected at most ${na + sig.variadic} argument(s) in call to "${name}", got ${args.length}`);
    }
    args.forEach((a, i) => {
      if (i >= nargs && sig.variadic === 0) return;
      const want = sig.args[Math.min(i, nargs - 1)]!;
      this.expectType(a, want, `call to function "${name}"`);
    });
    return sig.returns;
  }

  private aggregate(e: Expr): Type {
    const n = e.node;
    const opNode = n.getChild('AggregateOp');
    const op = opNode ? this.src(opNode).toLowerCase() : '';
    const args = e.kids;
    if (!(op in AGGREGATIONS)) {
      this.add(n.from, `unknown function with name "${op}"`, functionHint(op));
      return 'vector';
    }
    const param = AGGREGATIONS[op];
    if (args.length === 0) {
      this.add(n.from, 'no arguments for aggregate expression provided');
      return 'vector';
    }
    const want = param ? 2 : 1;
    if (args.length !== want) {
      this.add(n.from, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
      return 'vector';
    }
    this.expectType(args[args.length - 1]!, 'vector', 'aggregation expression');
    if (param) this.expectType(args[0]!, param, 'aggregation parameter');
    return 'vector';
  }

  private binary(e: Expr): Type {
    const n = e.node;
    const [lhs, rhs] = e.kids;
    if (!lhs || !rhs) return 'none';
    let opNode: SyntaxNode | undefined;
    for (let c = n.firstChild; c; c = c.nextSibling) if (BINARY_OPS.has(c.name)) opNode = c;
    const op = opNode ? this.src(opNode).toLowerCase() : '';
    const opAt = opNode?.from ?? n.from;
    const lt = this.check(lhs);
    const rt = this.check(rhs);
    if (opNode && (opNode.name === 'TrimUpper' || opNode.name === 'TrimLower')) {
      this.add(opAt, `operator "${op}" is ${NEWER} (it is experimental in Prometheus 3)`);
      return 'vector';
    }
    if (n.getChild('FillModifier')) {
      this.add(n.getChild('FillModifier')!.from, `fill modifiers are ${NEWER} (they are experimental in Prometheus 3)`, 'use `or` to fill missing series, e.g. (a or b * 0)');
    }
    const bool = Boolean(n.getChild('BoolModifier'));
    const comparison = COMPARISON.has(op);
    const setOp = SET_OPS.has(op);
    if (bool && !comparison) this.add(opAt, 'bool modifier can only be used on comparison operators', `remove \`bool\` after \`${op}\``);
    if (comparison && !bool && lt === 'scalar' && rt === 'scalar') this.add(opAt, 'comparisons between scalars must use BOOL modifier', `write \`${op} bool\``);

    const clause = n.getChild('MatchingModifierClause');
    let on = false;
    let matching: string[] = [];
    let include: string[] = [];
    let card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many' = 'one-to-one';
    if (clause) {
      on = Boolean(clause.getChild('On'));
      const groups = clause.getChildren('GroupingLabels');
      matching = groups[0] ? labelsOf(this.text, groups[0]) : [];
      include = groups[1] ? labelsOf(this.text, groups[1]) : [];
      if (clause.getChild('GroupLeft')) card = 'many-to-one';
      else if (clause.getChild('GroupRight')) card = 'one-to-many';
    }
    if (setOp && card === 'one-to-one') card = 'many-to-many';
    if (on) for (const l of matching) if (include.includes(l)) this.add(opAt, `label "${l}" must not occur in ON and GROUP clause at once`);
    if (lt !== 'scalar' && lt !== 'vector') this.add(lhs.from, 'binary expression must contain only scalar and instant vector types', sideHint(lt));
    if (rt !== 'scalar' && rt !== 'vector') this.add(rhs.from, 'binary expression must contain only scalar and instant vector types', sideHint(rt));
    if (lt !== 'vector' || rt !== 'vector') {
      if (matching.length > 0) this.add(n.from, 'vector matching only allowed between instant vectors', 'remove the on(...)/ignoring(...) clause: one side is a scalar');
    } else if (setOp) {
      if (card === 'one-to-many' || card === 'many-to-one') this.add(n.from, `no grouping allowed for "${op}" operation`, 'remove group_left/group_right');
    }
    if ((lt === 'scalar' || rt === 'scalar') && setOp) this.add(n.from, `set operator "${op}" not allowed in binary scalar expression`, 'set operators (and, or, unless) need series on both sides: wrap a number in vector(...)');
    return lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
  }
}

function labelsOf(text: string, groups: SyntaxNode): string[] {
  return groups.getChildren('LabelName').map((l) => text.slice(l.from, l.to));
}

function typeHint(want: ValueType, got: Type): string | undefined {
  if (want === 'matrix' && got === 'vector') return 'add a range to the selector, e.g. rate(x[5m])';
  if (want === 'vector' && got === 'matrix') return 'a range vector needs a function first, e.g. sum(rate(x[5m])) or max_over_time(x[5m])';
  if (want === 'scalar' && got === 'vector') return 'use a number, or scalar(...) of a single series';
  return undefined;
}

function sideHint(t: Type): string | undefined {
  if (t === 'matrix') return 'a range vector cannot be compared or combined: apply a function first, e.g. rate(x[5m])';
  if (t === 'string') return 'strings can only be function arguments';
  return undefined;
}

/** Length of the escape sequence starting at `i` (the backslash) in a PromQL string literal. */
function escapeLength(lit: string, i: number): number {
  const c = lit[i + 1];
  if (c === 'x') return 4;
  if (c === 'u') return 6;
  if (c === 'U') return 10;
  if (c !== undefined && c >= '0' && c <= '7') return 4;
  return 2;
}

/** Prometheus' lexer rules for `\` escapes (lex.go lexEscape), or undefined when the escape is fine. */
function escapeProblem(lit: string, i: number, quote: string): string | undefined {
  const c = lit[i + 1];
  if (c === undefined) return 'escape sequence not terminated';
  if ('abfnrtv\\'.includes(c) || c === quote) return undefined;
  let n: number;
  let base: number;
  let max: number;
  let start = i + 2;
  if (c >= '0' && c <= '7') {
    [n, base, max, start] = [3, 8, 255, i + 1];
  } else if (c === 'x') [n, base, max] = [2, 16, 255];
  else if (c === 'u') [n, base, max] = [4, 16, 0x10ffff];
  else if (c === 'U') [n, base, max] = [8, 16, 0x10ffff];
  else return `unknown escape sequence ${goRune(c)}`;
  let x = 0;
  for (let k = 0; k < n; k++) {
    const ch = lit[start + k];
    if (ch === undefined) return 'escape sequence not terminated';
    const d = /^[0-9a-fA-F]$/.test(ch) ? parseInt(ch, 16) : 99;
    if (d >= base) return `illegal character ${goRune(ch)} in escape sequence`;
    x = x * base + d;
  }
  if (x > max || (x >= 0xd800 && x < 0xe000)) return 'escape sequence is an invalid Unicode code point';
  return undefined;
}

/** Go's %#U: `U+0071 'q'`. */
function goRune(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return /\p{L}|\p{N}|\p{P}|\p{S}|[ ]/u.test(ch) ? `${hex} '${ch}'` : hex;
}
