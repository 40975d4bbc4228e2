/**
 * A gate chart's markers for the bad side's infinity (src/report/charts.ts badSideMarkers): a chart
 * cannot draw +Inf, and a gap in the line would read as "no data" where the gate was past rollback.
 */
import { describe, expect, it } from 'vitest';
import { badSideMarkers, buildCharts, CHART_ID } from '../../../src/report/charts';
import type { GateData, ReportData } from '../../../src/report/types';

function gate(over: Partial<GateData>): GateData {
  return {
    id: 'g', title: 'G', signal: 's', unit: 'percentunit', direction: 'above', pause: 0.01, rollback: 0.05, pauseFor: '1m', rollbackFor: '1m', phases: ['canary'],
    values: [0.001, null, 0.2, null, 0.003], badSideAt: [], worst: 0.2, stateTimes: { green: 0, pause: 0, rollback: 0, unknown: 0 }, episodes: [],
    ...over,
  };
}

describe('badSideMarkers', () => {
  it.each<[string, Partial<GateData>, Array<number | null>]>([
    // Span 0.001..0.2 (a value above rollback): markers 10 % of it above the top.
    ['above: at the grid points of +Inf, above every value and threshold', { badSideAt: [1, 3] }, [null, 0.2199, null, 0.2199, null]],
    ['above, values under both thresholds: above the rollback line', { values: [0.001, null, 0.002], badSideAt: [1] }, [null, 0.0549, null]],
    ['below: at the grid points of -Inf, below every value and threshold', { direction: 'below', pause: 20, rollback: 10, values: [50, null, 40], badSideAt: [1] }, [null, 6, null]],
    ['one value everywhere (no span): still off the line', { pause: 1, rollback: 1, values: [1, null], badSideAt: [1] }, [null, 1.1]],
  ])('%s', (_, over, expected) => {
    const g = gate(over);
    const n = (g.values as Array<number | null>).length;
    const m = badSideMarkers(g, n)!;
    expect(m.values.map((v) => (v === null ? null : Number(v.toFixed(4))))).toEqual(expected);
    expect(m.markers).toEqual({ legend: g.direction === 'above' ? '+Inf' : '-Inf' });
    expect(m.label).toBe(`${g.direction === 'above' ? '+Inf' : '-Inf'} (past rollback)`);
  });

  it('none without a bad-side infinity', () => expect(badSideMarkers(gate({}), 5)).toBeUndefined());

  it('a range of more points than a call takes arguments (--max-points raised)', () => {
    const n = 500_000;
    const values = Array.from({ length: n }, (_, i) => (i === 7 ? null : i / n));
    const m = badSideMarkers(gate({ values, badSideAt: [7] }), n)!;
    expect(m.values[7]).toBeCloseTo(1.1, 3);
  });

  it('the gate chart carries them as its last series; a gate without one has none', () => {
    const data = {
      times: [0, 15, 30, 45, 60],
      phases: { missing: 'x' }, progress: { missing: 'x' }, verification: { missing: 'x' },
      gates: [gate({ id: 'inf', badSideAt: [3] }), gate({ id: 'finite' })],
    } as unknown as ReportData;
    const charts = buildCharts(data).charts;
    const inf = charts[CHART_ID.gate('inf')]!.series;
    expect(inf.map((s) => s.label)).toEqual(['s', 'pause > 0.01', 'rollback > 0.05', '+Inf (past rollback)']);
    expect(inf[3]!.values[3]).toBeGreaterThan(0.2);
    expect(charts[CHART_ID.gate('finite')]!.series.some((s) => s.markers)).toBe(false);
  });
});
