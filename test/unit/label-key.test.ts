/**
 * src/generate/rules/promql-eval.ts labelKey: the identity the evaluator groups and matches
 * samples by (aggregations, `on`/`ignoring`, `and`/`or`/`unless`). Two label sets share a key
 * exactly when they are equal, whatever their values hold (separators, digits, empty values).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelKey } from '../../src/generate/rules/promql-eval';

const name = fc.constantFrom('__name__', 'a', 'b', 'job', 'le', 'instance');
const value = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', '\u0000', '1\u0000a', '0', '\u00001\u0000'));
const labels = fc.dictionary(name, value, { maxKeys: 4 });
const equal = (x: Record<string, string>, y: Record<string, string>): boolean => Object.keys(x).length === Object.keys(y).length && Object.keys(x).every((k) => y[k] === x[k]);

describe('labelKey', () => {
  it('does not depend on the order of the names', () => {
    expect(labelKey({ a: '1', b: '2' })).toBe(labelKey({ b: '2', a: '1' }));
  });

  it.each([
    [{ a: 'x\u00001\u0000y' }, { a: 'x', '1': 'y' }],
    [{ a: '1', b: '' }, { a: '1' }],
    [{ ab: 'c' }, { a: 'bc' }],
  ])('tells %j from %j', (x, y) => {
    expect(labelKey(x)).not.toBe(labelKey(y));
  });

  it('two random label sets share a key exactly when they are equal', () => {
    fc.assert(
      fc.property(labels, labels, (x, y) => {
        expect(labelKey(x) === labelKey(y)).toBe(equal(x, y));
      }),
      { numRuns: 3000 },
    );
  });
});
