/**
 * Simple matcher regexes (literal alternatives with `.`, a whole `.*` or `.+`) are answered
 * without RE2 (src/promql/re2.ts simpleMatch). Every answer must be RE2's: checked against re2js
 * itself, anchored as Prometheus anchors, on generated patterns and values.
 */
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { re2FullMatch, re2Problem, simpleMatch } from '../../src/promql/re2';

const re2 = (pattern: string, value: string): boolean => RE2JS.compile(`^(?:${pattern})$`).matches(value);

// A small deterministic generator (no randomness: a failure names its pattern and value).
function* lcg(seed: number): Generator<number> {
  let x = seed;
  for (;;) yield (x = (x * 1103515245 + 12345) % 2 ** 31);
}
const pick = <T,>(g: Generator<number>, xs: readonly T[]): T => xs[g.next().value % xs.length]!;

const ALT_CHARS = ['a', 'b', 'Z', '5', '_', '-', ':', '/', '.', '.', '@', '%', '=', ','];
const VALUE_CHARS = ['a', 'b', 'Z', '5', '_', '-', ':', '/', '.', '@', '%', '=', ',', '\n', ' ', 'é', '😀', '\u0000'];

describe('simple matcher regexes', () => {
  const g = lcg(42);
  const patterns = ['.*', '.+', 'canary|ramp|full', '5..', 'db2:9187|db3:9187', 'a.b|..|x'];
  for (let n = 0; n < 300; n++) {
    const alts = Array.from({ length: 1 + (g.next().value % 3) }, () => Array.from({ length: 1 + (g.next().value % 4) }, () => pick(g, ALT_CHARS)).join(''));
    patterns.push(alts.join('|'));
  }
  const values = ['', 'canary', 'ramp', 'full', 'fullx', '500', '5\n0', 'db2:9187', '😀', 'a😀b'];
  for (let n = 0; n < 200; n++) values.push(Array.from({ length: g.next().value % 5 }, () => pick(g, VALUE_CHARS)).join(''));
  // Values made to fit a pattern, so matches are tested as well as misses.
  for (const p of patterns.slice(0, 100)) values.push(p.split('|')[0]!.replace(/\./g, () => pick(g, VALUE_CHARS)));

  it('are recognised as simple (so RE2 is not loaded for them)', () => {
    for (const p of patterns) expect(simpleMatch(p), p).toBeDefined();
  });
  it(`answer as RE2 does, for ${patterns.length} patterns x ${values.length} values`, () => {
    for (const p of patterns) for (const v of values) expect(re2FullMatch(p, v), `${JSON.stringify(p)} on ${JSON.stringify(v)}`).toBe(re2(p, v));
  });
  it('are valid', () => {
    for (const p of patterns) expect(re2Problem(p)).toBeUndefined();
  });
  it.each(['', 'a|', '|a', 'a+', '(a)', '[ab]', 'a\\.b', 'a b', '^a', 'a$', 'a{2}', '.*x'])('%j is not simple: RE2 decides', (p) => {
    expect(simpleMatch(p)).toBeUndefined();
  });
  it('leaves a value with a surrogate to RE2', () => {
    expect(simpleMatch('...')!('a😀')).toBeUndefined();
    expect(re2FullMatch('...', 'a😀')).toBe(re2('...', 'a😀'));
    expect(re2FullMatch('..', 'a😀')).toBe(re2('..', 'a😀'));
  });
});
