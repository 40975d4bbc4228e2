/**
 * `migobs baseline` and `migobs backtest` against a real Prometheus holding synthetic history
 * (written as OpenMetrics, loaded with `promtool tsdb create-blocks-from openmetrics` into the data
 * dir this test owns, then served by a Prometheus started on a free port).
 *
 * Agreement with Prometheus' own rule evaluation: the same history is given to `promtool test
 * rules` with the generated rules file, and backtest's episodes become the expected firing alerts
 * at every evaluation step. promtool evaluates the rules with Prometheus' rule manager (`for`,
 * resolution, the phase join) and fails on any step where they differ. A mutated expectation must
 * make promtool fail, so the comparison cannot pass vacuously.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FILES } from '../../src/generate/names';
import { migobsAsync, Services, type Prometheus } from '../helpers/services';
import { runTool } from '../helpers/tools';

const FIXTURE = join(__dirname, 'fixtures', 'history-unit.yaml');
const ID = 'hist-unit';
const STEP_S = 60;
const N = 180; // steps of history: 3 hours at 1m
// Inside the default 15d retention, on the hour, finished well before now.
const T0 = Math.floor((Date.now() - 6 * 3600_000) / 3600_000) * 3600_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const at = (k: number): number => T0 + k * STEP_S * 1000;

type Gen = (k: number) => string | undefined;
const between = (k: number, a: number, b: number): boolean => k >= a && k <= b;
const phaseGap = (k: number): boolean => between(k, 150, 159); // the runner stopped exporting for 10 minutes

/** The synthetic history: every series as a value (or no sample) at each step k. */
const SERIES: { metric: string; labels: Record<string, string>; value: Gen }[] = [
  { metric: 'migration_phase', labels: { job: 'unit', migration_id: ID, phase: 'canary' }, value: (k) => (phaseGap(k) ? undefined : k < 60 ? '1' : '0') },
  { metric: 'migration_phase', labels: { job: 'unit', migration_id: ID, phase: 'full' }, value: (k) => (phaseGap(k) ? undefined : k < 60 ? '0' : '1') },
  {
    metric: 'replica_lag_seconds',
    labels: { job: 'db' },
    value: (k) =>
      between(k, 10, 12) ? '15' // past pause for 3 steps: pending, never fires (for 3m)
      : between(k, 20, 29) ? '20' // fires after 3m
      : between(k, 30, 39) ? '10' // exactly at pause: green (strict)
      : between(k, 40, 49) ? '70' // past rollback (for 2m) and pause (for 3m)
      : between(k, 50, 64) ? undefined // no samples: 5m of lookback, then absent = unknown across a phase switch
      : between(k, 100, 110) ? '61'
      : between(k, 120, 125) ? 'NaN' // NaN is dropped by the gate value: unknown
      : between(k, 130, 133) ? '+Inf' // +Inf is a value, past every threshold
      : '5',
  },
  { metric: 'free_ratio', labels: { job: 'db' }, value: (k) => (between(k, 70, 80) ? '0.15' : between(k, 140, 149) ? '0.05' : '0.5') },
];

function openMetrics(): string {
  const lines: string[] = [];
  for (const name of [...new Set(SERIES.map((s) => s.metric))]) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of SERIES.filter((x) => x.metric === name)) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',');
      for (let k = 0; k < N; k++) {
        const v = s.value(k);
        if (v !== undefined) lines.push(`${name}{${labels}} ${v} ${at(k) / 1000}`);
      }
    }
  }
  return lines.join('\n') + '\n# EOF\n';
}

/** promtool's series notation of the same history (k = 0 at time 0). */
function promtoolSeries(): { series: string; values: string }[] {
  return SERIES.map((s) => ({
    series: `${s.metric}{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`,
    values: Array.from({ length: N }, (_, k) => s.value(k) ?? '_').join(' '),
  }));
}

interface JsonEpisode { action: 'pause' | 'rollback' | 'unknown'; phase: string; pendingSince: string; start: string; end: string | null; lastFiring: string; peak: number | string | null }
interface JsonGate { gate: string; seconds: Record<string, number>; episodes: JsonEpisode[] }

const ALERT = { pause: 'MigrationGatePause', rollback: 'MigrationGateRollback', unknown: 'MigrationGateSignalAbsent' } as const;
const SEVERITY = { pause: 'warning', rollback: 'critical', unknown: 'warning' } as const;

