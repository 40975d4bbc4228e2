/**
 * A tiny instant-query evaluator for the PromQL subset of promql-ast.ts, over series sampled on
 * a fixed grid (like promtool's input_series). It mirrors Prometheus 2.x float semantics closely
 * enough (extrapolatedRate, bucketQuantile, one-to-one matching, lookback) to tell, in float64,
 * what promtool will compute; the synthesizer uses it to check every input it builds. It is a
 * checker for generated test data, not a query engine: anything unusual throws `Unsupported`.
 */
import { matcherAccepts } from '../../promql/matchers';
import { Unsupported, type Ast, type BinOp, type Matcher } from './promql-ast';

export type Labels = Record<string, string>;

export interface Series {
  labels: Labels; // includes __name__
  /** Sample at step i (time i * step), or undefined for no sample. */
  samples: Array<number | undefined>;
}

export interface Db {
  stepSeconds: number;
  series: Series[];
}

export interface Sample {
  labels: Labels;
  value: number;
}

type Value = { k: 'scalar'; v: number } | { k: 'vector'; v: Sample[] };

const LOOKBACK_SECONDS = 300;

export function matches(labels: Labels, ms: Matcher[]): boolean {
  return ms.every((m) => matcherAccepts(m, labels[m.name] ?? ''));
}

/**
 * Identity of a label set, for grouping and matching: the names in order, each with its value's
 * length before the value, so no two label sets share a key whatever their values hold. Hot: it runs
 * for every sample of every binary operation and aggregation at every step the synthesis evaluates.
 */
export function labelKey(l: Labels): string {
  const names = sortedNames(l);
  let key = '';
  for (let i = 0; i < names.length; i++) key += keyPart(names[i]!, l[names[i]!]!);
  return key;
}

/** One label of a labelKey or a matching signature: its name, its value's length, its value. */
const keyPart = (name: string, value: string): string => `${name}\u0000${value.length}\u0000${value}`;

/*
 * The evaluator's hot loops are indexed, not for-of, and sort without Array#sort: `migobs` runs
 * without V8's optimizing compiler (src/cli/jit.ts), and unoptimised, a for-of allocates an
 * iterator and a result object per element and Array#sort a work copy: about a fifth of what a
 * migration's synthesis allocated.
 */

/** A label set's names in code-unit order (Array#sort's order for strings), by insertion sort: label sets are small. */
function sortedNames(l: Labels): string[] {
  const names = Object.keys(l);
  for (let i = 1; i < names.length; i++) {
    const n = names[i]!;
    let j = i - 1;
    while (j >= 0 && names[j]! > n) {
      names[j + 1] = names[j]!;
      j--;
    }
    names[j + 1] = n;
  }
  return names;
}

/** The order a selector returns its series in (that of the JSON key it always used: same outputs). */
const labelOrderKey = (l: Labels): string => JSON.stringify(sortedNames(l).map((k) => [k, l[k]]));

/**
 * Labels without the metric name: the same object when there is none. Label objects are never
 * changed once made (a caller that takes labels away copies: withoutLabels).
 */
const dropName = (l: Labels): Labels => (l.__name__ === undefined ? l : withoutLabels(l, NAME_ONLY));
const NAME_ONLY: readonly string[] = ['__name__'];

/** A copy of `l` without the labels in `drop` (in `l`'s order). */
function withoutLabels(l: Labels, drop: readonly string[]): Labels {
  const out: Labels = {};
  for (const k in l) if (!drop.includes(k)) out[k] = l[k]!;
  return out;
}

