/**
 * guardedValue remembers values by gate, series objects and step (the synthesis asks for the same
 * ones again and again): other series, another step or another gate must never get a remembered
 * value that is not theirs.
 */
import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/generate/rules/promql-eval';
import { seriesForId } from '../../src/generate/rules/own-id';
import { guardedValue, type GateInput } from '../../src/generate/rules/test-inputs';

const gate = (inner: string, extra: Partial<GateInput> = {}): GateInput => ({ signal: inner, value: inner, inner, aggregation: 'max', direction: 'above', ...extra });
const series = (value: number, instance = 'a'): Series => ({ labels: { __name__: 'x', instance }, samples: [value, value + 1, value + 2] });
const db = (...s: Series[]) => ({ stepSeconds: 60, series: s });

describe('guardedValue memo', () => {
  it('other series objects with the same step get their own value', () => {
    const g = gate('max(x)');
    const a = series(1);
    expect(guardedValue(g, db(a), 1)).toBe(2);
    expect(guardedValue(g, db(series(10)), 1)).toBe(11);
    expect(guardedValue(g, db(a), 1)).toBe(2);
  });
  it('another step of the same series', () => {
    const g = gate('max(x)');
    const a = series(1);
    expect(guardedValue(g, db(a), 0)).toBe(1);
    expect(guardedValue(g, db(a), 2)).toBe(3);
  });
  it('a series list with one more member (the same first series)', () => {
    const g = gate('max(x)');
    const a = series(1);
    expect(guardedValue(g, db(a), 1)).toBe(2);
    expect(guardedValue(g, db(a, series(5, 'b')), 1)).toBe(6);
  });
  it('another gate over the same series', () => {
    const a = series(1);
    expect(guardedValue(gate('max(x)'), db(a), 1)).toBe(2);
    expect(guardedValue(gate('max(x) * 10'), db(a), 1)).toBe(20);
    // The same text, other guards: an expected series count the inputs do not meet.
    expect(guardedValue(gate('max(x)', { expectedSeries: 2 }), db(a), 1)).toBeUndefined();
  });
  it('the same series objects in a new list (a packed group filtered per gate): the same value', () => {
    const g = gate('max(x)');
    const a = series(3);
    const b = series(4, 'b');
    expect(guardedValue(g, db(a, b), 2)).toBe(6);
    expect(guardedValue(g, { stepSeconds: 60, series: [a, b].filter(() => true) }, 2)).toBe(6);
  });

  // Gates of other migrations with the same value expression share one memo (memoOf): what
  // guardedValueUncached reads of the gate must all be part of what they share it by.
  it('another gate object with the same content gets the same value', () => {
    const a = series(1);
    expect(guardedValue(gate('max(x)'), db(a), 1)).toBe(2);
    expect(guardedValue(gate('max(x)'), db(a), 1)).toBe(2);
  });
  it('the same expression in the other direction: which infinity is no value differs', () => {
    const minusInf: Series = { labels: { __name__: 'x', instance: 'a' }, samples: [-Infinity] };
    expect(guardedValue(gate('x'), db(minusInf), 0)).toBeUndefined();
    expect(guardedValue(gate('x', { direction: 'below' }), db(minusInf), 0)).toBe(-Infinity);
  });
  it('the same expression and series at another step length (a rate over other seconds)', () => {
    // 60 more per sample: 1/s a minute apart, 2/s half a minute apart.
    const counter: Series = { labels: { __name__: 'c', instance: 'a' }, samples: Array.from({ length: 21 }, (_, i) => 60 * i) };
    const g = (): GateInput => gate('max(rate(c[5m]))');
    expect(guardedValue(g(), { stepSeconds: 60, series: [counter] }, 20)).toBe(1);
    expect(guardedValue(g(), { stepSeconds: 30, series: [counter] }, 20)).toBe(2);
  });

  // A gate on a migration's own metrics (own-id.ts) remembers values by the series its inputs were
  // renamed from: only gates with that renameKey may; any other gate must see the renamed labels.
  it('series renamed to another migration: the same value for a gate with a renameKey, their own for any other gate', () => {
    const own = (id: string): Series => ({ labels: { __name__: 'x', migration_id: id }, samples: [4, 5, 6] });
    const built = own('first');
    const [renamed] = seriesForId([built], 'first', 'second');
    const keyed = (id: string): GateInput => gate(`max(x{migration_id="${id}"})`, { renameKey: 'max(x{migration_id="*"})' });
    expect(guardedValue(keyed('first'), db(built), 1)).toBe(5);
    expect(guardedValue(keyed('second'), db(renamed!), 1)).toBe(5);
    // Matches only the first migration's id: a value for the series built for it, none for the renamed one.
    const regex = (): GateInput => gate('max(x{migration_id=~"fir.*"})');
    expect(guardedValue(regex(), db(built), 1)).toBe(5);
    expect(guardedValue(regex(), db(renamed!), 1)).toBeUndefined();
  });
});
