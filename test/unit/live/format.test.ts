/**
 * formatValue: the one spelling of numbers in live output, `history` and `report`. Infinities and
 * NaN are written as Prometheus writes them: a report's "worst 'Infinity' s" read as a typo, and
 * `+Inf` is what an operator searches the Prometheus UI for.
 */
import { describe, expect, it } from 'vitest';
import { formatValue } from '../../../src/live/format';

describe('formatValue', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [12, '12'],
    [0.5, '0.5'],
    [1 / 3, '0.333333'],
    [1234567.891, '1234570'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [null, '-'],
    [undefined, '-'],
  ])('%s -> %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });

  it('no value: the raw text Prometheus sent, made safe to print', () => {
    expect(formatValue(null, '+Inf')).toBe('+Inf');
    expect(formatValue(null, 'x\u001b[2Jy')).toBe('x\\x1b[2Jy');
  });
});
