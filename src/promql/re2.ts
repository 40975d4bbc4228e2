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

/** What Prometheus would say about a matcher regex ("error parsing regexp: ..."), or undefined. */
export function re2Problem(pattern: string): string | undefined {
  const r = compile(pattern);
  if (!(r instanceof Error)) return undefined;
  // re2js reports the anchored text; Go reports the same escaped part, so the messages agree.
  return r.message.replace(/^(?!error parsing regexp)/, 'error parsing regexp: ');
}

/** Whether the value matches the whole regex (a missing label is ""). False for an invalid regex. */
export function re2FullMatch(pattern: string, value: string): boolean {
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