/** Evaluate an instant vector or scalar expression at step `i`. */
export function evaluate(ast: Ast, db: Db, i: number): Value {
  const t = i * db.stepSeconds;
  switch (ast.k) {
    case 'num':
      return { k: 'scalar', v: ast.v };
    case 'sel': {
      if (ast.range !== undefined) throw new Unsupported('range vector outside a function');
      const out: Sample[] = [];
      const selected = select(db, ast);
      for (let k = 0; k < selected.length; k++) {
        const s = selected[k]!;
        for (let j = i; j >= 0 && (i - j) * db.stepSeconds <= LOOKBACK_SECONDS; j--) {
          const v = s.samples[j];
          if (v !== undefined) {
            out.push({ labels: s.labels, value: v });
            break;
          }
        }
      }
      return vec(out);
    }
    case 'neg': {
      const a = evaluate(ast.arg, db, i);
      return a.k === 'scalar' ? { k: 'scalar', v: -a.v } : vec(a.v.map((s) => ({ labels: dropName(s.labels), value: -s.value })));
    }
    case 'agg':
      return aggregate(ast, vector(evaluate(ast.arg, db, i)));
    case 'call':
      return call(ast, db, i, t);
    case 'bin':
      return binary(ast, evaluate(ast.l, db, i), evaluate(ast.r, db, i));
  }
}

const vec = (v: Sample[]): Value => ({ k: 'vector', v });
function vector(v: Value): Sample[] {
  if (v.k !== 'vector') throw new Unsupported('expected an instant vector');
  return v.v;
}
function scalar(v: Value): number {
  if (v.k !== 'scalar') throw new Unsupported('expected a number');
  return v.v;
}

/**
 * The series a selector reads, in label order: the same at every step, so kept per series list
 * (a Db's series are never changed once built) and selector (parseAst caches the nodes).
 */
const selectCache = new WeakMap<Series[], WeakMap<Ast, Series[]>>();
function select(db: Db, sel: Ast & { k: 'sel' }): Series[] {
  let bySel = selectCache.get(db.series);
  if (!bySel) selectCache.set(db.series, (bySel = new WeakMap()));
  let out = bySel.get(sel);
  if (!out) {
    const matched = db.series.filter((s) => s.labels.__name__ === sel.metric && matches(s.labels, sel.matchers));
    // One series (most selectors of a case) needs no order.
    out = matched.length < 2 ? matched : matched.map((s) => ({ s, key: labelOrderKey(s.labels) })).sort((a, b) => (a.key < b.key ? -1 : 1)).map((x) => x.s);
    bySel.set(sel, out);
  }
  return out;
}

/** One output series of an aggregation, its value folded in as each sample comes (the order Prometheus 2.x adds them in). */
interface AggGroup {
  labels: Labels;
  value: number;
  count: number;
}

function aggregate(ast: Ast & { k: 'agg' }, input: Sample[]): Value {
  const op = ast.op;
  if (input.length && !AGGREGATIONS.has(op)) throw new Unsupported(`aggregation ${op}`);
  const by = ast.without ? undefined : (ast.by ?? []);
  // No grouping labels (max(X), sum(...)): every sample is in the one group; no key, no map.
  if (by && by.length === 0) {
    if (input.length === 0) return vec([]);
    const g: AggGroup = { labels: {}, value: 0, count: 0 };
    for (let k = 0; k < input.length; k++) fold(op, g, input[k]!.value);
    return vec([{ labels: g.labels, value: g.value }]);
  }
  const dropped = ast.without ? ['__name__', ...ast.without] : undefined;
  const groups = new Map<string, AggGroup>();
  const order: AggGroup[] = [];
  for (let k = 0; k < input.length; k++) {
    const s = input[k]!;
    let labels: Labels;
    if (by) {
      labels = {};
      for (let b = 0; b < by.length; b++) {
        const v = s.labels[by[b]!];
        if (v !== undefined && v !== '') labels[by[b]!] = v;
      }
    } else labels = withoutLabels(s.labels, dropped!);
    const key = labelKey(labels);
    let g = groups.get(key);
    if (!g) {
      g = { labels, value: 0, count: 0 };
      groups.set(key, g);
      order.push(g);
    }
    fold(op, g, s.value);
  }
  const out: Sample[] = [];
  for (let k = 0; k < order.length; k++) out.push({ labels: order[k]!.labels, value: order[k]!.value });
  return vec(out);
}

