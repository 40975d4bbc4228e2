/** The report's statistics and option parsing (src/report/stats.ts, options.ts, charts.ts). */
import { describe, expect, it } from 'vitest';
import { scriptSafeJson } from '../../../src/report/charts';
import { mergeEpisodes } from '../../../src/report/collect';
import { parseTime } from '../../../src/history/time';
import { chooseStep, marginOption } from '../../../src/report/options';
import { quantileSorted as quantile } from '../../../src/history/stats';
import { compare, counterSummary, grid, percentiles, relativeWorsening, runs, timeWhere } from '../../../src/report/stats';
import { change } from '../../../src/report/format';

describe('quantile: Prometheus quantile_over_time (rank phi*(n-1), linear interpolation)', () => {
  it.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.99, 3.97],
    [[5], 0.95, 5],
    [[0, 10], 0.95, 9.5],
  ])('%j at %f = %f', (values, phi, want) => expect(quantile(values, phi)).toBeCloseTo(want, 10));
  it('no values: no percentiles (never 0)', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(percentiles([null, null])).toBeUndefined();
  });
  it('ignores points without a value', () => expect(percentiles([null, 3, 1, null, 2])).toEqual({ p50: 2, p95: 2.9, p99: 2.98, samples: 3 }));
  it('on a sample next to an infinity: that sample, not NaN (Inf * 0)', () => {
    expect(quantile([1, 2, Infinity], 0.5)).toBe(2);
    expect(quantile([-Infinity, 2, 3], 0.5)).toBe(2);
    expect(quantile([1, 2, Infinity], 0.75)).toBe(Infinity);
  });
  it.each([
    ['the bad side of an above gate counts', Infinity, [2.5, Infinity, Infinity, 4]],
    ['the bad side of a below gate counts', -Infinity, [1.5, 2.85, 2.97, 4]],
    ['without a bad side, only finite values', undefined, [2, 2.9, 2.98, 3]],
  ] as const)('infinities: %s; NaN never', (_what, badSide, [p50, p95, p99, samples]) => {
    const got = percentiles([1, NaN, 2, Infinity, 3, -Infinity, null], badSide)!;
    expect(got.samples).toBe(samples);
    for (const [v, want] of [[got.p50, p50], [got.p95, p95], [got.p99, p99]] as const) {
      if (Number.isFinite(want)) expect(v).toBeCloseTo(want, 10);
      else expect(v).toBe(want);
    }
  });
});

describe('grid, runs and time', () => {
  const times = grid(0, 60_000, 15_000); // 0, 15, 30, 45, 60 s
  it('grid includes both ends on the step', () => expect(times).toEqual([0, 15_000, 30_000, 45_000, 60_000]));
  it('runs: a run ends at the first point after it; one reaching the end is open and ends at toMs', () => {
    expect(runs(times, ['a', 'a', undefined, 'b', 'b'], 60_000)).toEqual([
      { key: 'a', startMs: 0, endMs: 30_000, open: false },
      { key: 'b', startMs: 45_000, endMs: 60_000, open: true },
    ]);
  });
  it('each point stands for one step, the last (at toMs) for nothing', () => {
    expect(timeWhere(times, 15_000, 60_000, () => true)).toBe(60_000);
    expect(timeWhere(times, 15_000, 60_000, (i) => i === 4)).toBe(0);
  });
  it('episodes of one kind merge where they touch (a phase change splits an ALERTS series)', () => {
    expect(mergeEpisodes([
      { kind: 'pause', startMs: 0, endMs: 10, open: false },
      { kind: 'pause', startMs: 10, endMs: 20, open: false },
      { kind: 'rollback', startMs: 5, endMs: 8, open: false },
    ])).toEqual([
      { kind: 'pause', startMs: 0, endMs: 20, open: false },
      { kind: 'rollback', startMs: 5, endMs: 8, open: false },
    ]);
  });
});

describe('counters', () => {
  it('the last value, and resets where the counter went down', () => {
    expect(counterSummary([0, 1, 2, 3], [5, null, 7, 2])).toMatchObject({ last: 2, lastMs: 3, resets: [3] });
    expect(counterSummary([0, 1], [null, null])).toMatchObject({ last: null, lastMs: null, resets: [] });
  });
});

