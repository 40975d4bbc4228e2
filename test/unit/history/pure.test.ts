/** Pure parts of src/history: quantiles, baseline verdicts and suggestions, the alert replay. */
import { describe, expect, it } from 'vitest';
import type { ResolvedGate } from '../../../src/model/types';
import { replayGate } from '../../../src/history/backtest';
import { baselineGate, roundOutward } from '../../../src/history/baseline';
import { quantileSorted, summarize } from '../../../src/history/stats';
import { parseTime } from '../../../src/history/time';

const gate = (over: Partial<ResolvedGate> = {}): ResolvedGate => ({
  id: 'lag', title: 'Lag', signal: 's', direction: 'above', pause: 10, rollback: 60,
  pauseFor: '2m', pauseForSeconds: 120, rollbackFor: '1m', rollbackForSeconds: 60, phases: ['canary'], origin: 'definition', ...over,
});
const M = 60_000;

describe('quantiles (Prometheus method: rank q*(n-1), linear)', () => {
  it.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.99, 3.97],
    [[5], 0.99, 5],
    [[1, 3], 0, 1],
    [[1, 3], 1, 3],
  ])('quantile(%j, %d) = %d', (xs, q, v) => expect(quantileSorted(xs, q)).toBeCloseTo(v, 12));
  it('summary of nothing is undefined (no data, not zeros)', () => expect(summarize([])).toBeUndefined());
});

describe('roundOutward', () => {
  it.each([
    [24, 'above', 24], [4.148, 'above', 4.2], [0.0412, 'above', 0.042], [123, 'above', 130],
    [0.159, 'below', 0.15], [4.148, 'below', 4.1], [-3.21, 'above', -3.2],
  ] as const)('%d %s -> %d', (x, d, v) => expect(roundOutward(x, d)).toBe(v));
});

