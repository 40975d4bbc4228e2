/**
 * Label matcher regexes with Prometheus' semantics: Go's RE2 syntax (not JavaScript's), fully
 * anchored as `^(?:re)$` (Prometheus 2.x). `re2js` is a pure-JS port of RE2/J, which follows Go's
 * regexp/syntax; the one difference that matters for Prometheus 2.42 (built with Go 1.19/1.20) is
 * named groups written `(?<name>...)`, which Go accepts only since 1.22: refused here too.
 *
 * re2js is required on first use, so commands and definitions without regex matchers never load it.
 */
import type { RE2JS } from 're2js';
import { boundedMemo } from '../util/memo';

type Re2Module = typeof import('re2js');
let re2: Re2Module | undefined;
const lib = (): Re2Module => (re2 ??= require('re2js') as Re2Module);

const compile = boundedMemo(10_000, (pattern): RE2JS | Error => {
  try {
    const old = oldGoProblem(pattern);
    return old ? new Error(old) : lib().RE2JS.compile(`^(?:${pattern})$`);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
});

/**
 * The patterns most matchers use, answered without RE2: alternatives of literal characters and
 * `.` (`canary|ramp|full`, `5..`), or a whole `.*` or `.+`. Every such pattern is valid RE2, and
 * matching it fully anchored is a comparison: so a definition whose regexes are all like this
 * never loads re2js (about 10 ms of a cold `generate`). `.` is any character but a line break,
 * as in Go without the s flag; a value holding a surrogate (where `.` would have to count code
 * points) gets undefined, and RE2 decides.
 */
const SIMPLE_ALTERNATIVE = /^[A-Za-z0-9_:/@%=,.-]+$/;
const SURROGATE = /[\ud800-\udfff]/;
export const simpleMatch = boundedMemo(10_000, (pattern): ((value: string) => boolean | undefined) | undefined => {
  if (pattern === '.*') return (v) => !v.includes('\n');
  if (pattern === '.+') return (v) => v.length > 0 && !v.includes('\n');
  const alternatives = pattern.split('|');
  if (!alternatives.every((a) => SIMPLE_ALTERNATIVE.test(a))) return undefined;
  const fits = (alt: string, v: string): boolean => {
    if (alt.length !== v.length) return false;
    for (let i = 0; i < alt.length; i++) {
      const c = alt[i]!;
      if (c === '.' ? v[i] === '\n' : v[i] !== c) return false;
    }
    return true;
  };
  return (v) => (SURROGATE.test(v) ? undefined : alternatives.some((alt) => fits(alt, v)));
});

/** What Prometheus would say about a matcher regex ("error parsing regexp: ..."), or undefined. */
export function re2Problem(pattern: string): string | undefined {
  if (simpleMatch(pattern)) return undefined;
  const r = compile(pattern);
  if (!(r instanceof Error)) return undefined;
  // re2js reports the anchored text; Go reports the same escaped part, so the messages agree.
  return r.message.replace(/^(?!error parsing regexp)/, 'error parsing regexp: ');
}

/** Whether the value matches the whole regex (a missing label is ""). False for an invalid regex. */
export function re2FullMatch(pattern: string, value: string): boolean {
  const simple = simpleMatch(pattern)?.(value);
  if (simple !== undefined) return simple;
  const r = compile(pattern);
  return r instanceof Error ? false : r.matches(value);
}

/** `(?<` outside a character class: Go < 1.22 refuses it (a lookbehind, or a named group only Go >= 1.22 accepts). */
function oldGoProblem(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // `[]a]` and `[^]a]`: a `]` first in a class is a literal.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (pattern.startsWith('(?<', i)) {
      return 'error parsing regexp: invalid or unsupported Perl syntax: `(?<`';
    }
  }
  return undefined;
}
