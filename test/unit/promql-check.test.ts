/**
 * src/promql/check.ts against the ground truth, the real promtool (2.42, what migobs targets):
 * every expression migobs refuses, promtool refuses too (as a rule in a minimal rule file); every
 * tricky-but-valid expression promtool accepts, migobs accepts too; and the function table is
 * exactly the functions promtool knows, with their arities and argument types.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MigrationDefinition } from '../../src/definition/types';
import { loadDefinitions } from '../../src/pipeline';
import { buildRules } from '../../src/generate/rules/rules';
import { analyzePromql, checkPromql } from '../../src/promql/check';
import { toYaml } from '../../src/render/serialize';
import { check } from '../helpers/definitions';
import { FUNCTIONS, type ValueType } from '../../src/promql/functions';
import { parsePromql } from '../../src/promql/parse';
import { runTool } from '../helpers/tools';

/** promtool check rules on one minimal rule file per expression: expression -> null (accepted) or its message. */
function promtool(exprs: string[]): Map<string, string | null> {
  const dir = mkdtempSync(join(tmpdir(), 'migobs-promql-'));
  const files = exprs.map((e, i) => {
    const f = `r${i}.yaml`;
    writeFileSync(join(dir, f), `groups:\n- name: g\n  rules:\n  - record: r\n    expr: ${JSON.stringify(e)}\n`);
    return f;
  });
  const r = runTool('promtool', ['check', 'rules', ...files], { cwd: dir, timeoutMs: 120_000 });
  const out = new Map<string, string | null>();
  const blocks = r.stdout.split(/^Checking /m).slice(1);
  expect(blocks).toHaveLength(exprs.length);
  blocks.forEach((b, i) => {
    const file = files[i]!;
    expect(b.startsWith(file)).toBe(true);
    if (b.includes('SUCCESS')) out.set(exprs[i]!, null);
    else out.set(exprs[i]!, r.stderr.split('\n').find((l) => l.startsWith(`${file}:`))?.replace(/^.*parse error: /, '') ?? 'refused');
  });
  return out;
}

const ours = (e: string): string | undefined => checkPromql(parsePromql(e))[0]?.message;