/** Firing alerts per step and alert name, from backtest's episodes. */
function firingFromEpisodes(gates: JsonGate[]): Map<string, Record<string, string>[]> {
  const out = new Map<string, Record<string, string>[]>();
  for (const g of gates) {
    for (const e of g.episodes) {
      const from = (Date.parse(e.start) - T0) / 60_000;
      const to = (Date.parse(e.lastFiring) - T0) / 60_000;
      for (let k = from; k <= to; k++) {
        const key = `${k}/${ALERT[e.action]}`;
        const list = out.get(key) ?? [];
        list.push({ migration_id: ID, gate: g.gate, action: e.action === 'unknown' ? 'pause' : e.action, severity: SEVERITY[e.action], phase: e.phase });
        out.set(key, list);
      }
    }
  }
  return out;
}

/** A promtool test file asserting exactly `firing` at every step, over the given rules file. */
function promtoolTest(rulesFile: string, firing: Map<string, Record<string, string>[]>, fromK = 0): string {
  const alertTests = [];
  for (let k = fromK; k < N; k++) {
    for (const name of Object.values(ALERT)) {
      alertTests.push({ eval_time: `${k}m`, alertname: name, exp_alerts: (firing.get(`${k}/${name}`) ?? []).map((labels) => ({ exp_labels: labels })) });
    }
  }
  return stringify({
    rule_files: [rulesFile],
    evaluation_interval: '1m',
    group_eval_order: [`migobs-${ID}-recording`, `migobs-${ID}-alerts`],
    tests: [{ name: 'backtest agrees with Prometheus rule evaluation', interval: '1m', input_series: promtoolSeries(), alert_rule_test: alertTests }],
  }, { lineWidth: 0 });
}

const services = new Services();
let prom: Prometheus;
let dir: string;

