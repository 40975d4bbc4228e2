/**
 * The report as Markdown, to paste into a post-mortem or a pull request: the same numbers as the
 * HTML page, as tables, without charts, ending with a lessons-learned section for the owner to
 * fill in. Every piece of user or Prometheus text goes through src/render/markdown.ts.
 */
import { ALERT } from '../generate/names';
import { mdCode, mdTable, mdText } from '../render/markdown';
import { change, human, percentileCells, share, utc, value, verdict } from './format';
import { isMissing, type ReportData } from './types';

export function renderMarkdown(d: ReportData): string {
  const out: string[] = [];
  const m = d.migration;
  const missing = (text: string): string => `**Missing:** ${mdText(text)}`;
  out.push(`# Migration report: ${mdText(m.title)}`, '');
  out.push(
    mdTable(
      ['', ''],
      [
        ['Migration', mdCode(m.id)],
        ['Owner', mdText(m.owner)],
        ['Type / engine', mdText(`${m.type} / ${m.engine}`)],
        ['Range', mdText(`${utc(d.range.fromMs)} to ${utc(d.range.toMs)} (${human(d.range.toMs - d.range.fromMs)})`)],
        ['Resolution', mdText(`one point every ${human(d.range.stepMs)} (scrape interval ${human(d.range.scrapeIntervalMs)})`)],
        ['Prometheus', mdCode(d.prometheusUrl)],
      ],
    ),
    '',
  );
  if (d.missing.length) {
    out.push('> **This report is partial.** Missing parts (nothing is estimated in their place):', '>');
    for (const x of d.missing) out.push(`> - ${mdText(x)}`);
    out.push('');
  }

  out.push('## Phases', '');
  const p = d.phases;
  if (isMissing(p)) out.push(missing(p.missing), '');
  else {
    const range = d.range.toMs - d.range.fromMs;
    const rows = p.perPhase.map((x) => [mdText(x.phase), mdText(utc(x.firstMs)), mdText(utc(x.lastMs)), mdText(human(x.durationMs)), mdText(share(x.durationMs, range)), x.throttledMs === null ? 'unknown' : mdText(human(x.throttledMs))]);
    if (p.noPhaseMs > 0) rows.push(['(no phase exported)', '', '', mdText(human(p.noPhaseMs)), mdText(share(p.noPhaseMs, range)), '']);
    if (p.ambiguousMs > 0) rows.push(['(two phases at once)', '', '', mdText(human(p.ambiguousMs)), mdText(share(p.ambiguousMs, range)), '']);
    out.push(rows.length ? mdTable(['phase', 'first', 'last', 'time', 'share', 'runner throttled'], rows) : 'No phase was exported (migration_phase == 1) in the range.', '');
    if (p.undeclared.length) out.push(`Phases not in the definition: ${p.undeclared.map(mdCode).join(', ')}`, '');
    if (p.throttledMissing) out.push(missing(`runner throttled time: ${p.throttledMissing}`), '');
  }

  out.push('## Progress', '');
  const pr = d.progress;
  if (isMissing(pr)) out.push(missing(pr.missing), '');
  else {
    out.push(mdTable(['rows processed', 'rows total', 'progress', 'peak rows/s', 'mean rows/s'], [[value(pr.lastProcessed), value(pr.lastTotal), pr.lastRatio === null ? '-' : mdText(`${value(pr.lastRatio * 100)} %`), value(pr.peakRate), value(pr.meanRate)]]), '');
  }

  out.push('## Gates', '');
  if (!d.gates.length) out.push('The definition has no enabled gate.', '');
  else {
    out.push('Time = what `migobs gate` would have answered while the gate applied (sampled per point); alerts = time the generated alerts fired (ALERTS).', '');
    const rows = d.gates.map((g) => {
      const thr = mdText(`pause ${g.direction === 'below' ? '<' : '>'} ${value(g.pause, g.unit)}, rollback ${g.direction === 'below' ? '<' : '>'} ${value(g.rollback, g.unit)}`);
      const st = g.stateTimes;
      const times = isMissing(st) ? [mdText(`missing: ${st.missing}`), '', '', ''] : [human(st.green), human(st.pause), human(st.rollback), human(st.unknown)];
      const alerts = isMissing(g.episodes)
        ? 'unknown'
        : (['pause', 'rollback', 'unknown'] as const)
            .map((k) => {
              const eps = g.episodes as Exclude<typeof g.episodes, { missing: string }>;
              const list = eps.filter((e) => e.kind === k);
              return list.length ? `${k === 'unknown' ? 'absent' : k} ${list.length}x ${human(list.reduce((a, e) => a + e.endMs - e.startMs, 0))}` : '';
            })
            .filter(Boolean)
            .join(', ') || 'none';
      return [mdCode(g.id), thr, mdText(value(g.worst, g.unit)), ...times.map((t) => (t.startsWith('missing') ? t : mdText(t))), mdText(alerts)];
    });
    out.push(mdTable(['gate', 'thresholds', 'worst', 'green', 'pause', 'rollback', 'unknown', 'alerts'], rows), '');
  }

  out.push('## Alerts that fired', '');
  const a = d.alerts;
  if (isMissing(a)) out.push(missing(a.missing), '');
  else {
    if (a.notEvaluatedMs > 0) out.push(missing(`migobs' rules were not evaluated for ${human(a.notEvaluatedMs)} of the range: alerts in that time are not known.`), '');
    if (!a.episodes.length) out.push(`No migobs alert (${Object.values(ALERT).join(', ')}) fired in the range.`, '');
    else
      out.push(
        mdTable(
          ['alert', 'gate', 'severity', 'phase', 'from', 'to', 'duration'],
          a.episodes.map((e) => [mdText(e.alertname), e.gate ? mdCode(e.gate) : '-', mdText(e.severity ?? '-'), mdText(e.phase ?? '-'), mdText(utc(e.startMs)), mdText(e.open ? `${utc(e.endMs)} (still firing)` : utc(e.endMs)), mdText(human(e.endMs - e.startMs))]),
        ),
        '',
      );
  }

  out.push('## Verification', '');
  const v = d.verification;
  if (isMissing(v)) out.push(missing(v.missing), '');
  else {
    const row = (name: string, c: typeof v.verified): string[] => [mdText(name), value(c.last), c.lastMs === null ? '-' : mdText(utc(c.lastMs)), c.resets.length ? mdText(`${c.resets.length} (counts only since ${utc(c.resets[c.resets.length - 1]!)})`) : 'none'];
    out.push(mdTable(['counter', 'last value', 'at', 'resets'], [row('rows verified', v.verified), row('rows mismatched', v.mismatched)]), '');
  }

  out.push('## Performance regression check', '');
  const r = d.regression;
  if (isMissing(r)) out.push(missing(r.missing), '');
  else {
    out.push(mdText(`p50/p95/p99 of each safety signal in the ${human(r.windowMs)} before the start against the ${human(r.windowMs)} after the end; flagged where worse by more than ${r.marginPercent} %.`), '');
    const rows = r.rows.map((x) => {
      const b = percentileCells(x.before, x.unit);
      const af = percentileCells(x.after, x.unit);
      const fmt = (c: typeof b): string => (typeof c === 'string' ? mdText(`missing: ${c}`) : mdText(c.join(' / ')));
      const ch = !x.change || isMissing(x.before) || isMissing(x.after) ? '-' : mdText((['p50', 'p95', 'p99'] as const).map((k) => change(x.change![k], (x.before as { p50: number })[k as 'p50'], (x.after as { p50: number })[k as 'p50'])).join(' / '));
      const verdictText = mdText(verdict(x, r.marginPercent));
      return [mdCode(x.gate), fmt(b), fmt(af), ch, x.flagged ? `**${verdictText}**` : verdictText];
    });
    if (rows.length) out.push(mdTable(['gate', 'before p50 / p95 / p99', 'after p50 / p95 / p99', 'change', 'verdict'], rows), '');
    if (r.skipped.length) out.push(`Not compared (signals on the migration's own metrics): ${r.skipped.map(mdCode).join(', ')}`, '');
  }

  out.push(
    '## Lessons learned',
    '',
    '<!-- For the migration owner: fill in before sharing. -->',
    '',
    '- **What went well:** ',
    '- **What went wrong or surprised us:** ',
    '- **Were the gate thresholds right?** (pauses that were noise, danger no gate caught) ',
    '- **Changes for the next migration** (thresholds, phases, runbook, tooling): ',
    '- **Follow-ups** (owner, issue link): ',
    '',
  );
  return out.join('\n');
}