/** Add one sample's value to a group, as Prometheus 2.x does (avg: an incremental mean from 0). */
function fold(op: string, g: AggGroup, v: number): void {
  const a = g.value;
  g.count++;
  if (g.count === 1) {
    g.value = op === 'count' ? 1 : op === 'avg' ? a + (v / 1 - a / 1) : v;
    return;
  }
  if (op === 'sum') g.value = a + v;
  else if (op === 'max') g.value = v > a || Number.isNaN(a) ? v : a;
  else if (op === 'min') g.value = v < a || Number.isNaN(a) ? v : a;
  else if (op === 'avg') g.value = a + (v / g.count - a / g.count);
  else g.value = g.count;
}
const AGGREGATIONS = new Set(['sum', 'max', 'min', 'avg', 'count']);

/**
 * The steps of each selected series inside the range window ending at step `i`: samples at steps
 * `lo` to `hi` (inclusive; undefined ones are no sample). Indexes, not copied points: rate() and
 * friends run for every series at every step the synthesis evaluates.
 */
function rangeWindows(db: Db, sel: Ast, i: number): Array<{ series: Series; lo: number; hi: number }> {
  if (sel.k !== 'sel' || sel.range === undefined) throw new Unsupported('expected a range selector');
  const from = i * db.stepSeconds - sel.range;
  const selected = select(db, sel);
  const out: Array<{ series: Series; lo: number; hi: number }> = [];
  for (let k = 0; k < selected.length; k++) {
    const series = selected[k]!;
    // Prometheus 2.x range selection includes both ends. Samples sit at j * step, so the window
    // is the steps from i back to the first one before `from` (the same test, on fewer samples).
    const hi = Math.min(i, series.samples.length - 1);
    let first = hi;
    while (first >= 0 && first * db.stepSeconds >= from) first--;
    out.push({ series, lo: first + 1, hi });
  }
  return out;
}