describe('regression: worse in the gate direction by more than the margin', () => {
  it.each([
    [10, 13, 'above', 0.3],
    [10, 7, 'below', 0.3],
    [10, 7, 'above', -0.3],
    [-2, -1, 'above', 0.5],
  ] as const)('before %f after %f (%s): %f', (b, a, dir, want) => expect(relativeWorsening(b, a, dir)).toBeCloseTo(want, 10));
  it('from 0: any worsening is flagged ("from 0"), no change is not', () => {
    expect(relativeWorsening(0, 0.001, 'above')).toBe(Infinity);
    expect(relativeWorsening(0, 0, 'above')).toBe(0);
    const p = (v: number) => ({ p50: v, p95: v, p99: v, samples: 1 });
    expect(compare(p(0), p(0.001), 'above', 20)).toEqual({ change: { p50: null, p95: null, p99: null }, flagged: true, worse: ['p50', 'p95', 'p99'] });
  });
  it('exactly at the margin is not flagged; just past it is', () => {
    const p = (v: number) => ({ p50: v, p95: v, p99: v, samples: 1 });
    expect(compare(p(10), p(12), 'above', 20).flagged).toBe(false);
    expect(compare(p(10), p(12.01), 'above', 20).flagged).toBe(true);
  });
  it('the bad side\'s infinity after finite values is worse; the same infinity before and after is no change', () => {
    const p = (v: number) => ({ p50: 1, p95: 1, p99: v, samples: 100 });
    expect(compare(p(1), p(Infinity), 'above', 20)).toEqual({ change: { p50: 0, p95: 0, p99: null }, flagged: true, worse: ['p99'] });
    expect(compare(p(Infinity), p(Infinity), 'above', 20)).toEqual({ change: { p50: 0, p95: 0, p99: 0 }, flagged: false, worse: [] });
    expect(compare(p(Infinity), p(1), 'above', 20).flagged).toBe(false);
    expect(compare(p(1), p(-Infinity), 'below', 20).flagged).toBe(true);
    expect(relativeWorsening(-Infinity, -Infinity, 'below')).toBe(0);
  });
  it.each([
    [0.25, 10, 12.5, '+25 %'],
    [-0.03, 10, 9.7, '-3 %'],
    [null, 0, 0.5, 'from 0'],
    [null, 0.01, Infinity, 'to +Inf'],
    [null, 0.5, -Infinity, 'to -Inf'],
    [null, Infinity, Infinity, '0 %'],
  ] as const)('the change %s (before %s, after %s) reads %j', (v, before, after, text) => expect(change(v, before, after)).toBe(text));
  it('a missing window is not compared (never flagged, never "ok" by guess)', () => expect(compare(undefined, { p50: 1, p95: 1, p99: 1, samples: 1 }, 'above', 20)).toEqual({ change: null, flagged: false, worse: [] }));
});

describe('options', () => {
  const now = Date.UTC(2026, 4, 1, 12);
  it.each([
    ['2026-05-01T10:00:00Z', Date.UTC(2026, 4, 1, 10)],
    ['2026-05-01T12:00:00+02:00', Date.UTC(2026, 4, 1, 10)],
    ['1777629600', 1777629600_000],
    ['now', now],
    ['now-6h', now - 6 * 3600_000],
  ])('time %s', (text, want) => expect(parseTime('--from', text, now)).toBe(want));
  it.each([
    ['2026-05-01T10:00:00', /add the zone/],
    ['yesterday', /is not a time/],
    ['now-6x', /not a duration/],
  ])('refuses %s', (text, msg) => expect(() => parseTime('--from', text, now)).toThrow(msg));
  it('step: at least the scrape interval, about 1500 points', () => {
    expect(chooseStep(2 * 3600_000, 15_000, 11_000)).toBe(15_000);
    expect(chooseStep(30 * 86400_000, 15_000, 11_000)).toBe(1800_000);
  });
  it('an explicit step that needs too many points is refused with the step that fits', () => {
    expect(() => chooseStep(2 * 3600_000, 15_000, 1000, '1s')).toThrow(/needs 7201 points per series, more than --max-points 1000: use --step 10s or larger/);
  });
  it.each([['20', 20], ['12.5%', 12.5]])('margin %s', (t, n) => expect(marginOption(t)).toBe(n));
  it('margin must be a percentage', () => expect(() => marginOption('-1')).toThrow(/percentage/));
});

describe('chart data inside <script>', () => {
  it('no </script>, <!-- or line separators survive; JSON.parse reads the same value back', () => {
    const value = { title: '</script><script>alert(1)</script><!-- \u2028\u2029 & >' };
    const text = scriptSafeJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
