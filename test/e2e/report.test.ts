/// <reference lib="dom" />
/**
 * `migobs report` against a real Prometheus loaded with synthetic history
 * (test/helpers/report-history.ts, written into the test's own data folder by
 * `promtool tsdb create-blocks-from openmetrics`), and the HTML page checked in Debian's Chromium
 * (headless, driven by playwright-core): it loads with no request but itself, no console error,
 * and every chart draws its series.
 *
 * Backfilled blocks have no staleness markers, so a series that stops would stay visible for
 * Prometheus' lookback (5 min). Prometheus runs with `--query.lookback-delta=10s` (less than the
 * 15 s sample interval): each evaluation sees exactly the sample at its own time, as a series that
 * Prometheus itself ended with a staleness marker would read.
 *
 * `UPDATE_SCREENSHOT=1` (scripts/report-screenshot.mjs) also refreshes docs/report-example.png.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli';
import { EXPECT, openMetrics } from '../helpers/report-history';
import { freePort, HOST, migobsAsync, Services, type Prometheus } from '../helpers/services';
import { requireTool } from '../helpers/tools';

const DEFINITION = join(__dirname, 'fixtures', 'report.yaml');
const INF_DEFINITION = join(__dirname, 'fixtures', 'report-inf.yaml');
const CHROMIUM = '/usr/bin/chromium';

describe('migobs report on synthetic history in a real Prometheus', () => {
  const services = new Services();
  let prom: Prometheus;
  let dir: string;
  let t0: number;
  const servers: Server[] = [];
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  const report = (extra: string[], url = prom.url, definition = DEFINITION): ReturnType<typeof migobsAsync> =>
    migobsAsync(['report', definition, '--prometheus-url', url, '--from', iso(t0), '--to', iso(t0 + 120 * 60), ...extra], { timeoutMs: 120_000 });
  /** `file` opened in Chromium once every chart is drawn; `beforeLoad` may listen on the page first. */
  async function inChromium<T>(file: string, use: (page: Page) => Promise<T>, beforeLoad: (page: Page) => void = () => undefined): Promise<T> {
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 60_000 });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      beforeLoad(page);
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
      await page.waitForSelector('html[data-charts-drawn]', { timeout: 30_000 });
      return await use(page);
    } finally {
      await browser?.close();
    }
  }

  beforeAll(async () => {
    try {
      dir = services.tempDir('report');
      // The after-window (an hour after the end) must be over: the migration ended 2 h ago.
      t0 = Math.floor(Date.now() / 60_000) * 60 - 4 * 3600;
      writeFileSync(join(dir, 'history.om'), openMetrics(t0));
      const made = spawnSync(requireTool('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'history.om'), join(dir, 'data')], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`promtool create-blocks-from openmetrics failed: ${made.stdout}${made.stderr}`);
      writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
      prom = await services.startPrometheusWithConfig(join(dir, 'prometheus.yml'), dir, 'prometheus', ['--query.lookback-delta=10s']);
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await services.stopAll();
  });

  it('Markdown: phases, gate times, alerts, verification and the regression flag, read from Prometheus', async () => {
    const out = join(dir, 'r.md');
    const r = await report(['--format', 'md', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*r\.md \(md, 481 points, one point every 15s\)/);
    const md = readFileSync(out, 'utf8');
    // Time per phase (minutes from the synthetic timeline)
    for (const [phase, minutes] of Object.entries(EXPECT.phaseMinutes)) expect(md).toMatch(new RegExp(`\\| ${phase} \\| [^|]+ \\| [^|]+ \\| ${minutes >= 60 ? `${minutes / 60}h` : `${minutes}m`} \\|`));
    // Gate replica-lag: green / pause / rollback / unknown while it applied, as `migobs gate` would have answered
    const s = EXPECT.lagStates;
    expect(md).toContain(`| \`replica-lag\` | pause > 10 s, rollback > 60 s | 80 s | ${Math.floor(s.green / 60)}h ${s.green % 60}m | ${s.pause}m | ${s.rollback}m | ${s.unknown}m |`);
    // Alerts from ALERTS: pause 32..40 and 72..75, rollback 71..75, absent 87..90 (minutes)
    expect(md).toMatch(/\| MigrationGatePause \| `replica-lag` \| warning \| ramp \| [^|]+ \| [^|]+ \| 8m \|/);
    expect(md).toMatch(/\| MigrationGateRollback \| `replica-lag` \| critical \| full \| [^|]+ \| [^|]+ \| 4m \|/);
    expect(md).toMatch(/\| MigrationGateSignalAbsent \| `replica-lag` \| warning \| full \| [^|]+ \| [^|]+ \| 3m \|/);
    expect(md).toMatch(/\| rows verified \| 10000 \|/);
    expect(md).toMatch(/\| rows mismatched \| 3 \|/);
    // Lag 1..2 s before, 3..4 s after: worse; free disk 0.50 -> 0.49 (2 %): within the margin
    expect(md).toMatch(/\| `replica-lag` \| [^|]+ \| [^|]+ \| [^|]+ \| \*\*WORSE by more than 20 %/);
    expect(md).toMatch(/\| `free-disk` \| [^|]+ \| [^|]+ \| [^|]+ \| within 20 % \|/);
    expect(md).toMatch(/Not compared \(signals on the migration's own metrics\): `mismatch-ratio`/);
    expect(md).toMatch(/## Lessons learned\n/);
    // The title is text, not markup
    // Markdown text: `<` is written `&lt;` (no HTML can open), the rest stays readable.
    expect(md).toContain('# Migration report: Backfill &lt;/script>&lt;script>window.\\_\\_pwned=1&lt;/script> & "quotes"');
  });

  it('+Inf from Prometheus: counted as rollback, shown as the worst value and as a regression after the migration; -Inf (the good side) is unknown', async () => {
    const out = join(dir, 'inf.md');
    const r = await report(['--format', 'md', '--out', out], prom.url, INF_DEFINITION);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(out, 'utf8');
    const s = EXPECT.errorRatioStates;
    // A finite peak (0.01) in place of +Inf would hide the three minutes past every threshold.
    expect(md).toMatch(new RegExp(`\\| \`error-ratio\` \\| [^|]+ \\| \\+Inf percentunit \\| ${Math.floor(s.green / 60)}h ${s.green % 60}m \\| [^|]+ \\| ${s.rollback}m \\| ${s.unknown}m \\|`));
    // Two minutes of +Inf in the hour after (3 % of its points): p99 is +Inf, a regression.
    expect(md).toMatch(/\| `error-ratio` \| 0\.01 percentunit \/ 0\.01 percentunit \/ 0\.01 percentunit \| 0\.01 percentunit \/ 0\.01 percentunit \/ \+Inf percentunit \| 0 % \/ 0 % \/ to \+Inf \| \*\*WORSE by more than 20 % \(p99\)\*\* \|/);
  });

  it('+Inf in the HTML: the gate chart marks each point past rollback at its top edge, in the rollback colour', async () => {
    const file = join(dir, 'inf.html');
    const made = await report(['--out', file], prom.url, INF_DEFINITION);
    expect(made.code, made.stderr).toBe(0);
    await inChromium(file, async (page) => {
      const seen = await page.evaluate(() => {
        type Plot = { series: { label: string }[]; data: Array<Array<number | null>>; bbox: { top: number; left: number; width: number; height: number }; ctx: CanvasRenderingContext2D; valToPos(v: number, scale: string, canvas: boolean): number };
        const u = (window as unknown as { __migobsPlots: Record<string, Plot> }).__migobsPlots['gate-error-ratio']!;
        const at = u.series.findIndex((s) => s.label === '+Inf (past rollback)');
        if (at < 0) return { labels: u.series.map((s) => s.label) };
        const marked = u.data[at]!.flatMap((v, i) => (v === null ? [] : [i]));
        const line = u.data[1]!;
        // Each marker's centre pixel, and where it sits in the plot area (0 = top edge, 1 = bottom).
        const pixels = marked.map((i) => {
          const x = Math.round(u.valToPos(u.data[0]![i]!, 'x', true));
          const y = Math.round(u.valToPos(u.data[at]![i]!, 'y', true));
          const [r, g, b, a] = u.ctx.getImageData(x, y, 1, 1).data;
          return { rgba: [r, g, b, a], height: (y - u.bbox.top) / u.bbox.height };
        });
        return { labels: u.series.map((s) => s.label), marked: marked.length, lineThere: marked.filter((i) => line[i] !== null).length, pixels };
      });
      expect(seen.labels).toContain('+Inf (past rollback)');
      // The history's +Inf minutes (test/helpers/report-history.ts) are marked, and the line has a gap there.
      expect(seen.marked).toBeGreaterThan(0);
      expect(seen.lineThere).toBe(0);
      for (const p of seen.pixels!) {
        expect(p.height).toBeGreaterThanOrEqual(0);
        expect(p.height).toBeLessThan(0.15);
        // #dc2626, opaque
        expect(Math.abs(p.rgba[0]! - 0xdc) + Math.abs(p.rgba[1]! - 0x26) + Math.abs(p.rgba[2]! - 0x26)).toBeLessThan(60);
        expect(p.rgba[3]).toBeGreaterThan(200);
      }
    });
  }, 120_000);

  it('HTML: one self-contained file, the same bytes for the same data, user text escaped', async () => {
    const a = join(dir, 'a.html');
    const b = join(dir, 'b.html');
    const ra = await report(['--out', a]);
    expect(ra.code, ra.stderr).toBe(0);
    const rb = await report(['--out', b]);
    expect(rb.code, rb.stderr).toBe(0);
    const html = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(html);
    // (booleans, not toMatch on the page: a failure would print the whole page with uPlot in it)
    expect(html.includes('window.__pwned=1</script>')).toBe(false);
    expect(html.includes('<h1>Migration report: Backfill &#x3C;/script>&#x3C;script>window.__pwned=1&#x3C;/script> &#x26; "quotes"</h1>')).toBe(true);
    // No reference to anything outside the file, and a policy that forbids any request
    expect(/<(?:link|img|iframe)\b|\bsrc=|@import|url\(\s*['"]?https?:/i.test(html)).toBe(false);
    expect(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; script-src &#x27;sha256-`)).toBe(true);
    expect(html.length).toBeLessThan(400_000);
  });

  it('Chromium: loads offline with no failed request and no console error; every chart draws', async () => {
    const file = join(dir, 'browser.html');
    const made = await report(['--out', file]);
    expect(made.code, made.stderr).toBe(0);
    const problems: string[] = [];
    const requests: string[] = [];
    const watch = (page: Page): void => {
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on('request', (r) => requests.push(r.url()));
    };
    await inChromium(file, async (page) => {
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

      const charts = await page.evaluate(() => (window as unknown as { __migobsCharts: { id: string; colors: string[] }[] }).__migobsCharts);
      const containers = await page.$$eval('[data-chart]', (els) => els.map((e) => ({ id: e.getAttribute('data-chart'), drawn: e.getAttribute('data-drawn') })));
      expect(containers.map((c) => c.id).sort()).toEqual(['free-disk', 'mismatch-ratio', 'phases', 'progress', 'replica-lag', 'throughput', 'verification'].map((id) => (['free-disk', 'mismatch-ratio', 'replica-lag'].includes(id) ? `gate-${id}` : id)).sort());
      expect(containers.every((c) => c.drawn === 'true')).toBe(true);
      // Every chart's canvas holds pixels of its first series' colour: the line was drawn, not just axes.
      const painted = await page.evaluate((list) => {
        const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        return list.map(({ id, colors }) => {
          const canvas = document.querySelector(`[data-chart="${id}"] canvas`) as HTMLCanvasElement | null;
          if (!canvas) return { id, pixels: -1 };
          const ctx = canvas.getContext('2d')!;
          const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
          const [r, g, b] = rgb(colors[0]!);
          let pixels = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 200 && Math.abs(data[i]! - r!) < 40 && Math.abs(data[i + 1]! - g!) < 40 && Math.abs(data[i + 2]! - b!) < 40) pixels++;
          return { id, pixels };
        });
      }, charts);
      for (const p of painted) expect(p.pixels, `chart ${p.id}`).toBeGreaterThan(50);
      // Shading of the alert episodes on the replica-lag chart (pause amber band present)
      if (process.env.UPDATE_SCREENSHOT === '1') await page.screenshot({ path: join(REPO, 'docs', 'report-example.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2400 } });
    }, watch);
  }, 120_000);

  it('Prometheus unreachable: exit 1, a clear message, nothing written', async () => {
    const out = join(dir, 'down.html');
    const port = await freePort();
    const r = await report(['--out', out], `http://${HOST}:${port}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing to report for report-e2e .*cannot reach Prometheus/s);
    expect(r.stderr).toMatch(/No report written/);
    expect(existsSync(out)).toBe(false);
  });

  /** A proxy in front of the real Prometheus that answers HTTP 500 to the queries `fail` picks. */
  async function failingProxy(fail: (query: string, n: number) => boolean): Promise<string> {
    let n = 0;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const q = url.searchParams.get('query') ?? '';
      if (fail(q, n++)) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"error","errorType":"internal","error":"injected failure"}');
        return;
      }
      const up = request(`${prom.url}${req.url}`, { method: req.method, headers: req.headers }, (pres) => {
        res.writeHead(pres.statusCode ?? 502, pres.headers);
        pres.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((r) => server.listen(0, HOST, r));
    servers.push(server);
    return `http://${HOST}:${(server.address() as AddressInfo).port}`;
  }

  it('Prometheus erroring on some queries: a partial report naming exactly what is missing (exit 2), no numbers in its place', async () => {
    const url = await failingProxy((q) => q.startsWith('ALERTS{'));
    const out = join(dir, 'partial.md');
    const r = await report(['--format', 'md', '--out', out], url);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/report part missing: alerts: range query failed: Prometheus refused the query \(HTTP 500, internal: injected failure\)/);
    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/> \*\*This report is partial\.\*\*/);
    expect(md).toMatch(/## Alerts that fired\n\n\*\*Missing:\*\* range query failed/);
    // Gate alert time is "unknown", never 0; the phases and gate states are still there.
    expect(md).toMatch(/\| `replica-lag` \| [^|]+ \| 80 s \| 1h 20m \| 10m \| 5m \| 5m \| unknown \|/);
    expect(md).not.toMatch(/No migobs alert/);
  });

  it('Prometheus failing from the middle of the report on: the parts read before are kept, the rest is listed as missing', async () => {
    const url = await failingProxy((_q, n) => n >= 6);
    const out = join(dir, 'midway.html');
    const r = await report(['--out', out], url);
    expect(r.code, r.stderr).toBe(2);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/This report is partial/);
    expect(html).toMatch(/<li>verification counters: rows verified: range query failed/);
    expect(html).toMatch(/<li>gate free-disk signal: signal freeRatio: range query failed/);
    expect(html).toContain('data-chart="phases"');
    expect(html).not.toContain('data-chart="verification"');
  });

  it('a --step that needs too many points: exit 1 before any query, nothing written', async () => {
    const out = join(dir, 'big.html');
    const r = await report(['--out', out, '--step', '1s', '--max-points', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--step 1s over 2h needs 7201 points per series, more than --max-points 1000: use --step 10s or larger/);
    expect(existsSync(out)).toBe(false);
  });

  it('a window with no data: exit 1, an existing report at --out left untouched', async () => {
    const out = join(dir, 'keep.html');
    writeFileSync(out, 'previous report');
    const r = await migobsAsync(['report', DEFINITION, '--prometheus-url', prom.url, '--from', iso(t0 - 10 * 3600), '--to', iso(t0 - 9 * 3600), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing to report for report-e2e from .* no phase, progress, gate signal, alert or verification data in the range/s);
    expect(readFileSync(out, 'utf8')).toBe('previous report');
  });
});