/** Prometheus 2.x extrapolatedRate (rate, increase, delta) of the samples at steps lo..hi. */
function extrapolatedRate(samples: Array<number | undefined>, lo: number, hi: number, stepSeconds: number, rangeStart: number, rangeEnd: number, rangeSeconds: number, isCounter: boolean, isRate: boolean): number | undefined {
  let firstStep = -1;
  let lastStep = -1;
  let count = 0;
  for (let j = lo; j <= hi; j++) {
    if (samples[j] === undefined) continue;
    if (firstStep < 0) firstStep = j;
    lastStep = j;
    count++;
  }
  if (count < 2) return undefined;
  const firstValue = samples[firstStep]!;
  let result = samples[lastStep]! - firstValue;
  if (isCounter) {
    // Counter resets, added one by one in sample order (as Prometheus does: the same float sum).
    let lastValue = 0;
    for (let j = lo; j <= hi; j++) {
      const v = samples[j];
      if (v === undefined) continue;
      if (v < lastValue) result += lastValue;
      lastValue = v;
    }
  }
  const firstT = firstStep * stepSeconds;
  const lastT = lastStep * stepSeconds;
  let durationToStart = firstT - rangeStart;
  const durationToEnd = rangeEnd - lastT;
  const sampledInterval = lastT - firstT;
  const averageDurationBetweenSamples = sampledInterval / (count - 1);
  if (isCounter && result > 0 && firstValue >= 0) {
    const durationToZero = sampledInterval * (firstValue / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  // Same operation order as Prometheus (the factor first), so the float64 result is identical.
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= rangeSeconds;
  return result * factor;
}

function call(ast: Ast & { k: 'call' }, db: Db, i: number, t: number): Value {
  const arg = (n: number): Value => evaluate(ast.args[n]!, db, i);
  const mapVec = (f: (v: number) => number): Value => vec(vector(arg(0)).map((s) => ({ labels: dropName(s.labels), value: f(s.value) })));
  switch (ast.fn) {
    case 'rate':
    case 'increase':
    case 'delta': {
      const sel = ast.args[0]!;
      const out: Sample[] = [];
      const ranges = rangeWindows(db, sel, i);
      const range = (sel as { range: number }).range;
      for (let k = 0; k < ranges.length; k++) {
        const { series, lo, hi } = ranges[k]!;
        const v = extrapolatedRate(series.samples, lo, hi, db.stepSeconds, t - range, t, range, ast.fn !== 'delta', ast.fn === 'rate');
        if (v !== undefined) out.push({ labels: dropName(series.labels), value: v });
      }
      return vec(out);
    }
    case 'irate': {
      const out: Sample[] = [];
      for (const { series, lo, hi } of rangeWindows(db, ast.args[0]!, i)) {
        // The last two samples of the window.
        let b = hi;
        while (b >= lo && series.samples[b] === undefined) b--;
        let a = b - 1;
        while (a >= lo && series.samples[a] === undefined) a--;
        if (a < lo) continue;
        const av = series.samples[a]!;
        const bv = series.samples[b]!;
        const diff = bv < av ? bv : bv - av;
        out.push({ labels: dropName(series.labels), value: diff / (b * db.stepSeconds - a * db.stepSeconds) });
      }
      return vec(out);
    }
    case 'present_over_time':
    case 'last_over_time':
    case 'max_over_time':
    case 'min_over_time':
    case 'count_over_time': {
      const out: Sample[] = [];
      for (const { series, lo, hi } of rangeWindows(db, ast.args[0]!, i)) {
        const vs: number[] = [];
        for (let j = lo; j <= hi; j++) {
          const v = series.samples[j];
          if (v !== undefined) vs.push(v);
        }
        if (vs.length === 0) continue;
        const value =
          ast.fn === 'present_over_time' ? 1
          : ast.fn === 'last_over_time' ? vs[vs.length - 1]!
          : ast.fn === 'count_over_time' ? vs.length
          : vs.reduce((a, b) => (ast.fn === 'max_over_time' ? (b > a || Number.isNaN(a) ? b : a) : b < a || Number.isNaN(a) ? b : a));
        // Prometheus keeps the metric name for last_over_time only (it acts like an offset).
        out.push({ labels: ast.fn === 'last_over_time' ? series.labels : dropName(series.labels), value });
      }
      return vec(out);
    }
    case 'absent': {
      if (vector(arg(0)).length > 0) return vec([]);
      // Prometheus: labels from the selector's equality matchers on names matched only once.
      const sel = ast.args[0]!;
      const labels: Labels = {};
      if (sel.k === 'sel') {
        for (const m of sel.matchers) {
          if (m.op === '=' && sel.matchers.filter((x) => x.name === m.name).length === 1) labels[m.name] = m.value;
        }
      }
      return vec([{ labels, value: 1 }]);
    }
    case 'time':
      return { k: 'scalar', v: t };
    case 'vector':
      return vec([{ labels: {}, value: scalar(arg(0)) }]);
    case 'abs':
      return mapVec(Math.abs);
    case 'clamp': {
      // Prometheus: math.Max(min, math.Min(max, v)) (NaN stays NaN); nothing when max < min.
      const min = scalar(arg(1));
      const max = scalar(arg(2));
      if (max < min) return vec([]);
      return mapVec((v) => Math.max(min, Math.min(max, v)));
    }
    case 'clamp_min': {
      const min = scalar(arg(1));
      return mapVec((v) => Math.max(v, min));
    }
    case 'clamp_max': {
      const max = scalar(arg(1));
      return mapVec((v) => Math.min(v, max));
    }
    case 'histogram_quantile':
      return histogramQuantile(scalar(arg(0)), vector(arg(1)));
    default:
      throw new Unsupported(`function ${ast.fn}`);
  }
}

const NAME_AND_LE: readonly string[] = ['__name__', 'le'];
function histogramQuantile(q: number, input: Sample[]): Value {
  const groups = new Map<string, { labels: Labels; buckets: Array<{ upper: number; count: number }> }>();
  for (const s of input) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const labels = withoutLabels(s.labels, NAME_AND_LE);
    const key = labelKey(labels);
    const g = groups.get(key) ?? { labels, buckets: [] };
    g.buckets.push({ upper: Number(le.replace(/^\+?Inf$/i, 'Infinity')), count: s.value });
    groups.set(key, g);
  }
  return vec([...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) })));
}

