/**
 * Label matchers: parsing a user's `selector` (only matchers, nothing that can leave the braces)
 * and writing matchers back with correct PromQL quoting.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { re2FullMatch, re2Problem } from './re2';
import { boundedMemo } from '../util/memo';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** What quotePromqlString escapes (a value without any is quoted as it is). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f\u2028\u2029]/;

/** A PromQL double-quoted string literal for any text (escapes quotes, backslashes, control chars). */
export function quotePromqlString(value: string): string {
  // Most values need no escape: skip the per-character loop (which allocates for each character when unoptimised).
  if (!NEEDS_ESCAPE.test(value)) return `"${value}"`;
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x2028 && cp <= 0x2029)) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** Whether a label value passes a matcher (a missing label is ""; regexes are RE2, fully anchored, as in Prometheus). */
export function matcherAccepts(m: { op: string; value: string }, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return re2FullMatch(m.value, value);
    default:
      return !re2FullMatch(m.value, value);
  }
}

export function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${quotePromqlString(m.value)}`;
}

export function formatMatchers(ms: LabelMatcher[]): string {
  return ms.map(formatMatcher).join(', ');
}

/** A selector over a metric, e.g. `migration_phase{migration_id="x", phase="canary"}`. */
export function selector(metric: string, matchers: LabelMatcher[]): string {
  return `${metric}{${formatMatchers(matchers)}}`;
}

export const eq = (name: string, value: string): LabelMatcher => ({ name, op: '=', value });
export const re = (name: string, value: string): LabelMatcher => ({ name, op: '=~', value });

export interface SelectorParseResult {
  matchers: LabelMatcher[];
  /** Offset into the selector text and a message, when it is not a plain matcher list. */
  problem?: { offset: number; message: string };
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Parse `job="x", env=~"prod|staging"`. Only label matchers are allowed: anything that would
 * change the query outside the braces (`} or vector(1)`, comments, a trailing backslash) is refused.
 */
export function parseSelector(text: string): SelectorParseResult {
  // The same selector is parsed by resolve and by several rules: parse it once (a fresh array for each caller).
  const r = selectorsByText(text);
  return { matchers: [...r.matchers], ...(r.problem ? { problem: r.problem } : {}) };
}
const selectorsByText = boundedMemo(256, (text) => parseSelectorText(text));

function parseSelectorText(text: string): SelectorParseResult {
  if (text.trim() === '') return { matchers: [] };
  if (/[\n\r]/.test(text)) return { matchers: [], problem: { offset: text.search(/[\n\r]/), message: 'selector must be on one line' } };
  const wrapped = `{${text}}`;
  const tree = parser.parse(wrapped);
  const top = tree.topNode.firstChild;
  let problem: { offset: number; message: string } | undefined;
  tree.iterate({
    enter: (n) => {
      if (problem) return false;
      if (n.type.isError) {
        const near = wrapped.slice(n.from, n.from + 15);
        const unterminated = /\\$/.test(text) || (text.replace(/\\./g, '').match(/"/g) ?? []).length % 2 === 1;
        const what = unterminated
          ? 'an unterminated string or a trailing backslash'
          : near === '' || near === '}'
            ? 'expected matchers like name="value"'
            : `syntax error near \`${near}\``;
        problem = { offset: Math.max(0, Math.min(text.length, n.from - 1)), message: `selector is not a list of label matchers (${what})` };
        return false;
      }
      return undefined;
    },
  });
  if (problem) return { matchers: [], problem };
  if (!top || top.name !== 'VectorSelector' || top.from !== 0 || top.to !== wrapped.length || top.getChild('Identifier')) {
    return { matchers: [], problem: { offset: 0, message: 'selector must be only label matchers such as job="orders-backfill", env=~"prod.*"; it cannot contain a query' } };
  }
  const matchers: LabelMatcher[] = [];
  const list = top.getChild('LabelMatchers');
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === 'QuotedLabelMatcher') {
      return { matchers: [], problem: { offset: m.from - 1, message: 'quoted label names are not supported in a selector' } };
    }
    if (m.name !== 'UnquotedLabelMatcher') continue;
    const name = m.getChild('LabelName');
    const op = m.getChild('MatchOp');
    const val = m.getChild('StringLiteral');
    if (!name || !op || !val) continue;
    const labelName = wrapped.slice(name.from, name.to);
    if (!LABEL_NAME.test(labelName)) return { matchers: [], problem: { offset: name.from - 1, message: `invalid label name \`${labelName}\`` } };
    if (labelName === '__name__' || labelName === 'migration_id') {
      return { matchers: [], problem: { offset: name.from - 1, message: labelName === 'migration_id' ? 'selector may not set `migration_id` (migobs adds migration_id itself)' : 'selector may not set `__name__` (it selects labels of the migration metrics, not the metric)' } };
    }
    matchers.push({ name: labelName, op: wrapped.slice(op.from, op.to) as MatchOp, value: unquote(wrapped.slice(val.from, val.to)) });
  }
  return { matchers };
}

/** What Prometheus says about a matcher regex it refuses (RE2 syntax, as Go parses it), or undefined. */
export function regexProblem(pattern: string): string | undefined {
  return re2Problem(pattern);
}

/** Decode a PromQL string literal ("..." with Go escapes, '...' or `...`). */
export function unquote(lit: string): string {
  const q = lit[0];
  const body = lit.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'u':
      case 'U': return String.fromCodePoint(parseInt(e.slice(1), 16));
      default:
        if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
        return e;
    }
  });
}
