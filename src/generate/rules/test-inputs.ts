/**
 * Signal test-input synthesizer: given a signal's PromQL and the value it should have at each
 * step, build input series (gauges, counters, histogram buckets) that make it evaluate to that
 * value. It inverts the expression top-down (aggregations pass a single series through, a ratio
 * gets a denominator K and a numerator v*K, rate() gets a counter with the right slope,
 * histogram_quantile gets a bucket at the value, ...) and tries a few candidate constructions.
 * Every candidate is checked with the float64 evaluator (promql-eval.ts); the first that passes
 * the caller's checks wins. A signal outside the understood subset throws `Unsupported`, and the
 * caller records which cases it could not build.
 */
import { parsePromql, metricNames } from '../../promql/parse';
import { Unsupported, parseAst, type Ast, type Matcher } from './promql-ast';
import { evaluate, labelKey, matches, type Db, type Labels, type Series } from './promql-eval';
import { promNumber } from './promql';
import { boundedCache } from '../../util/memo';
import { originalSeries } from './own-id';

export { Unsupported };

/** Target value per step; undefined = the signal must return nothing at that step. */
export type Timeline = Array<number | undefined>;

export interface Check {
  step: number;
  /** The gate value (the recording rule's value) at that step, or undefined when it has none. */
  accept: (value: number | undefined) => boolean;
}

/** What a gate reads: its signal, and the gate value built on it (src/promql/gate-value.ts). */
export interface GateInput {
  /** The resolved signal expression: inverted to build the inputs. */
  signal: string;
  /** The full gate value expression: what every candidate is checked against. */
  value: string;
  /** X of the gate value: the series that are counted and checked for NaN. */
  inner: string;
  /** The aggregation the gate value applies to X. */
  aggregation: 'max' | 'min';
  /** The gate's direction: which infinity is past every threshold (+Inf for above) and which is dropped. */
  direction: 'above' | 'below';
  /** Exactly this many series of X (the target's count), when the signal declares one per member. */
  expectedSeries?: number;
  /**
   * For a gate on the migration's own metrics that reads them only through `migration_id="<id>"`
   * matchers (own-id.ts renameKey): its expressions with that id made the same for every migration.
   * Gates with the same key share their rule-test cases (tests.ts gateCases) and compute the same
   * value on series renamed from one migration's id to the other's, so their values are remembered
   * by the series they were renamed from (own-id.ts originalSeries).
   */
  renameKey?: string;
}

/** Inputs for one case: the series, and how they split into members when there are several. */
export interface Synthesized {
  series: Series[];
  /**
   * Set when the inputs were copied once per member (expected series, or a NaN case): member i's
   * series carry `label` = `values[i]`; `spare` is one more value the same label may take, if any.
   */
  members?: { label: string; values: string[]; spare?: string };
}

const MAX_CANDIDATES = 5000;
const SCALES = [1, 60, 100, 1000, 3600, 10000, 1e6];

/**
 * Series that make the signal follow `targets` (its gate value, the worst series) and pass every
 * check on the full gate value. With `members` (at least 2, or the signal's expected series
 * count), every construction is copied once per member, the copies differing in one label that
 * keeps them apart in X. Throws Unsupported when no construction passes.
 */
export function synthesizeSignal(gate: GateInput, targets: Timeline, checks: Check[], stepSeconds: number, members = gate.expectedSeries ?? 1, opts: { spare?: boolean } = {}): Synthesized {
  const ast = parseAst(gate.signal);
  let tried = 0;
  const runEnd = targets.map(() => 0);
  for (let i = targets.length - 1; i >= 0; i--) runEnd[i] = i + 1 < targets.length && targets[i + 1] === targets[i] ? runEnd[i + 1]! : i;
  const ctx: Ctx = { stepSeconds, root: ast, fixed: [], reasons: [], runEnd };
  let lastReason = '';
  for (const base of invert(ast, targets, ctx)) {
    // With `spare`, one more member must be possible (the "one series too many" case).
    const copies = members > 1 || opts.spare ? [...replicas(ast, base, members)].filter((c) => !opts.spare || c.members?.spare !== undefined) : [{ series: base }];
    for (const candidate of copies) {
      if (++tried > MAX_CANDIDATES) break;
      const db: Db = { stepSeconds, series: candidate.series };
      try {
        if (checks.every((c) => c.accept(guardedValue(gate, db, c.step)))) return candidate;
        lastReason = members > 1 ? `the constructed inputs, copied for ${members} series, do not evaluate to the required values` : 'the constructed inputs do not evaluate to the required values';
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        lastReason = e.message;
      }
    }
    if (tried > MAX_CANDIDATES) break;
  }
  throw new Unsupported(lastReason || ctx.reasons[0] || 'no construction matched');
}