/** Prometheus 2.x bucketQuantile (classic histograms). */
function bucketQuantile(q: number, input: Array<{ upper: number; count: number }>): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const buckets = [...input].sort((a, b) => a.upper - b.upper);
  if (buckets[buckets.length - 1]!.upper !== Infinity) return NaN;
  // coalesce equal bounds
  const merged: typeof buckets = [];
  for (const b of buckets) {
    const prev = merged[merged.length - 1];
    if (prev && prev.upper === b.upper) prev.count += b.count;
    else merged.push({ ...b });
  }
  let max = -Infinity;
  for (const b of merged) {
    if (b.count > max) max = b.count;
    else b.count = max;
  }
  if (merged.length < 2) return NaN;
  const observations = merged[merged.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = merged.length - 1;
  for (let j = 0; j < merged.length - 1; j++) {
    if (merged[j]!.count >= rank) {
      b = j;
      break;
    }
  }
  if (b === merged.length - 1) return merged[merged.length - 2]!.upper;
  if (b === 0 && merged[0]!.upper <= 0) return merged[0]!.upper;
  let start = 0;
  const end = merged[b]!.upper;
  let count = merged[b]!.count;
  if (b > 0) {
    start = merged[b - 1]!.upper;
    count -= merged[b - 1]!.count;
    rank -= merged[b - 1]!.count;
  }
  return start + (end - start) * (rank / count);
}

const ARITH: Partial<Record<BinOp, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '^': (a, b) => a ** b,
};
const CMP: Partial<Record<BinOp, (a: number, b: number) => boolean>> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '<': (a, b) => a < b,
  '>=': (a, b) => a >= b,
  '<=': (a, b) => a <= b,
};

/**
 * The label set a binary operation matches samples on (labelKey of the labels in `on`, or of all
 * but the name and those in `ignoring`), built straight from the sample's labels.
 */
function signature(ast: Ast & { k: 'bin' }, l: Labels): string {
  let key = '';
  if (ast.on) {
    const names = sortedOn(ast.on);
    for (let k = 0; k < names.length; k++) {
      const v = l[names[k]!];
      if (v !== undefined && v !== '') key += keyPart(names[k]!, v);
    }
    return key;
  }
  const names = sortedNames(l);
  for (let k = 0; k < names.length; k++) {
    const n = names[k]!;
    if (n === '__name__' || ast.ignoring?.includes(n)) continue;
    key += keyPart(n, l[n]!);
  }
  return key;
}
/** An `on (...)` list in labelKey's name order, sorted once per node. */
const sortedOnCache = new WeakMap<readonly string[], string[]>();
function sortedOn(on: readonly string[]): string[] {
  let sorted = sortedOnCache.get(on);
  if (!sorted) sortedOnCache.set(on, (sorted = [...new Set(on)].sort()));
  return sorted;
}

/** Samples grouped by their matching signature, the signatures in order of first appearance. */
function bySignature(ast: Ast & { k: 'bin' }, samples: Sample[]): { groups: Map<string, Sample[]>; order: string[] } {
  const groups = new Map<string, Sample[]>();
  const order: string[] = [];
  for (let k = 0; k < samples.length; k++) {
    const s = samples[k]!;
    const sig = signature(ast, s.labels);
    const same = groups.get(sig);
    if (same) same.push(s);
    else {
      groups.set(sig, [s]);
      order.push(sig);
    }
  }
  return { groups, order };
}

