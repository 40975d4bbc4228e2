/** Rendering the report: hostile text from the definition or from Prometheus stays text (HTML and Markdown), output is deterministic. */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/html';
import { renderMarkdown } from '../../../src/report/markdown';
import type { ReportData } from '../../../src/report/types';

const EVIL = '</script><script>alert(1)</script><img src=x onerror=alert(2)><!--';

function data(): ReportData {
  const times = [0, 15_000, 30_000];
  return {
    migration: { id: 'x', title: `T ${EVIL}`, owner: `o ${EVIL}`, type: 'backfill', engine: 'generic', description: `d ${EVIL}` },
    range: { fromMs: 0, toMs: 30_000, stepMs: 15_000, scrapeIntervalMs: 15_000 },
    times,
    prometheusUrl: 'http://127.0.0.1:9090',
    phases: { declared: ['canary', `p${EVIL}`], byPoint: [0, 1, 1], spans: [{ phase: 'canary', startMs: 0, endMs: 15_000, open: false }, { phase: `p${EVIL}`, startMs: 15_000, endMs: 30_000, open: true }], perPhase: [], noPhaseMs: 0, ambiguousMs: 0, undeclared: [`p${EVIL}`] },
    progress: { missing: `Prometheus said ${EVIL}` },
    gates: [
      { id: 'g', title: `G ${EVIL}`, signal: 's', unit: 's', direction: 'above', pause: 1, rollback: 2, pauseFor: '1m', rollbackFor: '1m', phases: ['canary'], values: [0, 1.5, null], badSideAt: [], worst: 1.5, stateTimes: { green: 15_000, pause: 0, rollback: 0, unknown: 0 }, episodes: [{ kind: 'pause', startMs: 0, endMs: 15_000, open: false }] },
    ],
    alerts: { episodes: [{ alertname: `A${EVIL}`, gate: 'g', severity: `s${EVIL}`, phase: `p${EVIL}`, startMs: 0, endMs: 15_000, open: false }], notEvaluatedMs: 0 },
    verification: { missing: 'no' },
    regression: { missing: EVIL },
    missing: [`progress: ${EVIL}`],
  };
}

describe('HTML', () => {
  const html = renderHtml(data());
  it('text from the definition and from Prometheus is escaped: only the report\'s own three scripts exist', () => {
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).not.toMatch(/<img\b|<!--/);
    expect(html).toContain('<h1>Migration report: T &#x3C;/script>&#x3C;script>alert(1)&#x3C;/script>&#x3C;img src=x onerror=alert(2)>&#x3C;!--</h1>');
  });
  it('the same data gives the same bytes', () => expect(renderHtml(data())).toBe(html));
  it('a missing part says so where it would be, and at the top', () => {
    expect(html).toMatch(/<section id="missing" class="missing"><strong>This report is partial/);
    expect(html).toMatch(/<section id="progress"><h2>Progress and throughput<\/h2><p class="missing"><strong>Missing: <\/strong>Prometheus said &#x3C;\/script>/);
    expect(html).not.toContain('data-chart="progress"');
  });
  it('the page may not load anything: a Content-Security-Policy of default-src none, scripts by hash', () => {
    expect(html).toMatch(/content="default-src &#x27;none&#x27;; script-src &#x27;sha256-[A-Za-z0-9+/=]+&#x27; &#x27;sha256-[A-Za-z0-9+/=]+&#x27;; style-src &#x27;unsafe-inline&#x27;/);
  });
});

describe('Markdown', () => {
  const md = renderMarkdown(data());
  it('escapes user and Prometheus text (no live HTML), ends with the lessons-learned section', () => {
    // Inside a code span, Markdown shows markup as text: check everything outside them.
    expect(md.replace(/`[^`\n]*`/g, '')).not.toMatch(/<script|<img|<\/script/);
    expect(md).toContain('Phases not in the definition: `p</script><script>alert(1)</script><img src=x onerror=alert(2)><!--`');
    expect(md).toMatch(/## Lessons learned\n\n<!-- For the migration owner: fill in before sharing\. -->\n/);
    expect(md.trimEnd().split('\n').pop()).toBe('- **Follow-ups** (owner, issue link):');
  });
  it('missing parts are named, with no number in their place', () => {
    expect(md).toMatch(/## Progress\n\n\*\*Missing:\*\* Prometheus said &lt;\/script>/);
    expect(md).toMatch(/> \*\*This report is partial\.\*\*/);
  });
});
