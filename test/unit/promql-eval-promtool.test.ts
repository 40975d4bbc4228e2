/**
 * The in-house evaluator against promtool itself: random counters with gaps and resets, through
 * the range functions (rate, increase, delta, irate, *_over_time: windows empty, partial and full),
 * aggregations (by, without, every operator the evaluator knows) and vector matching (on,
 * ignoring). The evaluator's values become the expectations of a promtool test file, so promtool
 * fails the test wherever the two disagree (extrapolation, counter resets, the window's ends, the
 * order of a float sum, matching). The synthesizer trusts these values for every case it builds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAst } from '../../src/generate/rules/promql-ast';
import { evaluate, type Db, type Series } from '../../src/generate/rules/promql-eval';
import { inputSeries, sampleLabels } from '../../src/generate/rules/tests';
import { toYaml } from '../../src/render/serialize';
import { runTool } from '../helpers/tools';

const STEP_SECONDS = 60;
const LENGTH = 31;

/** A small deterministic PRNG (mulberry32), so a failure can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counters that rise by random amounts, miss some scrapes and sometimes reset to a small value. */
function counters(seed: number, count: number): Series[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, (_, k) => {
    let v = Math.floor(rnd() * 1000);
    const samples: Array<number | undefined> = [];
    for (let i = 0; i < LENGTH; i++) {
      const r = rnd();
      if (r < 0.06) v = Math.floor(rnd() * 5); // reset
      else v += Math.floor(rnd() * 50) + (rnd() < 0.3 ? 0.25 : 0);
      // A gap now and then; series 0 keeps every sample, series 3 is sparse.
      const gap = k === 0 ? 0 : k === 3 ? 0.5 : 0.15;
      samples.push(rnd() < gap ? undefined : v);
    }
    return { labels: { __name__: 'c', s: String(k), g: k % 2 ? 'odd' : 'even' }, samples };
  });
}

// promtool loads a test's series in no fixed order (a Go map), and float sums depend on the order:
// aggregations that add read values that add exactly (the counters are whole or quarter numbers);
// the others are free of it (max, min, count, one series per group).
const EXPRESSIONS = [
  // range functions
  'rate(c[5m])', 'rate(c[2m])', 'increase(c[3m])', 'increase(c[10m])', 'delta(c[4m])', 'irate(c[5m])',
  'max_over_time(c[4m])', 'min_over_time(c[4m])', 'count_over_time(c[3m])', 'last_over_time(c[2m])', 'present_over_time(c[1m])',
  // aggregations
  'sum(c)', 'sum by (g) (c)', 'sum without (s) (c)', 'avg by (s) (rate(c[5m]))', 'max(rate(c[5m]))', 'min by (g) (increase(c[4m]))', 'count(c)', 'count without (s) (c)',
  // vector matching (the result's labels: on keeps its labels only, ignoring drops its own), filters, arithmetic
  'rate(c[5m]) / on (s) (c + 1)', 'c - ignoring (g) c', 'c > on (s, g) c - 10', 'c * on (s) group_left (g) max by (s) (c > bool 300)', 'sum by (g) (c) / on (g) group_right c',
  'sum(c) / on () count(c)', 'max(c) - min(c)', 'max(c) > bool min(c)',
  'c > 500', 'c > bool 500', 'clamp_min(rate(c[3m]), 0.5)', '-rate(c[4m]) * 2',
];
const STEPS = [0, 1, 2, 3, 5, 8, 13, 21, 30];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'migobs-eval-promtool-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the evaluator agrees with promtool', () => {
  it.each([1, 2, 3])('random counters, seed %i', (seed) => {
    const series = counters(seed, 4);
    const db: Db = { stepSeconds: STEP_SECONDS, series };
    const exprTests = EXPRESSIONS.flatMap((expr) =>
      STEPS.map((step) => {
        const v = evaluate(parseAst(expr), db, step);
        if (v.k !== 'vector') throw new Error(`${expr}: not a vector`);
        const samples = v.v.map((s) => {
          const { __name__: name, ...rest } = s.labels;
          return { labels: sampleLabels(name ?? '', rest), value: s.value };
        });
        return { expr, eval_time: `${step}m`, exp_samples: samples };
      }),
    );
    // The test must be able to fail: most checks expect samples, and the values are not all round.
    const withSamples = exprTests.filter((t) => t.exp_samples.length > 0);
    expect(withSamples.length).toBeGreaterThan(exprTests.length / 2);
    expect(withSamples.some((t) => t.exp_samples.some((s) => !Number.isInteger(s.value)))).toBe(true);
    const file = join(dir, `seed-${seed}.test.yaml`);
    writeFileSync(file, toYaml({ rule_files: [], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: series.map((s) => inputSeries(s, LENGTH)), promql_expr_test: exprTests }] }));
    const r = runTool('promtool', ['test', 'rules', file]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});
