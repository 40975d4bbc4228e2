import { describe, expect, it } from 'vitest';
import { selectorValid } from '../../../src/validate/rules/selector-valid';
import { problems } from '../../helpers/definitions';

const withSelector = (s: string) => problems((d) => (d.spec.selector = s));

describe(selectorValid.name, () => {
  it.each(['job="x"', 'job="x", env=~"prod|staging"', 'job!="x",env!~"dev"', '', 'job="a\\"b"', "job='x'"])('accepts %s', (s) => {
    expect(withSelector(s)).toEqual([]);
  });
  it.each([
    ['job="x"} or vector(1) #', 'it cannot contain a query'],
    ['job="x\\', 'an unterminated string or a trailing backslash'],
    ['up', 'expected matchers like name="value"'],
    ['job="x"}', ''],
    ['job="x"\n', 'one line'],
    ['migration_id="y"', 'may not set `migration_id`'],
    ['__name__="up"', 'may not set `__name__`'],
    ['job="x"} + on() group_left {a="b"', ''],
  ])('rejects %j', (s, text) => {
    const p = withSelector(s);
    expect(p.length).toBeGreaterThanOrEqual(1);
    expect(p[0]!.check).toBe('selector-valid');
    expect(p[0]!.message).toContain(text);
  });
});
