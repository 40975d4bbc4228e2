/**
 * Chart specifications for the report page: pure data (JSON) that src/report/client.js hands to
 * uPlot. One entry per chart container (`data-chart="<id>"`) in the HTML; a part that is missing
 * has no chart (its section says why instead).
 */
import { isMissing, type GateData, type ReportData } from './types';

export interface ChartSeries {
  label: string;
  color: string;
  values: Array<number | null>;
  dash?: number[];
  stepped?: boolean;
  width?: number;
  /** Drawn as markers only, no line; the legend shows this text for a marked point instead of its (made-up) height. */
  markers?: { legend: string };
}

export interface ChartSpec {
  title: string;
  yLabel?: string;
  series: ChartSeries[];
  /** Shaded episodes, seconds since the epoch. */
  bands?: Array<{ start: number; end: number; kind: 'pause' | 'rollback' | 'unknown' }>;
  /** Category axis (phase names): the series' values are indices into it. */
  categories?: string[];
  yRange?: [number, number];
  height?: number;
}

export interface ChartsData {
  /** Grid times, seconds since the epoch. */
  times: number[];
  charts: Record<string, ChartSpec>;
}

export const COLORS = { value: '#2563eb', pause: '#d97706', rollback: '#dc2626', total: '#6b7280', rate: '#059669', phase: '#7c3aed', mismatch: '#dc2626', verified: '#2563eb' } as const;

/** Ids of the chart containers, shared with html.ts. */
export const CHART_ID = {
  phases: 'phases',
  progress: 'progress',
  throughput: 'throughput',
  verification: 'verification',
  gate: (id: string): string => `gate-${id}`,
} as const;

const constant = (n: number, v: number): number[] => Array.from({ length: n }, () => v);

/**
 * Markers for the grid points where a gate's value was its bad side's infinity (a chart cannot draw
 * one, and a gap would read as "no data"): just beyond everything else on the chart (the values and
 * both thresholds), on the bad side, so they sit at the top edge of an `above` gate's chart and the
 * bottom edge of a `below` gate's. Undefined when there is none.
 */
export function badSideMarkers(g: GateData, n: number): ChartSeries | undefined {
  if (g.badSideAt.length === 0) return undefined;
  // A loop, not Math.max(...values): a long range has more points than a call takes arguments.
  let top = Math.max(g.pause, g.rollback);
  let bottom = Math.min(g.pause, g.rollback);
  for (const v of isMissing(g.values) ? [] : g.values) {
    if (v === null) continue;
    if (v > top) top = v;
    if (v < bottom) bottom = v;
  }
  const margin = (top - bottom) * 0.1 || Math.abs(top) * 0.1 || 1;
  const at = g.direction === 'above' ? top + margin : bottom - margin;
  const values: Array<number | null> = Array.from({ length: n }, () => null);
  for (const i of g.badSideAt) if (i >= 0 && i < n) values[i] = at;
  const infinity = g.direction === 'above' ? '+Inf' : '-Inf';
  return { label: `${infinity} (past rollback)`, color: COLORS.rollback, values, markers: { legend: infinity } };
}

export function buildCharts(d: ReportData): ChartsData {
  const n = d.times.length;
  const charts: Record<string, ChartSpec> = {};
  if (!isMissing(d.phases)) {
    charts[CHART_ID.phases] = {
      title: 'Phase (migration_phase == 1)',
      categories: d.phases.declared,
      series: [{ label: 'phase', color: COLORS.phase, values: d.phases.byPoint.map((k) => (k === null || k < 0 ? null : k)), stepped: true, width: 3 }],
      height: Math.max(160, 40 + 26 * d.phases.declared.length),
    };
  }
  if (!isMissing(d.progress)) {
    charts[CHART_ID.progress] = {
      title: 'Progress (rows processed / rows total)',
      yLabel: '%',
      yRange: [0, 100],
      series: [{ label: 'progress %', color: COLORS.value, values: d.progress.ratio.map((v) => (v === null ? null : v * 100)) }],
    };
    charts[CHART_ID.throughput] = {
      title: 'Throughput (rows/s, 5m rate)',
      yLabel: 'rows/s',
      series: [{ label: 'rows/s', color: COLORS.rate, values: d.progress.rate }],
    };
  }
  for (const g of d.gates) {
    if (isMissing(g.values)) continue;
    const markers = badSideMarkers(g, n);
    charts[CHART_ID.gate(g.id)] = {
      title: `${g.title} (${g.signal})`,
      yLabel: g.unit,
      series: [
        { label: g.signal, color: COLORS.value, values: g.values },
        { label: `pause ${g.direction === 'below' ? '<' : '>'} ${g.pause}`, color: COLORS.pause, values: constant(n, g.pause), dash: [6, 4], width: 1 },
        { label: `rollback ${g.direction === 'below' ? '<' : '>'} ${g.rollback}`, color: COLORS.rollback, values: constant(n, g.rollback), dash: [6, 4], width: 1 },
        ...(markers ? [markers] : []),
      ],
      ...(isMissing(g.episodes) ? {} : { bands: g.episodes.map((e) => ({ start: e.startMs / 1000, end: e.endMs / 1000, kind: e.kind })) }),
    };
  }
  if (!isMissing(d.verification)) {
    charts[CHART_ID.verification] = {
      title: 'Verification counters',
      yLabel: 'rows',
      series: [
        { label: 'rows verified', color: COLORS.verified, values: d.verification.verified.values },
        { label: 'rows mismatched', color: COLORS.mismatch, values: d.verification.mismatched.values },
      ],
    };
  }
  return { times: d.times.map((t) => t / 1000), charts };
}

/**
 * JSON that is safe inside a `<script type="application/json">` element: `<` is written as
 * \u003c (so no `</script>` or `<!--` can end or change the element), and U+2028/U+2029 as escapes.
 * JSON.parse reads it back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