// [expression, what migobs says (a part of it)]. Where Prometheus words it the same, so do we.
const REFUSED: Array<[string, string]> = [
  // Regexes: RE2 as Go parses it, not JavaScript.
  ['x{a=~"\\\\C"}', 'error parsing regexp: invalid escape sequence: `\\C`'],
  ['x{a=~"\\\\Z"}', 'error parsing regexp: invalid escape sequence: `\\Z`'],
  ['x{a=~"\\\\e"}', 'error parsing regexp: invalid escape sequence: `\\e`'],
  ['x{a=~"[[:foo:]]"}', 'error parsing regexp: invalid character class range: `[:foo:]`'],
  ['x{a=~"\\\\p{Foo}"}', 'error parsing regexp: invalid character class range: `\\p{Foo}`'],
  ['x{a=~"a{1001}"}', 'error parsing regexp: invalid repeat count: `{1001}`'],
  ['x{a=~"(a{1000}){1000}"}', 'error parsing regexp: invalid repeat count'],
  ['x{a=~"(?=a)b"}', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
  ['x{a=~"(?<!a)b"}', 'error parsing regexp: invalid or unsupported Perl syntax: `(?<`'],
  ['x{a=~"(a)\\\\1"}', 'error parsing regexp: invalid escape sequence: `\\1`'],
  ['x{a=~"(?<n>a)"}', 'error parsing regexp: invalid or unsupported Perl syntax: `(?<`'],
  ['x{a=~"a**"}', 'error parsing regexp: invalid nested repetition operator: `**`'],
  ['x{a!~"db(1"}', 'error parsing regexp: missing closing ): `^(?:db(1)$`'],
  // Types.
  ['sum(x[5m])', 'expected type instant vector in aggregation expression, got range vector'],
  ['sum without (a) (x[5m])', 'expected type instant vector in aggregation expression, got range vector'],
  ['rate(x)', 'expected type range vector in call to function "rate", got instant vector'],
  ['sum(rate(x))', 'expected type range vector in call to function "rate", got instant vector'],
  ['absent(x[5m])', 'expected type instant vector in call to function "absent", got range vector'],
  ['vector(x)', 'expected type scalar in call to function "vector", got instant vector'],
  ['topk(x, y)', 'expected type scalar in aggregation parameter, got instant vector'],
  ['quantile("a", x)', 'expected type scalar in aggregation parameter, got string'],
  ['count_values(1, x)', 'expected type string in aggregation parameter, got scalar'],
  ['x and bool y', 'bool modifier can only be used on comparison operators'],
  ['x unless bool y', 'bool modifier can only be used on comparison operators'],
  ['x + bool y', 'bool modifier can only be used on comparison operators'],
  ['x and 1', 'set operator "and" not allowed in binary scalar expression'],
  ['x < 1 or 2', 'set operator "or" not allowed in binary scalar expression'],
  ['x and on(a) group_left y', 'no grouping allowed for "and" operation'],
  ['x * on(a) group_left(a) y', 'label "a" must not occur in ON and GROUP clause at once'],
  ['x + on(a) 1', 'vector matching only allowed between instant vectors'],
  ['scalar(x) + on(a) 1', 'vector matching only allowed between instant vectors'],
  ['1 > 1', 'comparisons between scalars must use BOOL modifier'],
  ['"a" + 1', 'binary expression must contain only scalar and instant vector types'],
  ['x[5m] > 1', 'binary expression must contain only scalar and instant vector types'],
  ['x / y[5m]', 'binary expression must contain only scalar and instant vector types'],
  ['-"a"', 'unary expression only allowed on expressions of type scalar or instant vector, got "string"'],
  ['-x[5m]', 'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
  ['x[5m][5m:1m]', 'subquery is only allowed on instant vector, got matrix instead'],
  ['(1)[5m:1m]', 'subquery is only allowed on instant vector, got scalar instead'],
  ['(x)[5m]', 'ranges only allowed for vector selectors'],
  ['rate((x)[5m])', 'ranges only allowed for vector selectors'],
  // Selectors.
  ['{job=~".*"}', 'vector selector must contain at least one non-empty matcher'],
  ['{a=~"a?"}', 'vector selector must contain at least one non-empty matcher'],
  ['{a!~"b"}', 'vector selector must contain at least one non-empty matcher'],
  ['{a="", b=~".*"}', 'vector selector must contain at least one non-empty matcher'],
  ['max({instance=~".*"})', 'vector selector must contain at least one non-empty matcher'],
  ['x{__name__="y"}', 'metric name must not be set twice: "x" or "y"'],
  // Functions: arity, names, newer than 2.42.
  ['abs(x, y)', 'expected 1 argument(s) in call to "abs", got 2'],
  ['round(x, 1, 2)', 'expected at most 2 argument(s) in call to "round", got 3'],
  ['label_join(x, "a")', 'expected at least 3 argument(s) in call to "label_join", got 2'],
  ['time(1)', 'expected 0 argument(s) in call to "time", got 1'],
  ['histogram_quantile(x)', 'expected 2 argument(s) in call to "histogram_quantile", got 1'],
  ['sum(a, b)', 'wrong number of arguments for aggregate expression provided, expected 1, got 2'],
  ['topk(x)', 'wrong number of arguments for aggregate expression provided, expected 2, got 1'],
  ['sum()', 'no arguments for aggregate expression provided'],
  ['foo(x)', 'unknown function with name "foo"'],
  ['rat(x[5m])', 'unknown function with name "rat"'],
  ['RATE(x[5m])', 'unknown function with name "RATE"'],
  ['sort_by_label(x, "a")', 'unknown function with name "sort_by_label"'],
  ['sort_by_label_desc(x, "a")', 'unknown function with name "sort_by_label_desc"'],
  ['histogram_avg(x)', 'unknown function with name "histogram_avg"'],
  ['histogram_stddev(x)', 'unknown function with name "histogram_stddev"'],
  ['info(x)', 'unknown function with name "info"'],
  ['mad_over_time(x[5m])', 'unknown function with name "mad_over_time"'],
  ['double_exponential_smoothing(x[5m], 0.5, 0.5)', 'unknown function with name "double_exponential_smoothing"'],
  ['first_over_time(x[5m])', 'unknown function with name "first_over_time"'],
  ['limitk(1, x)', 'unknown function with name "limitk"'],
  ['limit_ratio(0.5, x)', 'unknown function with name "limit_ratio"'],
  // Numbers and durations as Prometheus 2.42 reads them.
  ['1_000', 'bad number or duration syntax: "1"'],
  ['x > 1_000', 'bad number or duration syntax: "1"'],
  ['x > 5m', 'unexpected duration "5m"'],
  ['1e400', 'value out of range'],
  ['x[0s]', 'duration must be greater than 0'],
  ['x[5m:0s]', 'duration must be greater than 0'],
  ['x[300]', 'missing unit character in duration'],
  ['x[1m+1m]', 'duration expressions such as `1m+1m`'],
  ['x[(5m)]', 'duration expressions such as `(5m)`'],
  ['max_over_time(x[99999999999999y])', 'duration out of range'],
  // @ and offset.
  ['x @ 1e20', 'timestamp out of bounds for @ modifier: 100000000000000000000.000000'],
  ['x @ Inf', 'timestamp out of bounds for @ modifier: +Inf'],
  ['x @ 100 @ 200', '@ <timestamp> may not be set multiple times'],
  ['rate(x[5m]) @ 100', '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['rate(x[5m]) offset 1m', 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['sum(x) offset 1m', 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['x offset 1m offset 2m', 'offset may not be set multiple times'],
  ['x offset 5m [5m]', 'no offset modifiers allowed before range'],
  ['x @ 1 [5m]', 'no @ modifiers allowed before range'],
  ['x offset 0s', 'duration must be greater than 0'],
  ['x offset -0s', 'duration must be greater than 0'],
  ['x offset +5m', 'unexpected <op:+> in offset, expected duration'],
  ['x offset (5m)', 'duration expressions such as `(5m)`'],
  // Strings.
  ['x{a="\\q"}', "unknown escape sequence U+0071 'q'"],
  ["x{a=\"it\\'s\"}", "unknown escape sequence U+0027 '''"],
  ['x{a="\\x4"}', 'illegal character U+0022 \'"\' in escape sequence'],
  ['x{a="\\400"}', 'escape sequence is an invalid Unicode code point'],
  ['x{a="\\ud800"}', 'escape sequence is an invalid Unicode code point'],
  ['"abc', 'unterminated quoted string'],
  // Prometheus 3 syntax.
  ['x[5m] anchored', 'the `anchored` modifier is not in Prometheus 2.42'],
  ['x + fill(0) y', 'fill modifiers are not in Prometheus 2.42'],
  ['x >/ 1', 'operator ">/" is not in Prometheus 2.42'],
  ['{"job"="x"}', 'quoted (UTF-8) label names need Prometheus 3'],
  ['x[5m5m]', 'PromQL syntax error'],
  // Prometheus applies [range], [subquery], offset and @ to the operand right before them.
  ['x / y[5m:1m]', 'binary expression must contain only scalar and instant vector types'],
  ['max_over_time(x / y[5m:1m])', 'binary expression must contain only scalar and instant vector types'],
  ['-x[5m:1m]', 'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
  ['x / y offset 5m [5m]', 'no offset modifiers allowed before range'],
];

// Tricky but valid in Prometheus 2.42: migobs must accept every one.
const ACCEPTED: string[] = [
  'holt_winters(x[5m], 0.5, 0.5)',
  'max(holt_winters(x[5m], 0.1, 0.9)) > 0',
  'histogram_count(x)',
  'histogram_sum(x)',
  'histogram_fraction(0, 1, x)',
  'histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))',
  'label_replace(up, "foo", "$1", "instance", "(.*):.*")',
  'label_replace(x, "a", "b", "c", "(")', // the regex is compiled only when the rule runs
  'label_join(x, "a", ",", "b", "c", "d")',
  'day_of_month()',
  'round(x)',
  'round(x, 0.5)',
  'clamp(x, 0, 1)',
  'absent_over_time(x[5m])',
  'present_over_time(x[5m])',
  'predict_linear(x[1h], 3600) < 0',
  'x offset -5m',
  'x[5m] offset -5m',
  'x offset 1h30m',
  'x[1h30m]',
  'x[1m30s:10s]',
  'x[5m:]',
  'rate(x[5m:])',
  'vector(1)[5m:]',
  'sum(rate(x[5m]))[5m:1m]',
  'x[5m:1m] offset 1m @ 100',
  'x[5m:1m] @ 100 offset 5m',
  'x @ 100 offset 5m',
  'x offset 5m @ 100',
  'x @ -1',
  'x @ 9.2233e18',
  'x @ start()',
  'rate(x[5m] @ end())',
  '0x1F',
  '.5',
  '5.',
  '1e3',
  'NaN',
  '+Inf',
  '-inf',
  '0755',
  '08',
  '- 1',
  'x - -1',
  '-x',
  'x ^ 2 % 3',
  'x atan2 y',
  '1 == bool 1',
  'x == bool 1',
  'count by (a) (x) > bool 1',
  '1 + on() group_left x',
  'x + ignoring(a) group_left(b) y',
  'x / on(a) group_right(b) y',
  'x and on(a) y',
  'x unless ignoring(a) y',
  'vector(1) or x',
  'scalar(x) * 2',
  'time() - x',
  '{__name__="y"}',
  '{a!=""}',
  '{a=~".+"}',
  '{a="", b="c"}',
  'x{a="b",}',
  "x{a='it\\'s'}",
  "x{a='say \"hi\"'}",
  'x{a="\\u00e9\\x41\\101\\377\\t"}',
  'x{a=`b\\q`}',
  'x{a=~"(?i)abc"}',
  'x{a=~"(?P<n>x)"}',
  'x{a=~"\\\\Qa.b\\\\E"}',
  'x{a=~"[[:alpha:]]+"}',
  'x{a=~"\\\\pN\\\\p{Greek}"}',
  'x{a=~"a{1000}"}',
  'x{a=~"a{,5}"}',
  'x{a=~"[(?<]"}',
  'x{a=~"\\\\z"}',
  'x{a=~".*"}',
  'sum(x) by (a)',
  'sum without() (x)',
  'SUM(x)',
  'Sum By (a) (x)',
  'count_values("v", x)',
  'quantile(0.5, x)',
  'topk(3, x)',
  'bottomk(1, x)',
  'group(x)',
  'stddev(x) + stdvar(x)',
  'sort_desc(x)',
  'timestamp(x)',
  'x # a comment',
  'x / y offset 5m',
  'x / y @ 100',
  '-x offset 5m',
  '-x @ 100',
  'x > bool y offset 1m',
  'sum(x) / y offset 1h',
  'max(x)\n  # a comment on its own line\n  > 0',
];

/** Seeded random expressions from valid and invalid fragments: the verdicts must agree with promtool's. */
function randomExpressions(seed: number, count: number): string[] {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
  const sel = (): string => pick(['x', 'y{a="b"}', '{a=~".+"}', '{a=~".*"}', 'x{a!~"b|c"}', 'up{job=~"a(?i)b"}', 'x{a=~"\\\\d+"}']);
  const dur = (): string => pick(['5m', '1h', '30s', '0s', '1m30s', '300', '5m:1m', '5m:', '1h:0s']);
  const num = (): string => pick(['1', '0.5', '-1', '1e3', '0x10', 'Inf', '1_0', '5m', 'NaN']);
  const str = (): string => pick(['"a"', "'b'", '"le"']);
  const fns = ['rate', 'abs', 'sum_over_time', 'histogram_quantile', 'clamp', 'round', 'vector', 'scalar', 'label_replace', 'time', 'absent', 'holt_winters', 'sort_by_label', 'day_of_week', 'predict_linear', 'timestamp'];
  const aggs = ['sum', 'max', 'topk', 'quantile', 'count_values', 'group', 'limitk'];
  const ops = ['+', '-', '*', '/', '>', '<', '==', '>=', 'and', 'or', 'unless', '^', '%', 'atan2', '> bool', 'and bool', '+ on(a)', '* on(a) group_left(b)', 'and ignoring(a)', '== bool on(a)'];
  const expr = (d: number): string => {
    const r = rnd();
    if (d <= 0 || r < 0.2) return pick([sel, num, str])();
    if (r < 0.3) return `${sel()}[${dur()}]`;
    if (r < 0.4) return `(${expr(d - 1)})[${dur()}]`;
    if (r < 0.55) return `${pick(fns)}(${Array.from({ length: Math.floor(rnd() * 4) }, () => expr(d - 1)).join(', ')})`;
    if (r < 0.65) return `${pick(aggs)}${rnd() < 0.3 ? ' by (a)' : ''}(${Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => expr(d - 1)).join(', ')})`;
    if (r < 0.85) return `${expr(d - 1)} ${pick(ops)} ${expr(d - 1)}`;
    if (r < 0.9) return `-${expr(d - 1)}`;
    if (r < 0.95) return `${expr(d - 1)} offset ${pick(['5m', '-5m', '0s', '1h'])}`;
    return `${expr(d - 1)} @ ${pick(['100', 'start()', '1e20', '-5'])}`;
  };
  const out = new Set<string>();
  while (out.size < count) out.add(expr(3));
  return [...out];
}

describe('PromQL checks agree with promtool 2.42', () => {
  it('every expression migobs refuses, promtool refuses too, and migobs says what it expects', () => {
    const verdicts = promtool(REFUSED.map(([e]) => e));
    const wrong: string[] = [];
    for (const [e, want] of REFUSED) {
      const mine = ours(e);
      if (mine === undefined || !mine.includes(want)) wrong.push(`${e}: migobs says ${JSON.stringify(mine)}, expected ${JSON.stringify(want)}`);
      if (verdicts.get(e) === null) wrong.push(`${e}: promtool accepts it`);
    }
    expect(wrong).toEqual([]);
  });

  it('every tricky-but-valid expression promtool accepts, migobs accepts too', () => {
    const verdicts = promtool(ACCEPTED);
    const wrong: string[] = [];
    for (const e of ACCEPTED) {
      if (verdicts.get(e) !== null) wrong.push(`${e}: promtool refuses it (${verdicts.get(e)}): not a valid test case`);
      const mine = checkPromql(parsePromql(e));
      if (mine.length) wrong.push(`${e}: migobs refuses it: ${mine[0]!.message}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each([7, 11])('random expressions (seed %i): migobs refuses exactly what promtool refuses', (seed) => {
    const exprs = randomExpressions(seed, 300);
    const verdicts = promtool(exprs);
    const accepted = exprs.filter((e) => verdicts.get(e) === null);
    expect(accepted.length, 'the sample has valid expressions too').toBeGreaterThan(20);
    const wrong = exprs.filter((e) => (verdicts.get(e) === null) !== (ours(e) === undefined)).map((e) => `${e}: promtool ${verdicts.get(e) ?? 'accepts'}; migobs ${ours(e) ?? 'accepts'}`);
    expect(wrong).toEqual([]);
  });

  it('the function table is exactly what promtool knows: names, arities, argument types', () => {
    const arg: Record<ValueType, string> = { vector: 'x', matrix: 'x[5m]', scalar: '1', string: '"a"' };
    const good = Object.entries(FUNCTIONS).map(([name, f]) => `${name}(${f.args.map((t) => arg[t]).join(', ')})`);
    const tooMany = Object.entries(FUNCTIONS)
      .filter(([, f]) => f.variadic >= 0)
      .map(([name, f]) => `${name}(${[...f.args, ...Array.from({ length: f.variadic + 1 }, () => f.args[f.args.length - 1] ?? 'scalar')].map((t) => arg[t]).join(', ')})`);
    // Each argument of the wrong type (a string where anything else is wanted, else a scalar).
    const wrongType = Object.entries(FUNCTIONS).flatMap(([name, f]) =>
      f.args.map((want, i) => `${name}(${f.args.map((t, j) => (j === i ? (want === 'string' ? '1' : '"a"') : arg[t])).join(', ')})`),
    );
    // Every function name the (Prometheus 3) grammar knows that is not in the table: unknown to 2.42.
    const grammar = (parser as unknown as { nodeSet: { types: Array<{ name: string }> } }).nodeSet.types.map((t) => t.name);
    expect(grammar).toContain('SortByLabel');
    const unknown = ['sort_by_label', 'sort_by_label_desc', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar', 'histogram_quantiles', 'info', 'mad_over_time', 'first_over_time', 'ts_of_max_over_time', 'double_exponential_smoothing', 'start_timestamp'].map((n) => `${n}(x)`);
    const verdicts = promtool([...good, ...tooMany, ...wrongType, ...unknown]);
    const wrong: string[] = [];
    for (const e of good) {
      if (verdicts.get(e) !== null) wrong.push(`${e}: promtool refuses (${verdicts.get(e)})`);
      if (ours(e)) wrong.push(`${e}: migobs refuses (${ours(e)})`);
    }
    for (const e of [...tooMany, ...wrongType]) {
      if (verdicts.get(e) === null) wrong.push(`${e}: promtool accepts it`);
      if (!ours(e)) wrong.push(`${e}: migobs accepts it`);
    }
    for (const e of unknown) {
      if (!verdicts.get(e)?.includes('unknown function')) wrong.push(`${e}: promtool says ${verdicts.get(e)}`);
      if (!ours(e)?.includes('unknown function')) wrong.push(`${e}: migobs says ${ours(e)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('every invalid fixture refused for its PromQL or regex is refused by promtool too', () => {
  const FIXTURES = join(__dirname, '..', 'fixtures', 'invalid');
  const cases = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => {
      const r = loadDefinitions([join(FIXTURES, f)]);
      const d = r.diagnostics[0];
      if (!d || (d.check !== 'signal-expr-valid' && d.check !== 'matcher-regex-valid')) return [];
      const def = parse(readFileSync(join(FIXTURES, f), 'utf8')) as MigrationDefinition;
      const expr = d.message.startsWith('spec.selector')
        ? `migration_phase{${def.spec.selector}}` // the selector is injected into every migration_* selector
        : `max(${def.spec.signals!.replicationLag!.expr}) >= -Inf`; // as the gate-value recording rule embeds it
      return [[f, expr] as [string, string]];
    });
  it('has such fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(8));
  it('promtool refuses each', () => {
    const verdicts = promtool(cases.map(([, e]) => e));
    expect(cases.filter(([, e]) => verdicts.get(e) === null).map(([f]) => f)).toEqual([]);
  });
});

describe('a definition whose signals pass validate generates rules promtool loads', () => {
  it('every tricky-but-valid instant-vector expression, as a signal, ends in a rule file promtool accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-promql-rules-'));
    const files: string[] = [];
    for (const [i, e] of ACCEPTED.entries()) {
      if (analyzePromql(parsePromql(e)).type !== 'vector') continue;
      const r = check((d) => {
        d.spec.signals!.replicationLag!.expr = e;
        d.spec.signals!.replicationLag!.unit = 'short';
      });
      expect(r.diagnostics, e).toEqual([]);
      writeFileSync(join(dir, `r${i}.yaml`), toYaml(buildRules(r.migrations[0]!.model)));
      files.push(`r${i}.yaml`);
    }
    expect(files.length).toBeGreaterThan(40);
    const res = runTool('promtool', ['check', 'rules', ...files], { cwd: dir, timeoutMs: 120_000 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
  });
});