function binary(ast: Ast & { k: 'bin' }, l: Value, r: Value): Value {
  const op = ast.op;
  if (op === 'and' || op === 'or' || op === 'unless') {
    const lv = vector(l);
    const rv = vector(r);
    const rightSigs = new Set(rv.map((s) => signature(ast, s.labels)));
    if (op === 'and') return vec(lv.filter((s) => rightSigs.has(signature(ast, s.labels))));
    if (op === 'unless') return vec(lv.filter((s) => !rightSigs.has(signature(ast, s.labels))));
    const leftSigs = new Set(lv.map((s) => signature(ast, s.labels)));
    return vec([...lv, ...rv.filter((s) => !leftSigs.has(signature(ast, s.labels)))]);
  }
  const arith = ARITH[op];
  const cmp = CMP[op];
  if (!arith && !cmp) throw new Unsupported(`operator ${op}`);
  const apply = (a: number, b: number): number | undefined => {
    if (arith) return arith(a, b);
    const yes = cmp!(a, b);
    if (ast.bool) return yes ? 1 : 0;
    return yes ? a : undefined;
  };
  if (l.k === 'scalar' && r.k === 'scalar') {
    const v = apply(l.v, r.v);
    return { k: 'scalar', v: v ?? NaN };
  }
  // Arithmetic and `bool` drop the metric name; a comparison filter keeps the sample.
  const keepName = !arith && !ast.bool;
  // Vector and scalar: a filter keeps the vector's value, on whichever side the scalar is.
  const withScalar = (samples: Sample[], applyTo: (value: number) => number | undefined): Value => {
    const out: Sample[] = [];
    for (let k = 0; k < samples.length; k++) {
      const s = samples[k]!;
      const v = applyTo(s.value);
      if (v !== undefined) out.push({ labels: keepName ? s.labels : dropName(s.labels), value: keepName ? s.value : v });
    }
    return vec(out);
  };
  if (l.k === 'vector' && r.k === 'scalar') return withScalar(l.v, (v) => apply(v, r.v));
  if (l.k === 'scalar' && r.k === 'vector') return withScalar(r.v, (v) => apply(l.v, v));
  const lv = vector(l);
  const rv = vector(r);
  const out: Sample[] = [];
  // One sample a side (a ratio of two sums): they match or they do not; no grouping needed.
  if (lv.length === 1 && rv.length === 1) {
    const a = lv[0]!;
    const b = rv[0]!;
    if (signature(ast, a.labels) !== signature(ast, b.labels)) return vec(out);
    const v = apply(a.value, b.value);
    if (v !== undefined) out.push({ labels: ast.group === 'right' ? resultLabels(ast, b.labels, a.labels, keepName) : resultLabels(ast, a.labels, b.labels, keepName), value: keepName ? a.value : v });
    return vec(out);
  }
  const seen = new Set<string>();
  const rightBySig = bySignature(ast, rv);
  const leftBySig = bySignature(ast, lv);
  for (let k = 0; k < leftBySig.order.length; k++) {
    const sig = leftBySig.order[k]!;
    const lefts = leftBySig.groups.get(sig)!;
    const rights = rightBySig.groups.get(sig);
    if (!rights) continue;
    if (rights.length > 1 && ast.group !== 'right') throw new Unsupported('many-to-many matching');
    if (lefts.length > 1 && ast.group !== 'left') throw new Unsupported('many-to-many matching');
    for (let x = 0; x < lefts.length; x++) {
      const a = lefts[x]!;
      for (let y = 0; y < rights.length; y++) {
        const b = rights[y]!;
        const v = apply(a.value, b.value);
        if (v === undefined) continue;
        const labels = ast.group === 'right' ? resultLabels(ast, b.labels, a.labels, keepName) : resultLabels(ast, a.labels, b.labels, keepName);
        const key = labelKey(labels);
        if (seen.has(key)) throw new Unsupported('a binary operation gives two series the same labels (many-to-one matching without group_left/group_right)');
        seen.add(key);
        out.push({ labels, value: keepName ? a.value : v });
      }
    }
  }
  return vec(out);
}

/**
 * A matched pair's labels, as Prometheus 2.x's resultMetric makes them: the "many" side's (the
 * left one for one-to-one), without the metric name after arithmetic or `bool`; one-to-one keeps
 * only the `on` labels or drops the `ignoring` ones; group_x (...) labels come from the "one" side.
 */
function resultLabels(ast: Ast & { k: 'bin' }, many: Labels, one: Labels, keepName: boolean): Labels {
  let out: Labels;
  if (!ast.group && ast.on) {
    out = {};
    for (const n of ast.on) if (many[n] !== undefined && many[n] !== '') out[n] = many[n]!;
    return out;
  }
  const ignoring = ast.group ? [] : (ast.ignoring ?? []);
  if (ignoring.length) out = withoutLabels(many, keepName ? ignoring : ['__name__', ...ignoring]);
  else out = keepName ? many : dropName(many);
  if (ast.include) {
    out = out === many ? { ...many } : out;
    for (const n of ast.include) {
      const v = one[n];
      if (v !== undefined && v !== '') out[n] = v;
      else delete out[n];
    }
  }
  return out;
}
