/**
 * The report as one self-contained HTML page. The page is built as a hast tree (hastscript) and
 * serialized by hast-util-to-html, so every piece of text from the definition or from Prometheus
 * is escaped by the serializer, never pasted into markup. The only raw text is inside <script> and
 * <style>: uPlot and the page script (fixed at build time, checked for `</script`) and the chart
 * data, written by `scriptSafeJson` (no `<` can appear in it).
 *
 * The page asks for nothing over the network: a Content-Security-Policy of `default-src 'none'`
 * with the inline scripts allowed by their SHA-256 hashes enforces it in the browser.
 */
import { createHash } from 'node:crypto';
import type { Element, ElementContent, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { h } from 'hastscript';
import { REPORT_CLIENT_JS, UPLOT_CSS, UPLOT_JS, UPLOT_LICENSE, UPLOT_VERSION } from '../generated/report-assets';
import { ALERT } from '../generate/names';
import { buildCharts, CHART_ID, scriptSafeJson } from './charts';
import { change, human, percentileCells, share, utc, value, verdict } from './format';
import { isMissing, type GateData, type ReportData } from './types';

declare const MIGOBS_VERSION: string;
const version = (): string => (typeof MIGOBS_VERSION === 'string' ? MIGOBS_VERSION : '0.0.0-dev');

type Cell = string | ElementContent | ElementContent[];

function table(headers: string[], rows: Cell[][], className?: string): Element {
  const cell = (tag: 'td' | 'th', c: Cell): Element => h(tag, Array.isArray(c) ? c : [c]);
  return h('table', className ? { className: [className] } : {}, [h('thead', [h('tr', headers.map((x) => cell('th', x)))]), h('tbody', rows.map((r) => h('tr', r.map((c) => cell('td', c)))))]);
}

const missingNote = (text: string): Element => h('p', { className: ['missing'] }, [h('strong', 'Missing: '), text]);
const chart = (id: string): Element => h('div', { className: ['chart'], dataChart: id });
const section = (id: string, title: string, children: ElementContent[]): Element => h('section', { id }, [h('h2', title), ...children]);

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;margin:0 auto;padding:16px 24px 48px;max-width:1200px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:8px 0 12px;font-variant-numeric:tabular-nums}th,td{border:1px solid #e5e7eb;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f9fafb}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dl.meta dt{color:#6b7280}dl.meta dd{margin:0}
.missing{background:#fef3c7;border:1px solid #f59e0b;padding:6px 10px;border-radius:4px}
.flag{color:#b91c1c;font-weight:600}.ok{color:#047857}
.chart{width:100%;min-height:160px;margin:6px 0 10px}
.legend-bands span{display:inline-block;padding:0 6px;margin-right:8px;border-radius:3px}
.band-pause{background:rgba(245,158,11,.22)}.band-unknown{background:rgba(107,114,128,.25)}.band-rollback{background:rgba(220,38,38,.25)}
code{font-size:90%;background:#f3f4f6;padding:0 3px;border-radius:3px}
footer{margin-top:32px;color:#6b7280;font-size:12px}
`;

export function renderHtml(d: ReportData): string {
  const title = `Migration report: ${d.migration.title}`;
  const data = scriptSafeJson(buildCharts(d));
  const uplot = `/*! uPlot ${UPLOT_VERSION}, https://github.com/leeoniya/uPlot\n${UPLOT_LICENSE.trim()}\n*/\n${UPLOT_JS}`;
  const scripts = [uplot, REPORT_CLIENT_JS];
  const hash = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
  const csp = `default-src 'none'; script-src ${scripts.map(hash).join(' ')}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;

  const body: ElementContent[] = [
    h('header', [
      h('h1', title),
      ...(d.migration.description ? [h('p', d.migration.description)] : []),
      h('dl', { className: ['meta'] }, [
        ...kv('Migration', d.migration.id),
        ...kv('Owner', d.migration.owner),
        ...kv('Type / engine', `${d.migration.type} / ${d.migration.engine}`),
        ...kv('Range', `${utc(d.range.fromMs)} to ${utc(d.range.toMs)} (${human(d.range.toMs - d.range.fromMs)})`),
        ...kv('Resolution', `one point every ${human(d.range.stepMs)} (scrape interval ${human(d.range.scrapeIntervalMs)})${d.range.stepMs > d.range.scrapeIntervalMs ? ': shorter spikes may not show' : ''}`),
        ...kv('Prometheus', d.prometheusUrl),
      ]),
    ]),
    ...(d.missing.length
      ? [h('section', { id: 'missing', className: ['missing'] }, [h('strong', 'This report is partial. Missing parts (nothing below is estimated in their place):'), h('ul', d.missing.map((m) => h('li', m)))])]
      : []),
    h('nav', [h('ul', [['phases', 'Phase timeline'], ['progress', 'Progress and throughput'], ['gates', 'Gates'], ['time', 'Time per phase and throttled time'], ['alerts', 'Alerts that fired'], ['verification', 'Verification'], ['regression', 'Performance regression check']].map(([id, t]) => h('li', [h('a', { href: `#${id}` }, t!)])))]),
    phasesSection(d),
    progressSection(d),
    gatesSection(d),
    timeSection(d),
    alertsSection(d),
    verificationSection(d),
    regressionSection(d),
    h('footer', [`Generated by migobs ${version()} from Prometheus data; charts by uPlot ${UPLOT_VERSION} (MIT). Statistics and caveats: docs/report.md.`]),
    h('script', { type: 'application/json', id: 'migobs-report-data' }, data),
    h('script', uplot),
    h('script', REPORT_CLIENT_JS),
  ];

  const tree: Root = {
    type: 'root',
    children: [
      { type: 'doctype' },
      h('html', { lang: 'en' }, [
        h('head', [
          h('meta', { charSet: 'utf-8' }),
          h('meta', { httpEquiv: 'Content-Security-Policy', content: csp }),
          h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
          h('meta', { name: 'generator', content: `migobs ${version()}` }),
          h('title', title),
          h('style', `${UPLOT_CSS}\n${STYLE}`),
        ]),
        h('body', body),
      ]),
    ],
  };
  return `${toHtml(tree)}\n`;
}

function kv(k: string, v: string): ElementContent[] {
  return [h('dt', k), h('dd', v)];
}

function phasesSection(d: ReportData): Element {
  const p = d.phases;
  if (isMissing(p)) return section('phases', 'Phase timeline', [missingNote(p.missing)]);
  const rows = p.spans.map((s) => [s.phase, utc(s.startMs), s.open ? `${utc(s.endMs)} (still in it at the end of the range)` : utc(s.endMs), human(s.endMs - s.startMs)]);
  return section('phases', 'Phase timeline', [
    chart(CHART_ID.phases),
    ...(p.undeclared.length ? [h('p', { className: ['flag'] }, `Phases in Prometheus that the definition does not declare: ${p.undeclared.join(', ')}`)] : []),
    rows.length ? table(['phase', 'from', 'to', 'duration'], rows) : h('p', 'No phase was exported (migration_phase == 1) in the range.'),
  ]);
}

function progressSection(d: ReportData): Element {
  const p = d.progress;
  if (isMissing(p)) return section('progress', 'Progress and throughput', [missingNote(p.missing)]);
  return section('progress', 'Progress and throughput', [
    chart(CHART_ID.progress),
    chart(CHART_ID.throughput),
    table(['rows processed (last)', 'rows total (last)', 'progress (last)', 'peak rows/s', 'mean rows/s'], [[value(p.lastProcessed), value(p.lastTotal), p.lastRatio === null ? '-' : `${value(p.lastRatio * 100)} %`, value(p.peakRate), value(p.meanRate)]]),
  ]);
}

function gateBlock(g: GateData): ElementContent[] {
  const head = h('h3', { id: `gate-${g.id}` }, g.title === g.id ? g.id : `${g.title} (${g.id})`);
  const thresholds = h('p', [
    `Signal `,
    h('code', g.signal),
    `, pause when ${g.direction === 'below' ? '<' : '>'} ${value(g.pause, g.unit)} for ${g.pauseFor}, roll back when ${g.direction === 'below' ? '<' : '>'} ${value(g.rollback, g.unit)} for ${g.rollbackFor}; phases ${g.phases.join(', ')}. Worst value in the range: ${value(g.worst, g.unit)}.`,
  ]);
  if (isMissing(g.values)) return [head, thresholds, missingNote(g.values.missing)];
  return [head, thresholds, chart(CHART_ID.gate(g.id)), ...(isMissing(g.episodes) ? [missingNote(`shaded episodes: ${g.episodes.missing}`)] : [])];
}

function gatesSection(d: ReportData): Element {
  return section('gates', 'Gates', [
    h('p', { className: ['legend-bands'] }, [
      'Shaded: when the generated alerts fired (from ALERTS): ',
      h('span', { className: ['band-pause'] }, 'pause'),
      h('span', { className: ['band-unknown'] }, 'unknown (signal absent)'),
      h('span', { className: ['band-rollback'] }, 'rollback'),
      ' Dashed lines: the thresholds.',
    ]),
    ...(d.gates.length ? d.gates.flatMap(gateBlock) : [h('p', 'The definition has no enabled gate.')]),
  ]);
}

function timeSection(d: ReportData): Element {
  const out: ElementContent[] = [h('h3', 'Time per phase')];
  const p = d.phases;
  if (isMissing(p)) out.push(missingNote(p.missing));
  else {
    const range = d.range.toMs - d.range.fromMs;
    const rows: Cell[][] = p.perPhase.map((x) => [x.phase, human(x.durationMs), share(x.durationMs, range), x.throttledMs === null ? 'unknown' : `${human(x.throttledMs)} (${share(x.throttledMs, x.durationMs)})`]);
    if (p.noPhaseMs > 0) rows.push(['(no phase exported)', human(p.noPhaseMs), share(p.noPhaseMs, range), '-']);
    if (p.ambiguousMs > 0) rows.push(['(two phases at once)', human(p.ambiguousMs), share(p.ambiguousMs, range), '-']);
    out.push(table(['phase', 'time', 'share of the range', 'runner throttled (migration_throttled = 1)'], rows));
    if (p.throttledMissing) out.push(missingNote(`runner throttled time: ${p.throttledMissing}`));
  }
  out.push(h('h3', 'Throttled time by gate'));
  out.push(h('p', ['green / pause / rollback / unknown: what ', h('code', 'migobs gate'), ' would have answered at each point while the migration was in one of the gate’s phases (no ', h('code', 'for'), '). Alert columns: how long the generated alerts fired (with ', h('code', 'for'), ').']));
  const rows: Cell[][] = d.gates.map((g) => {
    const st = g.stateTimes;
    const alertTime = (kind: 'pause' | 'rollback' | 'unknown'): string => (isMissing(g.episodes) ? 'unknown' : human(g.episodes.filter((e) => e.kind === kind).reduce((a, e) => a + e.endMs - e.startMs, 0)));
    if (isMissing(st)) return [g.id, { type: 'text', value: `missing: ${st.missing}` }, '', '', '', alertTime('pause'), alertTime('rollback'), alertTime('unknown')];
    return [g.id, human(st.green), human(st.pause), human(st.rollback), human(st.unknown), alertTime('pause'), alertTime('rollback'), alertTime('unknown')];
  });
  out.push(table(['gate', 'green', 'pause', 'rollback', 'unknown', 'pause alert firing', 'rollback alert firing', 'absent alert firing'], rows));
  return section('time', 'Time per phase and throttled time', out);
}

function alertsSection(d: ReportData): Element {
  const a = d.alerts;
  if (isMissing(a)) return section('alerts', 'Alerts that fired', [missingNote(a.missing)]);
  const notes: ElementContent[] = a.notEvaluatedMs > 0 ? [missingNote(`migobs' rules were not evaluated for ${human(a.notEvaluatedMs)} of the range (no migration:gate:state series then): alerts in that time are not known.`)] : [];
  if (!a.episodes.length) return section('alerts', 'Alerts that fired', [...notes, h('p', `No migobs alert (${Object.values(ALERT).join(', ')}) fired in the range.`)]);
  const rows = a.episodes.map((e) => [e.alertname, e.gate ?? '-', e.severity ?? '-', e.phase ?? '-', utc(e.startMs), e.open ? `${utc(e.endMs)} (still firing)` : utc(e.endMs), human(e.endMs - e.startMs)]);
  return section('alerts', 'Alerts that fired', [...notes, table(['alert', 'gate', 'severity', 'phase', 'from', 'to', 'duration'], rows)]);
}

function verificationSection(d: ReportData): Element {
  const v = d.verification;
  if (isMissing(v)) return section('verification', 'Verification', [missingNote(v.missing)]);
  const row = (name: string, c: typeof v.verified): Cell[] => [name, value(c.last), c.lastMs === null ? '-' : utc(c.lastMs), c.resets.length ? `${c.resets.length} (last at ${utc(c.resets[c.resets.length - 1]!)}: the value counts only since then)` : 'none'];
  return section('verification', 'Verification', [
    chart(CHART_ID.verification),
    table(['counter', 'last value', 'at', 'resets'], [row('rows verified (migration_rows_verified_total)', v.verified), row('rows mismatched (migration_rows_mismatched_total)', v.mismatched)]),
  ]);
}

function regressionSection(d: ReportData): Element {
  const r = d.regression;
  if (isMissing(r)) return section('regression', 'Performance regression check', [missingNote(r.missing)]);
  const intro = h('p', `Each safety signal’s gate value (worst series) in the ${human(r.windowMs)} before the start (${utc(r.before.startMs)} to ${utc(r.before.endMs)}) against the ${human(r.windowMs)} after the end (${utc(r.after.startMs)} to ${utc(r.after.endMs)}). Flagged where a percentile got worse (in the gate’s direction) by more than ${r.marginPercent} % of its value before.`);
  const rows: Cell[][] = r.rows.map((x) => {
    const b = percentileCells(x.before, x.unit);
    const a = percentileCells(x.after, x.unit);
    const cells = (p: typeof b): Cell[] => (typeof p === 'string' ? [{ type: 'text', value: `missing: ${p}` }, '', ''] : p);
    const ch = (k: 'p50' | 'p95' | 'p99'): Cell => {
      if (!x.change || isMissing(x.before) || isMissing(x.after)) return '-';
      const text = change(x.change[k], x.before[k], x.after[k]);
      return x.worse.includes(k) ? h('span', { className: ['flag'] }, text) : text;
    };
    return [x.gate, ...cells(b), ...cells(a), ch('p50'), ch('p95'), ch('p99'), x.flagged ? h('span', { className: ['flag'] }, verdict(x, r.marginPercent)) : verdict(x, r.marginPercent)];
  });
  return section('regression', 'Performance regression check', [
    intro,
    table(['gate', 'before p50', 'before p95', 'before p99', 'after p50', 'after p95', 'after p99', 'change p50', 'change p95', 'change p99', 'verdict'], rows),
    ...(r.skipped.length ? [h('p', `Not compared (their signals read only the migration’s own metrics, which do not exist before it): ${r.skipped.join(', ')}.`)] : []),
  ]);
}
