/**
 * Alertmanager's matcher syntax (`matchers:` entries in routes and inhibit rules), read the way
 * Alertmanager reads it (pkg/labels/parse.go: ParseMatchers/ParseMatcher): an optional `{...}`,
 * several matchers separated by commas outside double quotes, each `name op value` with optional
 * spaces, the value optionally double-quoted with `\"`, `\\` and `\n` escapes.
 */
import type { MatchOp } from '../promql/matchers';

export interface AmMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

const ONE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/** The matchers of one `matchers:` entry, or undefined when Alertmanager would refuse it. */
export function parseAmMatchers(text: string): AmMatcher[] | undefined {
  let s = text.startsWith('{') ? text.slice(1) : text;
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let token = '';
  let inside = false;
  let escaped = false;
  for (const ch of s) {
    if (ch === ',' && !inside) {
      tokens.push(token);
      token = '';
      continue;
    }
    if (ch === '"') {
      if (!escaped) inside = !inside;
      else escaped = false;
    } else if (ch === '\\') escaped = !escaped;
    else escaped = false;
    token += ch;
  }
  if (token.trim() !== '') tokens.push(token.trim());
  const out: AmMatcher[] = [];
  for (const t of tokens) {
    const m = parseAmMatcher(t);
    if (!m) return undefined;
    out.push(m);
  }
  return out;
}

function parseAmMatcher(text: string): AmMatcher | undefined {
  const mt = ONE.exec(text);
  if (!mt) return undefined;
  let raw = mt[3]!;
  let expectQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectQuote = true;
  }
  let value = '';
  let escaped = false;
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (escaped) {
      escaped = false;
      value += ch === 'n' ? '\n' : ch === '"' || ch === '\\' ? ch : `\\${ch}`;
      continue;
    }
    if (ch === '\\') {
      if (i < chars.length - 1) escaped = true;
      else value += '\\';
    } else if (ch === '"') {
      if (!expectQuote || i < chars.length - 1) return undefined;
      expectQuote = false;
    } else value += ch;
  }
  if (expectQuote) return undefined;
  return { name: mt[1]!, op: mt[2] as MatchOp, value };
}