/** The gate value: the recording rule's expression evaluated over `db` (undefined = no sample). */
export function gateValue(valueAst: Ast, db: Db, step: number): number | undefined {
  const v = evaluate(valueAst, db, step);
  const values = v.k === 'scalar' ? [v.v] : v.v.map((s) => s.value);
  if (values.length > 1) throw new Unsupported('the gate value has more than one series');
  const value = values[0];
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

/**
 * The gate value computed from X evaluated once, with the guards applied here: what the full gate
 * value expression gives (`(max(X) + 0 * sum(clamp(X, -1, 1))) > -Inf and on () count(X) == N`), at half the
 * evaluator work. Synthesis and the alert simulation call it for every candidate and step; the
 * guard cases and test/unit/targets.test.ts check it against the expression itself.
 */
export function guardedValue(gate: GateInput, db: Db, step: number): number | undefined {
  // A third of the calls repeat one: settledAt, recoveredEarly and every group's simulation
  // evaluate the same series of a built case at the same steps again.
  if (!(Number.isInteger(step) && step >= 0 && step < MAX_STEPS)) return guardedValueUncached(gate, db, step);
  const memo = memoOf(gate, db);
  const key = seriesListId(memo, db.series) * MAX_STEPS + step;
  if (memo.values.has(key)) return memo.values.get(key);
  const value = guardedValueUncached(gate, db, step);
  memo.values.set(key, value);
  return value;
}

/**
 * The memo of a gate: by the GateInput object first, then by what guardedValueUncached reads of it
 * (valuesByGate), so gates of other migrations with the same value expression share one: a bulk
 * run builds the cases of such a gate once (tests.ts casesBuilt) and every migration's alert
 * simulation then asks about the same series objects. A memo that grew past VALUES_LIMIT values is
 * replaced, not emptied in place: its list numbers are only valid together.
 */
function memoOf(gate: GateInput, db: Db): GateValueMemo {
  let memo = valuesSeen.get(gate);
  if (memo && memo.values.size < VALUES_LIMIT) return memo;
  const renamed = gate.renameKey !== undefined;
  const key = JSON.stringify([gate.renameKey ?? gate.inner, renamed, gate.expectedSeries ?? null, gate.aggregation, gate.direction, db.stepSeconds]);
  memo = valuesByGate.get(key);
  if (!memo || memo.values.size >= VALUES_LIMIT) valuesByGate.set(key, (memo = { renamed, listIds: new WeakMap(), contentIds: new Map(), values: new Map() }));
  valuesSeen.set(gate, memo);
  return memo;
}

/** Forget the gate values shared between gates of equal content (tests compare a run that shares nothing). */
export function forgetSharedGateValues(): void {
  valuesByGate.clear();
}

/**
 * Gate values already computed for one gate: by series list (the same Series objects in the same
 * order: series are never changed once built, which the evaluator's select cache relies on too)
 * and step.
 */
interface GateValueMemo {
  /** Shared by gates with one renameKey: a renamed series counts as the one it was renamed from. */
  renamed: boolean;
  /** A list's number, by the array (the same array is asked about at step after step)... */
  listIds: WeakMap<Series[], number>;
  /** ...and by its members, for another array of the same series (a group filters per gate). */
  contentIds: Map<string, number>;
  /** Value by list number * MAX_STEPS + step. */
  values: Map<number, number | undefined>;
}
const valuesSeen = new WeakMap<GateInput, GateValueMemo>();
/** The 64 gate memos used last (a migration has a few dozen gates at most). */
const valuesByGate = boundedCache<GateValueMemo>(64);
/** Values one gate's memo holds before it starts again (a few migrations' worth: memory stays bounded in a bulk run). */
const VALUES_LIMIT = 20_000;
const MAX_STEPS = 1 << 20;
/** A number per Series object, for the content keys (held weakly: a candidate's series go when it is dropped). */
const seriesIds = new WeakMap<Series, number>();
let nextSeriesId = 0;

function seriesListId(memo: GateValueMemo, series: Series[]): number {
  const known = memo.listIds.get(series);
  if (known !== undefined) return known;
  let content = '';
  for (let k = 0; k < series.length; k++) {
    const s = memo.renamed ? originalSeries(series[k]!) : series[k]!;
    let id = seriesIds.get(s);
    if (id === undefined) seriesIds.set(s, (id = ++nextSeriesId));
    content += `${id},`;
  }
  let id = memo.contentIds.get(content);
  if (id === undefined) memo.contentIds.set(content, (id = memo.contentIds.size));
  memo.listIds.set(series, id);
  return id;
}

function guardedValueUncached(gate: GateInput, db: Db, step: number): number | undefined {
  const v = evaluate(parseAst(gate.inner), db, step);
  const values = v.k === 'scalar' ? [v.v] : v.v.map((s) => s.value);
  if (values.length === 0) return undefined;
  if (gate.expectedSeries !== undefined && values.length !== gate.expectedSeries) return undefined;
  if (values.some(Number.isNaN)) return undefined; // 0 * sum(clamp(X, -1, 1)) is NaN
  const worst = gate.aggregation === 'max' ? Math.max(...values) : Math.min(...values);
  // `> -Inf` (above) / `< +Inf` (below): the good side's infinity is no value.
  if (worst === (gate.direction === 'below' ? Infinity : -Infinity)) return undefined;
  return worst;
}

/** The series of X (the gate's inner vector) at a step: how many, and how many are NaN. */
export function innerSeries(gate: GateInput, db: Db, step: number): { count: number; nan: number } {
  const v = evaluate(parseAst(gate.inner), db, step);
  const values = v.k === 'scalar' ? [v.v] : v.v.map((s) => s.value);
  return { count: values.length, nan: values.filter((x) => Number.isNaN(x)).length };
}

/**
 * `n` copies of a construction, one per member, apart in one label: first the labels the
 * expression groups or matches on (`by (instance)`, `on (instance)`), then `instance`, then a
 * label of its own. Each value must pass every matcher on that label (a target selector like
 * instance=~"db2:9187|db3:9187" gives its alternatives).
 */
function* replicas(ast: Ast, base: Series[], n: number): Generator<Synthesized> {
  for (const label of copyLabels(ast)) {
    const values = memberValues(ast, label, n);
    if (!values) continue;
    const used = values.slice(0, n);
    yield { series: used.flatMap((v) => base.map((s) => withLabel(s, label, v))), members: { label, values: used, ...(values[n] !== undefined ? { spare: values[n] } : {}) } };
  }
}

const withLabel = (s: Series, label: string, value: string): Series => ({ labels: { ...s.labels, [label]: value }, samples: s.samples });

function copyLabels(ast: Ast): string[] {
  const out: string[] = [];
  const walk = (a: Ast): void => {
    if (a.k === 'agg') {
      out.push(...(a.by ?? []));
      walk(a.arg);
    } else if (a.k === 'bin') {
      out.push(...(a.on ?? []));
      walk(a.l);
      walk(a.r);
    } else if (a.k === 'call') a.args.forEach(walk);
    else if (a.k === 'neg') walk(a.arg);
  };
  walk(ast);
  return [...new Set([...out.filter((l) => l !== 'le'), 'instance', 'migobs_member'])];
}

/** At least `count` distinct values of `label` that every matcher on it accepts (one more when there is one), or undefined. */
function memberValues(ast: Ast, label: string, count: number): string[] | undefined {
  const ms: Matcher[] = [];
  const walk = (a: Ast): void => {
    if (a.k === 'sel') ms.push(...a.matchers.filter((m) => m.name === label));
    else if (a.k === 'agg' || a.k === 'neg') walk(a.arg);
    else if (a.k === 'call') a.args.forEach(walk);
    else if (a.k === 'bin') {
      walk(a.l);
      walk(a.r);
    }
  };
  walk(ast);
  const fromRegexes = ms.filter((m) => m.op === '=~').flatMap((m) => topLevelAlternatives(m.value).flatMap((alt) => Array.from({ length: count + 1 }, (_, k) => regexSample(alt, k))));
  const fresh = Array.from({ length: count + 1 }, (_, i) => `migobs-${i + 1}`);
  const ok = [...new Set([...fromRegexes, ...fresh])].filter((v) => v !== '' && matches({ [label]: v }, ms));
  return ok.length >= count ? ok.slice(0, count + 1) : undefined;
}

/** The inputs without member `i` (a replica that stopped reporting). */
export function dropMember(s: Synthesized, i: number): Synthesized {
  const m = s.members!;
  return { series: s.series.filter((x) => x.labels[m.label] !== m.values[i]), members: { ...m, values: m.values.filter((_, j) => j !== i) } };
}

/** The inputs plus one more member, a copy of member 0 (a selector that matches one system too many). */
export function addMember(s: Synthesized): Synthesized {
  const m = s.members!;
  if (m.spare === undefined) throw new Unsupported(`no series beyond ${m.values.length} can pass the target's selector on \`${m.label}\``);
  const spare = m.spare;
  const extra = s.series.filter((x) => x.labels[m.label] === m.values[0]).map((x) => withLabel(x, m.label, spare));
  return { series: [...s.series, ...extra], members: { label: m.label, values: [...m.values, spare] } };
}

/** Member `i`'s samples replaced by NaN from step `from` on (an exporter reporting NaN). */
export function nanMember(s: Synthesized, i: number, from: number): Synthesized {
  const m = s.members!;
  return {
    series: s.series.map((x) => (x.labels[m.label] === m.values[i] ? { labels: x.labels, samples: x.samples.map((v, j) => (v !== undefined && j >= from ? NaN : v)) } : x)),
    members: m,
  };
}

/** Functions that return samples without reading any series. */
const SOURCE_FUNCTIONS = new Set(['vector', 'time', 'absent', 'absent_over_time', 'scalar', 'pi', 'minute', 'hour', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'month', 'year']);

/**
 * The gate value (`value`: the full gate value expression) over `db`; an expression beyond the
 * evaluator still counts as empty when none of its metrics has a series and nothing in it makes
 * samples out of nothing.
 */
export function gateValueOf(gate: GateInput, db: Db, step: number): number | undefined {
  const value = gate.value;
  try {
    return guardedValue(gate, db, step);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    const parsed = parsePromql(value);
    const metrics = new Set(metricNames(parsed));
    let sourceless = true;
    parsed.tree.iterate({
      enter: (n) => {
        if (n.name === 'FunctionIdentifier' && SOURCE_FUNCTIONS.has(value.slice(n.from, n.to))) sourceless = false;
      },
    });
    if (sourceless && !db.series.some((s) => metrics.has(s.labels.__name__!))) return undefined;
    throw e;
  }
}

interface Ctx {
  stepSeconds: number;
  root: Ast;
  /** Series already chosen by another part of the expression (e.g. the numerator's). */
  fixed: Series[];
  /** Why candidates were dropped, first reason first (reported when nothing works). */
  reasons: string[];
  /** Per step, the last step of its run of equal top-level targets (where windows have settled). */
  runEnd: number[];
}

/** Candidates of `gen` until it gives up; an Unsupported ends this branch only. */
function* tolerant(gen: Generator<Series[]>, ctx: Ctx): Generator<Series[]> {
  try {
    yield* gen;
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    ctx.reasons.push(e.message);
  }
}

type Candidates = Iterable<Series[]>;

const mapT = (t: Timeline, f: (v: number, i: number) => number): Timeline => t.map((v, i) => (v === undefined ? undefined : f(v, i)));
const allDefined = (t: Timeline, ok: (v: number) => boolean): boolean => t.every((v) => v === undefined || ok(v));
const finite = (t: Timeline): boolean => allDefined(t, Number.isFinite);

/** A scalar the series do not influence: a number, or time(). */
function known(ast: Ast, ctx: Ctx): ((i: number) => number) | undefined {
  if (ast.k === 'num') return () => ast.v;
  if (ast.k === 'call' && ast.fn === 'time' && ast.args.length === 0) return (i) => i * ctx.stepSeconds;
  return undefined;
}

/**
 * Candidate inputs for `ast` to follow `t`. When series chosen elsewhere already make it follow
 * `t` (a metric used twice, `x / y * (x > bool 100)`), nothing new is needed: that comes first.
 */
function* invert(ast: Ast, t: Timeline, ctx: Ctx): Generator<Series[]> {
  if (!finite(t)) return;
  let yielded = false;
  if (ctx.fixed.length && ast.k !== 'num') {
    const got = determinedValues(ast, t, ctx);
    if (got && t.every((v, i) => v === undefined || got[i] === v)) {
      yielded = true;
      yield [];
    }
  }
  try {
    yield* invertShape(ast, t, ctx);
  } catch (e) {
    if (!(e instanceof Unsupported) || !yielded) throw e;
  }
}

/** What `ast` returns over the fixed series once settled, or undefined where it returns nothing. */
function determinedValues(ast: Ast, t: Timeline, ctx: Ctx): number[] | undefined {
  const values = steadyValues(ast, ctx.fixed, t, ctx, true);
  return values.every((v, i) => t[i] === undefined || v !== undefined) ? (values as number[]) : undefined;
}

function* invertShape(ast: Ast, t: Timeline, ctx: Ctx): Generator<Series[]> {
  switch (ast.k) {
    case 'sel':
      if (ast.range !== undefined) throw new Unsupported('a range selector outside rate()/increase()');
      yield [series(ast.metric, ast.matchers, t)];
      return;
    case 'agg':
      if (!['sum', 'max', 'min', 'avg'].includes(ast.op)) throw new Unsupported(`aggregation ${ast.op}`);
      yield* invert(ast.arg, t, ctx);
      return;
    case 'neg':
      yield* invert(ast.arg, mapT(t, (v) => -v), ctx);
      return;
    case 'num':
      throw new Unsupported('a constant cannot be steered');
    case 'call':
      yield* invertCall(ast, t, ctx);
      return;
    case 'bin':
      yield* invertBinary(ast, t, ctx);
      return;
  }
}

function* invertCall(ast: Ast & { k: 'call' }, t: Timeline, ctx: Ctx): Generator<Series[]> {
  const [a0, a1] = ast.args;
  switch (ast.fn) {
    case 'rate':
    case 'irate':
    case 'increase':
    case 'delta': {
      if (!a0 || a0.k !== 'sel' || a0.range === undefined) throw new Unsupported(`${ast.fn}() of something other than a range selector`);
      const counter = ast.fn !== 'delta';
      if (counter && !allDefined(t, (v) => v >= 0)) return;
      // Per-step increase so that the function returns the target once its window is full.
      const perStep = ast.fn === 'increase' || ast.fn === 'delta' ? ctx.stepSeconds / a0.range : ctx.stepSeconds;
      yield [series(a0.metric, a0.matchers, integrate(mapT(t, (v) => v * perStep)))];
      // increase() over n steps: one jump of the whole target every n steps keeps integer targets
      // exact in float64 (a steady slope of v/n per step usually is not). Jumps at steps 1, n+1, ...
      // first: the counter starts at 0 at step 0, so every window from step 1 on holds exactly one
      // jump and Prometheus does not extrapolate (the series starts at zero), and the value is the
      // target from step 1 on, long before the window is full (tests.ts starts the phase there).
      // rate() the same way, its jump being the target times the window: a window then holds one
      // jump from step 1 on, so a ratio of two rates is the same number at every step (not one
      // that extrapolation rounds differently while the window fills).
      const n = a0.range / ctx.stepSeconds;
      const jump = ast.fn === 'rate' ? a0.range : ast.fn === 'increase' || ast.fn === 'delta' ? 1 : undefined;
      if (jump !== undefined && Number.isInteger(n) && n > 1) {
        yield [series(a0.metric, a0.matchers, integrate(mapT(t, (v, i) => (i % n === 1 ? v * jump : 0))))];
        yield [series(a0.metric, a0.matchers, integrate(mapT(t, (v, i) => (i % n === 0 ? v * jump : 0))))];
      }
      return;
    }
    case 'clamp_min':
    case 'clamp_max': {
      const bound = a1 ? known(a1, ctx) : undefined;
      if (!a0 || !bound) throw new Unsupported(`${ast.fn} with a non-constant bound`);
      const b = bound(0);
      if (!allDefined(t, (v) => (ast.fn === 'clamp_min' ? v >= b : v <= b))) return;
      yield* invert(a0, t, ctx);
      return;
    }
    case 'abs':
      if (!a0 || !allDefined(t, (v) => v >= 0)) return;
      yield* invert(a0, t, ctx);
      return;
    case 'histogram_quantile':
      yield* invertHistogram(ast, t, ctx);
      return;
    default:
      throw new Unsupported(`function ${ast.fn}()`);
  }
}

/**
 * histogram_quantile(q, <aggregations keeping le>(rate(x_bucket[w]))): every observation goes
 * into the +Inf bucket and one finite bucket sits at the value; Prometheus then returns that
 * bucket's upper bound, exactly the target.
 */
function* invertHistogram(ast: Ast & { k: 'call' }, t: Timeline, _ctx: Ctx): Generator<Series[]> {
  const [qAst, inner] = ast.args;
  if (!qAst || qAst.k !== 'num' || !(qAst.v > 0 && qAst.v <= 1) || !inner) throw new Unsupported('histogram_quantile with a non-constant quantile');
  let node: Ast = inner;
  while (node.k === 'agg') {
    if (!['sum', 'max', 'min', 'avg'].includes(node.op)) throw new Unsupported(`aggregation ${node.op} inside histogram_quantile`);
    if ((node.by && !node.by.includes('le')) || node.without?.includes('le')) throw new Unsupported('histogram_quantile over an aggregation that drops `le`');
    node = node.arg;
  }
  if (node.k !== 'call' || !['rate', 'increase', 'irate'].includes(node.fn)) throw new Unsupported('histogram_quantile over something other than rate() of buckets');
  const sel = node.args[0];
  if (!sel || sel.k !== 'sel' || sel.range === undefined) throw new Unsupported('histogram_quantile over something other than rate() of buckets');
  if (sel.matchers.some((m) => m.name === 'le')) throw new Unsupported('bucket selector with an `le` matcher');
  const values = [...new Set(t.filter((v): v is number => v !== undefined))].sort((a, b) => a - b);
  const out: Series[] = [series(sel.metric, [...sel.matchers, { name: 'le', op: '=', value: '+Inf' }], integrate(mapT(t, () => 60)))];
  for (const v of values) {
    out.push(series(sel.metric, [...sel.matchers, { name: 'le', op: '=', value: promNumber(v) }], t.map((x) => (x === v ? 0 : undefined))));
  }
  yield out;
}

function* invertBinary(ast: Ast & { k: 'bin' }, t: Timeline, ctx: Ctx): Generator<Series[]> {
  const { op, l, r } = ast;
  if (op === 'or') {
    yield* invert(l, t, ctx);
    return;
  }
  if (op === 'and' || op === 'unless' || ast.bool) throw new Unsupported(`operator ${op}${ast.bool ? ' bool' : ''}`);
  const kl = known(l, ctx);
  const kr = known(r, ctx);
  if (kl && kr) throw new Unsupported('a constant cannot be steered');
  if (['==', '!=', '>', '<', '>=', '<='].includes(op)) {
    // A filter: it must let the target through; the vector side carries the value.
    const side = kl ? r : l;
    const k = (kl ?? kr)!;
    if (!k) throw new Unsupported(`comparison of two vectors`);
    const pass = (v: number, i: number): boolean => {
      const [a, b] = kl ? [k(i), v] : [v, k(i)];
      return op === '==' ? a === b : op === '!=' ? a !== b : op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b;
    };
    if (!t.every((v, i) => v === undefined || pass(v, i))) return;
    yield* invert(side, t, ctx);
    return;
  }
  if (kl || kr) {
    const k = (kl ?? kr)!;
    const side = kl ? r : l;
    const solve: Record<string, (v: number, c: number) => number> = kl
      ? { '+': (v, c) => v - c, '-': (v, c) => c - v, '*': (v, c) => v / c, '/': (v, c) => c / v }
      : { '+': (v, c) => v - c, '-': (v, c) => v + c, '*': (v, c) => v / c, '/': (v, c) => v * c };
    const f = solve[op];
    if (!f) throw new Unsupported(`operator ${op}`);
    yield* invert(side, mapT(t, (v, i) => f(v, k(i))), ctx);
    return;
  }
  // Two vectors. A side the fixed series already determine leaves one unknown: solve for it.
  const inverse: Record<string, { left: (v: number, c: number) => number; right: (v: number, c: number) => number }> = {
    '+': { left: (v, c) => v - c, right: (v, c) => v - c },
    '-': { left: (v, c) => c - v, right: (v, c) => v + c },
    '*': { left: (v, c) => v / c, right: (v, c) => v / c },
    '/': { left: (v, c) => c / v, right: (v, c) => v * c },
  };
  if (ctx.fixed.length && inverse[op]) {
    const lDet = determinedValues(l, t, ctx);
    if (lDet) yield* invert(r, mapT(t, (v, i) => inverse[op]!.left(v, lDet[i]!)), ctx);
    const rDet = determinedValues(r, t, ctx);
    if (rDet) yield* invert(l, mapT(t, (v, i) => inverse[op]!.right(v, rDet[i]!)), ctx);
  }
  const pairs: Array<[(v: number) => number, (v: number) => number]> = [];
  if (op === '/') for (const K of SCALES) pairs.push([(v) => v * K, () => K]);
  else if (op === '*') pairs.push([(v) => v, () => 1], [() => 1, (v) => v]);
  else if (op === '+') pairs.push([(v) => v, () => 0], [() => 0, (v) => v]);
  else if (op === '-') pairs.push([(v) => v, () => 0], ...SCALES.map((K): [(v: number) => number, (v: number) => number] => [(v) => v + K, () => K]));
  else throw new Unsupported(`operator ${op} between two vectors`);
  for (const [fl, fr] of pairs) {
    for (const left of tolerant(invert(l, mapT(t, fl), ctx), ctx)) {
      // The left side's series may already give the right side its value (the same metric on
      // both sides), or feed it partly (a numerator's series inside its denominator's sum): then
      // the right side's own series only make up the difference.
      const fixed = [...ctx.fixed, ...left];
      const overlap = steadyValues(r, fixed, t, ctx);
      const rightTargets = [mapT(t, fr)];
      if (overlap.some((o) => o !== 0)) rightTargets.push(mapT(t, (v, i) => fr(v) - (overlap[i] ?? 0)));
      // One scale failing (a filter the values miss, a shape that cannot follow) must not end the search.
      for (const right of rightTargets.flatMap((rt) => [...tolerant(invert(r, rt, { ...ctx, fixed }), ctx)])) {
        const merged = merge(left, right);
        if (merged) yield merged;
      }
    }
  }
}

/**
 * What `ast` returns over `series` once each run of equal targets has settled: evaluated at the
 * run's last step (rate windows are full there); where it returns nothing, 0 (or undefined if strict).
 */
function steadyValues(ast: Ast, series: Series[], t: Timeline, ctx: Ctx, strict = false): Array<number | undefined> {
  const cache = new Map<number, number | undefined>();
  return t.map((target, i) => {
    if (target === undefined) return strict ? undefined : 0;
    const end = ctx.runEnd[i] ?? i;
    if (!cache.has(end)) {
      let v: number | undefined;
      try {
        const ev = evaluate(ast, { stepSeconds: ctx.stepSeconds, series }, end);
        if (ev.k === 'vector' && ev.v.length === 1) v = ev.v[0]!.value;
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
      }
      cache.set(end, v);
    }
    return cache.get(end) ?? (strict ? undefined : 0);
  });
}

/** Two partial inputs combined; the same series with different samples is a conflict. */
function merge(a: Series[], b: Series[]): Series[] | undefined {
  const byKey = new Map(a.map((s) => [labelKey(s.labels), s]));
  const out = [...a];
  for (const s of b) {
    const prev = byKey.get(labelKey(s.labels));
    if (!prev) {
      out.push(s);
      continue;
    }
    if (prev.samples.length !== s.samples.length || prev.samples.some((v, i) => v !== s.samples[i])) return undefined;
  }
  return out;
}

/** A counter: running total of per-step increases (no sample while the target is absent). */
function integrate(inc: Timeline): Timeline {
  let total = 0;
  let started = false;
  return inc.map((v) => {
    if (v === undefined) return undefined;
    if (started) total += v;
    started = true;
    return total;
  });
}

function series(metric: string, ms: Matcher[], samples: Timeline): Series {
  return { labels: { __name__: metric, ...labelsFor(ms) }, samples };
}

/** Labels that satisfy a list of matchers (fewest labels possible). */
export function labelsFor(ms: Matcher[]): Labels {
  const labels: Labels = {};
  for (const m of ms) {
    if (m.op === '=') labels[m.name] = m.value;
  }
  for (const m of ms) {
    if (m.op === '=') continue;
    if (matches(labels, ms.filter((x) => x.name === m.name))) continue;
    // Try a sample of every alternative of every regex on this label, so `job!="a", job=~"a|b"` finds "b".
    const same = ms.filter((x) => x.name === m.name);
    const fromRegexes = same.filter((x) => x.op === '=~').flatMap((x) => topLevelAlternatives(x.value).map(regexSample));
    const candidates = [...fromRegexes, '', 'migobs', 'migobs-test', '0', 'x'];
    const found = candidates.find((c) => matches({ ...labels, [m.name]: c }, ms.filter((x) => x.name === m.name)));
    if (found === undefined) throw new Unsupported(`no label value satisfies ${m.name}${m.op}"${m.value}"`);
    if (found !== '') labels[m.name] = found;
  }
  if (!matches(labels, ms)) throw new Unsupported('matchers cannot all be satisfied');
  return labels;
}

/** The top-level `a|b|c` alternatives of a regex. */
function topLevelAlternatives(pattern: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '|' && depth === 0) {
      out.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  out.push(pattern.slice(start));
  return out;
}

/**
 * A string a simple regex matches: the first alternative, with wildcards and classes filled in.
 * `variant` k picks the k-th member of each class and a different filler for wildcards, so
 * `db-[0-9]+:9104` gives db-0:9104, db-1:9104, ... (one value per copy of a member).
 */
export function regexSample(pattern: string, variant = 0): string {
  const first = topLevelAlternatives(pattern)[0]!;
  return first
    .replace(/^\^|\$$/g, '')
    .replace(/\[(\^?)([^\]]*)\]/g, (_m, neg: string, body: string) => (neg ? '~' : classMember(body, variant)))
    .replace(/\\d/g, String(variant % 10))
    .replace(/\\w/g, 'x')
    .replace(/\.\*|\.\+|\.\?/g, (m) => (m === '.+' ? `x${variant || ''}` : variant ? `m${variant}` : ''))
    .replace(/\./g, 'x')
    .replace(/[()?*+]/g, '')
    .replace(/\\(.)/g, '$1');
}

/** The k-th character of a character class body such as `0-9a-f` (ranges expanded). */
function classMember(body: string, k: number): string {
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i] === '\\' ? body[++i]! : body[i]!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const end = body[i + 2]!;
      for (let x = c.charCodeAt(0); x <= end.charCodeAt(0) && chars.length < 64; x++) chars.push(String.fromCharCode(x));
      i += 2;
    } else chars.push(c);
  }
  return chars.length ? chars[k % chars.length]! : '';
}