describe('baselineGate', () => {
  const history = (values: (number | undefined)[], g = gate()) => ({ gate: g, expr: 'x', points: new Map(values.flatMap((v, i) => (v === undefined ? [] : [[i * M, v] as [number, number]]))) });

  it('crosses: suggests pause at p99 + 20 %, keeps rollback', () => {
    const b = baselineGate(history(Array.from({ length: 100 }, (_, i) => (i < 50 ? 5 : 20))), 100);
    expect(b.verdict).toBe('crosses');
    expect(b.suggestion).toMatchObject({ pause: 24, rollback: 60 });
    expect(b.share).toEqual({ green: 0.5, pause: 0.5, rollback: 0, unknown: 0 });
  });
  it('a suggestion reaching rollback is not made: review by hand', () => {
    const b = baselineGate(history(Array.from({ length: 100 }, () => 55)), 100);
    expect(b.verdict).toBe('reaches-rollback');
    expect(b.suggestion).toBeUndefined();
    expect(b.note).toMatch(/not suggesting a looser rollback/);
  });
  it('below: p1 - 20 %, rounded down, must stay above rollback', () => {
    const g = gate({ direction: 'below', pause: 0.2, rollback: 0.05 });
    const b = baselineGate(history(Array.from({ length: 100 }, () => 0.15), g), 100);
    expect(b.verdict).toBe('crosses');
    expect(b.suggestion).toMatchObject({ pause: 0.12, rollback: 0.05, method: expect.stringMatching(/^pause = p1 - 20 % \(0\.15 - 20 % = 0\.12, rounded down/) });
    const tight = baselineGate(history(Array.from({ length: 100 }, () => 0.08), gate({ direction: 'below', pause: 0.2, rollback: 0.1 })), 100);
    expect(tight.note).toMatch(/^p1 0\.08 - 20 % reaches the rollback threshold 0\.1/);
  });
  it('near: within the margin of pause, no change', () => {
    expect(baselineGate(history([9, 9, 9]), 3).verdict).toBe('near');
    expect(baselineGate(history([5, 5, 5]), 3).verdict).toBe('ok');
  });
  it('a value exactly at pause is green (strict)', () => {
    const b = baselineGate(history([10, 10]), 2);
    expect(b.share.pause).toBe(0);
    expect(b.verdict).toBe('near');
  });
  it('no data: listed, share unknown 100 %', () => {
    const b = baselineGate(history([]), 10);
    expect(b).toMatchObject({ verdict: 'no-data', share: { unknown: 1 } });
    expect(b.note).toMatch(/unknown \(= pause\)/);
  });
  it('missing steps count as unknown in the shares', () => {
    expect(baselineGate(history([5, undefined, 20, undefined]), 4).share).toEqual({ green: 0.25, pause: 0.25, rollback: 0, unknown: 0.5 });
  });
});

describe('replayGate (alert semantics)', () => {
  const times = (n: number) => Array.from({ length: n }, (_, i) => i * M);
  const replay = (values: (number | undefined)[], phases: (string | undefined)[] | string = 'canary', g = gate()) =>
    replayGate(g, times(values.length), M, (t) => values[t / M], (t) => {
      const p = typeof phases === 'string' ? phases : phases[t / M];
      return p === undefined ? [] : [p];
    });

  it('`for` holds: fires at activeAt + for, resolves at the first step below', () => {
    const r = replay([5, 20, 20, 20, 20, 5]);
    expect(r.episodes).toEqual([{ action: 'pause', phase: 'canary', pendingSinceMs: 1 * M, startMs: 3 * M, endMs: 5 * M, lastFiringMs: 4 * M, peak: 20 }]);
    expect(r.timeMs).toEqual({ green: 4 * M, pause: 2 * M, rollback: 0, unknown: 0, inactive: 0 });
  });
  it('a condition shorter than `for` never fires', () => expect(replay([20, 20, 5, 20, 20]).episodes).toEqual([]));
  it('rollbackFor is its own clock and rollback outranks pause', () => {
    const r = replay([70, 70, 70, 70]);
    expect(r.episodes.map((e) => [e.action, e.startMs / M, e.endMs])).toEqual([['rollback', 1, undefined], ['pause', 2, undefined]]);
    expect(r.timeMs.rollback).toBe(3 * M);
  });
  it('no value is unknown (absent alert with `for`), outranking pause', () => {
    const r = replay([undefined, undefined, undefined, 5]);
    expect(r.episodes).toEqual([{ action: 'unknown', phase: 'canary', pendingSinceMs: 0, startMs: 2 * M, endMs: 3 * M, lastFiringMs: 2 * M }]);
    expect(r.timeMs.unknown).toBe(M);
  });
  it('outside the gate\'s phases nothing fires (inactive); a phase switch restarts `for`', () => {
    const g = gate({ phases: ['canary', 'full'] });
    const r = replay([20, 20, 20, 20, 20, 20], ['canary', 'canary', 'full', 'full', 'full', 'preflight'], g);
    expect(r.episodes.map((e) => [e.action, e.phase, e.startMs / M, e.endMs! / M])).toEqual([['pause', 'full', 4, 5]]);
    expect(r.timeMs.inactive).toBe(M);
  });
  it('a value exactly at the threshold does not fire', () => expect(replay([10, 10, 10, 10, 10]).episodes).toEqual([]));
  it('below gates fire strictly below, peak is the minimum', () => {
    const g = gate({ direction: 'below', pause: 0.2, rollback: 0.1, pauseForSeconds: 0, rollbackForSeconds: 0 });
    const r = replay([0.5, 0.15, 0.12, 0.2], 'canary', g);
    expect(r.episodes).toEqual([{ action: 'pause', phase: 'canary', pendingSinceMs: M, startMs: M, endMs: 3 * M, lastFiringMs: 2 * M, peak: 0.12 }]);
  });
  it('warm-up steps start the `for` clock but are not reported', () => {
    const values = [20, 20, 20, 20, 20, 20];
    const r = replayGate(gate(), times(6), M, (t) => values[t / M], () => ['canary'], 2 * M);
    expect(r.episodes).toEqual([{ action: 'pause', phase: 'canary', pendingSinceMs: 0, startMs: 2 * M, lastFiringMs: 5 * M, peak: 20 }]);
    expect(r.timeMs).toEqual({ green: 0, pause: 4 * M, rollback: 0, unknown: 0, inactive: 0 });
    expect(r.steps).toBe(4);
    // An episode over before the reported range is dropped.
    const early = [20, 20, 20, 5, 5, 5];
    expect(replayGate(gate(), times(6), M, (t) => early[t / M], () => ['canary'], 4 * M).episodes).toEqual([]);
  });
  it('an episode still firing at the end has no end', () => expect(replay([20, 20, 20, 20]).episodes[0]!.endMs).toBeUndefined());
});

describe('parseTime', () => {
  const now = Date.UTC(2026, 10, 30, 12);
  it.each([
    ['2026-11-24T09:00:00Z', Date.UTC(2026, 10, 24, 9)],
    ['2026-11-24T09:00:00+01:00', Date.UTC(2026, 10, 24, 8)],
    ['1764000000', 1764000000_000],
    ['now', now],
    ['now-2h', now - 7200_000],
  ])('%s', (text, ms) => expect(parseTime('--from', text, now)).toBe(ms));
  it.each(['yesterday', '2026-11-24', 'now+1h', ''])('refuses %j', (text) => expect(() => parseTime('--from', text, now)).toThrow(/--from .* is not a time: use RFC 3339/));
  it('names the bad duration of now-<duration>', () => expect(() => parseTime('--from', 'now-2x', now)).toThrow(/--from "now-2x": "2x" is not a duration/));
});
