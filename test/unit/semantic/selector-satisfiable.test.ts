import { describe, expect, it } from 'vitest';
import { selectorSatisfiable } from '../../../src/validate/rules/selector-satisfiable';
import { problems } from '../../helpers/definitions';

const withSelector = (s: string) => problems((d) => (d.spec.selector = s));

describe(selectorSatisfiable.name, () => {
  it.each([
    ['job="a", job="b"', 'job="a" contradicts job="b"'],
    ['job="a", job!="a"', 'job="a" contradicts job!="a"'],
    ['job="a", job=~"b|c"', 'job="a" contradicts job=~"b|c"'],
    ['job="ab", job!~"a.*"', 'job="ab" contradicts job!~"a.*"'],
  ])('refuses %s', (s, text) => {
    const p = withSelector(s);
    expect(p.map((x) => x.check)).toEqual(['selector-satisfiable']);
    expect(p[0]!.message).toContain(text);
  });
  it.each(['job="a", job=~"a|b"', 'job!="a", job=~"b"', 'job="a", env="b"', 'job=~"a", job!~"b"'])('accepts %s', (s) => {
    expect(withSelector(s)).toEqual([]);
  });
});