beforeAll(async () => {
  dir = services.tempDir('history');
  const om = join(dir, 'history.om');
  writeFileSync(om, openMetrics());
  const dataDir = join(dir, 'prom');
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  const created = runTool('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, join(dataDir, 'data')], { timeoutMs: 120_000 });
  expect(created.code, created.stderr + created.stdout).toBe(0);
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, stringify({ global: { scrape_interval: '1m', evaluation_interval: '1m' }, scrape_configs: [] }));
  prom = await services.startPrometheusWithConfig(config, dataDir, 'prometheus-history');
  // The backfilled blocks are served (wait on it: block loading is not instant under load).
  const { waitFor } = await import('../helpers/services');
  await waitFor('backfilled history', async () => {
    const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('free_ratio')}&time=${at(100) / 1000}`);
    const body = (await r.json()) as { data?: { result?: unknown[] } };
    return body.data?.result?.length ? true : undefined;
  }, 90_000);
}, 180_000);
afterAll(() => services.stopAll());

describe('migobs backtest on a real Prometheus', () => {
  let gates: JsonGate[];
  let rulesFile: string;

  beforeAll(async () => {
    const r = await migobsAsync(['backtest', FIXTURE, '--prometheus-url', prom.url, '--from', iso(at(0)), '--to', iso(at(N - 1)), '--step', '1m', '--json']);
    expect(r.code, r.stderr).toBe(0);
    gates = (JSON.parse(r.stdout) as { gates: JsonGate[] }).gates;
    const out = join(dir, 'generated');
    const gen = await migobsAsync(['generate', FIXTURE, '--out-dir', out]);
    expect(gen.code, gen.stderr).toBe(0);
    // Annotations do not change when an alert fires; without them the expectations are labels only.
    const rules = parse(readFileSync(join(out, FILES.rules(ID)), 'utf8')) as { groups: { rules: { alert?: string; annotations?: unknown }[] }[] };
    for (const g of rules.groups) for (const r of g.rules) delete r.annotations;
    rulesFile = join(dir, 'rules-no-annotations.yaml');
    writeFileSync(rulesFile, stringify(rules, { lineWidth: 0 }));
  }, 120_000);

  it('finds the episodes the history was built to contain', () => {
    const lag = gates.find((g) => g.gate === 'lag')!;
    const brief = lag.episodes.map((e) => `${e.action} ${e.phase} ${(Date.parse(e.start) - T0) / 60_000}-${e.end === null ? 'open' : (Date.parse(e.end) - T0) / 60_000}${e.peak === null ? '' : ` peak ${e.peak}`}`);
    expect(brief).toEqual([
      'pause canary 23-30 peak 20', // 10..12 never fired: 3 steps < for 3m; 30..39 exactly at 10: green
      'rollback canary 42-55 peak 70', // lookback keeps 70 until the samples are 5m old
      'pause canary 43-55 peak 70',
      'unknown canary 58-60', // no value from 55; the phase switch at 60 resolves it ...
      'unknown full 63-65', // ... and the full-phase alert starts its own `for`
      'rollback full 102-111 peak 61',
      'pause full 103-111 peak 61',
      'unknown full 123-126', // NaN is unknown, not green
      // +Inf on the above gate's bad side is a value past every threshold: rollback (for 2m) and
      // pause (for 3m), in the generated alerts and in backtest, which replays them.
      'rollback full 132-134 peak +Inf',
      'pause full 133-134 peak +Inf',
    ]);
    const free = gates.find((g) => g.gate === 'free')!;
    expect(free.episodes.map((e) => `${e.action} ${(Date.parse(e.start) - T0) / 60_000}-${e.end === null ? 'open' : (Date.parse(e.end) - T0) / 60_000}`)).toEqual(['pause 72-81', 'rollback 142-150', 'pause 142-150']);
    expect(gates.find((g) => g.gate === 'quiet')!.episodes).toEqual([]); // its phase never came
    // Time in each state adds up to the range.
    for (const g of gates) expect(Object.values(g.seconds).reduce((a, b) => a + b, 0)).toBe(N * STEP_S);
  });

  it('agrees with Prometheus evaluating the generated rules at every step (promtool test rules)', async () => {
    const firing = firingFromEpisodes(gates);
    const testFile = join(dir, 'agreement.test.yaml');
    writeFileSync(testFile, promtoolTest(rulesFile, firing));
    const ok = runTool('promtool', ['test', 'rules', testFile], { timeoutMs: 120_000 });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);

    // The comparison can fail: one step less of one episode is caught.
    const key = [...firing.keys()].find((k) => k.startsWith('24/'))!;
    const mutated = new Map(firing);
    mutated.delete(key);
    writeFileSync(testFile, promtoolTest(rulesFile, mutated));
    const bad = runTool('promtool', ['test', 'rules', testFile], { timeoutMs: 120_000 });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/alertname: MigrationGatePause, time: 24m,/);
  });

  it('a range starting inside episodes: the warm-up makes every step from --from agree with Prometheus', async () => {
    // From step 25 the lag pause alert (pending since 20, firing since 23) is already firing.
    const r = await migobsAsync(['backtest', FIXTURE, '--prometheus-url', prom.url, '--from', iso(at(25)), '--to', iso(at(N - 1)), '--step', '1m', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { steps: number; warmUpSeconds: number; gates: JsonGate[] };
    expect(report).toMatchObject({ steps: N - 25, warmUpSeconds: 180 });
    const lag = report.gates.find((g) => g.gate === 'lag')!;
    expect(Date.parse(lag.episodes[0]!.start)).toBeLessThanOrEqual(at(25));
    const testFile = join(dir, 'agreement-from-25.test.yaml');
    writeFileSync(testFile, promtoolTest(rulesFile, firingFromEpisodes(report.gates), 25));
    const ok = runTool('promtool', ['test', 'rules', testFile], { timeoutMs: 120_000 });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  });

  it('--phase replays the gates of one phase as if the migration had been in it throughout', async () => {
    const r = await migobsAsync(['backtest', FIXTURE, '--prometheus-url', prom.url, '--from', iso(at(0)), '--to', iso(at(N - 1)), '--step', '1m', '--phase', 'full']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/as if in phase full throughout \(--phase\)/);
    expect(r.stdout).toMatch(/^lag \(above; pause > 10 for 3m, rollback > 60 for 2m; phases canary, full\)$/m);
    expect(r.stdout).toMatch(/^ {2}pause +full {2}\S+ -> \S+ {2}\(7m; pending from \S+, peak 20\)$/m);
    expect(r.stdout).not.toMatch(/^quiet/m); // not a gate of phase full
  });

  it('a range with no data: exit 1, clear message', async () => {
    const r = await migobsAsync(['backtest', FIXTURE, '--prometheus-url', prom.url, '--from', iso(T0 - 5 * 3600_000), '--to', iso(T0 - 4 * 3600_000), '--step', '1m']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/backtest: no migration_phase of hist-unit equal to 1 from .* use --phase P/);
    const p = await migobsAsync(['backtest', FIXTURE, '--prometheus-url', prom.url, '--from', iso(T0 - 5 * 3600_000), '--to', iso(T0 - 4 * 3600_000), '--step', '1m', '--phase', 'full']);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/backtest: no gate of hist-unit has data from .*: every gate would be unknown \(= pause\) the whole time/);
    expect(p.stdout).toBe('');
  });
});

describe('migobs baseline on a real Prometheus', () => {
  // Steps 0..39: lag 5, 15, 5, 20, 10 (never past rollback); free 0.5; quiet never scraped.
  const args = () => ['baseline', FIXTURE, '--prometheus-url', prom.url, '--end', iso(at(39)), '--window', '39m', '--step', '1m'];

  it('prints Prometheus\' own percentiles, the shares, a suggestion and the gate without data', async () => {
    const r = await migobsAsync([...args(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { steps: number; gates: { gate: string; verdict: string; stats: Record<string, number> | null; share: Record<string, number>; suggestion: { pause: number; rollback: number } | null }[] };
    expect(report.steps).toBe(40);
    const lag = report.gates.find((g) => g.gate === 'lag')!;
    // The same statistics from Prometheus itself, over the same 40 steps.
    const expr = 'max(replica_lag_seconds{job="db"}) >= -Inf';
    for (const [name, q] of [['p50', 'quantile_over_time(0.5'], ['p95', 'quantile_over_time(0.95'], ['p99', 'quantile_over_time(0.99'], ['max', 'max_over_time(']] as const) {
      const query = q.startsWith('max') ? `${q}(${expr})[40m:1m])` : `${q}, (${expr})[40m:1m])`;
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}&time=${at(39) / 1000}`);
      const value = Number(((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]!.value[1]);
      expect(lag.stats![name], name).toBeCloseTo(value, 9);
    }
    expect(lag.share.pause).toBeCloseTo(13 / 40, 9); // 15 x3, 20 x10; 10 is not past 10
    expect(lag.share.rollback).toBe(0);
    expect(lag.verdict).toBe('crosses');
    expect(lag.suggestion).toEqual({ pause: 24, rollback: 60, method: expect.stringMatching(/^pause = p99 \+ 20 %/) });
    expect(report.gates.find((g) => g.gate === 'free')!.verdict).toBe('ok');
    const quiet = report.gates.find((g) => g.gate === 'quiet')!;
    expect(quiet).toMatchObject({ verdict: 'no-data', stats: null });
    expect(quiet.share.unknown).toBe(1);
    expect(r.stderr).toMatch(/gate quiet: no data in the window: during the migration this gate would be unknown \(= pause\)/);
  });

  it('--write changes only the threshold line, with a comment, and round-trips', async () => {
    const file = join(dir, 'def.yaml');
    const before = readFileSync(FIXTURE, 'utf8');
    writeFileSync(file, before);
    const r = await migobsAsync([...args().map((a) => (a === FIXTURE ? file : a)), '--write']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}SUGGEST pause 10 -> 24, rollback 60: pause = p99 \+ 20 %/m);
    expect(r.stdout).toMatch(/wrote .*def\.yaml: lag pause 24/);
    expect(r.stdout).toMatch(/^caveat: the window \(39m\) is shorter than a week/m);
    expect(r.stdout).toMatch(/^ {2}NO DATA: no data in the window: during the migration this gate would be unknown \(= pause\)$/m);
    const after = readFileSync(file, 'utf8');
    const a = before.split('\n');
    const b = after.split('\n');
    expect(b.length).toBe(a.length + 1);
    const i = a.findIndex((l) => l.startsWith('      pause: 10 '));
    expect(b.slice(0, i)).toEqual(a.slice(0, i));
    expect(b[i]).toBe(`      # migobs baseline ${iso(at(39)).slice(0, 10)}: 39m window to ${iso(at(39))}, step 1m: pause = p99 20 + 20 % (was 10)`);
    expect(b[i + 1]).toBe('      pause: 24          # preset value');
    expect(b.slice(i + 2)).toEqual(a.slice(i + 1));
    const valid = await migobsAsync(['validate', file]);
    expect(valid.code, valid.stderr).toBe(0);
    // A second run sees no crossing (24 is clear of p99 20) and leaves the file as it is.
    const again = await migobsAsync([...args().map((x) => (x === FIXTURE ? file : x)), '--write']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/def\.yaml unchanged: no threshold to change/);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('a window with no data: exit 1, nothing written', async () => {
    const file = join(dir, 'def-nodata.yaml');
    writeFileSync(file, readFileSync(FIXTURE, 'utf8'));
    const r = await migobsAsync(['baseline', file, '--prometheus-url', prom.url, '--end', iso(T0 - 3600_000), '--window', '1h', '--write']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/baseline: no gate of hist-unit has data from .* \(1h\): nothing to learn from/);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(FIXTURE, 'utf8'));
  });
});
