/**
 * Loader messages a newcomer can act on: one problem per mis-indented line (not its echoes), in
 * plain words; the duplicate key named; durations and thresholds written with units explained.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseSource } from '../../src/load/source';
import { loadDefinitionText } from '../../src/pipeline';
import { DESIGN_EXAMPLE } from '../helpers/definitions';

const base = readFileSync(DESIGN_EXAMPLE, 'utf8');
const edit = (from: string, to: string): string => {
  expect(base).toContain(from);
  return base.replace(from, to);
};
const problems = (text: string): string[] => loadDefinitionText('def.yaml', text).diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);

describe('indentation', () => {
  it.each<[string, string, string, string]>([
    ['a tab before a key', '      signal: replicationLag', '\t    signal: replicationLag', '19:1: line 19 is indented with a tab: YAML indentation must be spaces (replace the tab with 6 spaces so `signal:` lines up with `id:` on line 18)'],
    ['a tab in the metadata', '  title: Backfill', '\ttitle: Backfill', '5:1: line 5 is indented with a tab: YAML indentation must be spaces (replace the tab with 2 spaces so `title:` lines up with `id:` on line 4)'],
    ['one space too few in a list item', '      signal: replicationLag', '     signal: replicationLag', '19:6: line 19 is indented 5 spaces, which lines up with no line above it: YAML expected 6 spaces like `id:` on line 18 or 4 spaces like `- id:` on line 18'],
    ['one space too many in a list item', '      signal: replicationLag', '       signal: replicationLag', '19:8: line 19 is indented 7 spaces, but `id:` on line 18 uses 6 spaces: `signal:` must start in the same column'],
    ['one space too many at the top of spec', '  engine: postgres', '   engine: postgres', '10:4: line 10 is indented 3 spaces, but `type:` on line 9 uses 2 spaces: `engine:` must start in the same column'],
    ['one space too few at the top of spec', '  engine: postgres', ' engine: postgres', '10:2: line 10 is indented 1 space, which lines up with no line above it: YAML expected 2 spaces like `type:` on line 9 or 0 spaces like `spec:` on line 8'],
    ['block scalar text not indented', '      remediation: Halve --batch-size, wait for lag < 5 s, resume.', '      remediation: |\nHalve --batch-size.', '25:1: line 25 is indented 0 spaces, but it is text of the block scalar started by `remediation:` on line 24 (6 spaces), so YAML expected it indented further (indent the text of `remediation:` with 8 spaces)'],
    ['a deeper key after a flow list', '      remediation:', '        remediation:', '24:9: line 24 is indented 8 spaces, but `phases:` on line 23 uses 6 spaces: `remediation:` must start in the same column'],
  ])('%s: exactly one problem, at the line, in plain words', (_name, from, to, expected) => {
    const p = problems(edit(from, to));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(expected);
  });

  it('a block scalar, a multi-line flow list and a nested list are not mistaken for bad indentation', () => {
    const text = edit(
      '      remediation: Halve --batch-size, wait for lag < 5 s, resume.',
      '      remediation: |\n        Halve --batch-size.\n            Then wait:\n        resume.\n      phases:\n        - canary\n        - ramp\n  verification: [\n      "one",\n    "two"]\n  bad: "unterminated',
    ).replace('      phases: [canary, ramp, full]\n', '');
    // The only problem is the unterminated string at the end, which the parser describes itself.
    const p = problems(text);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^\d+:\d+: invalid YAML: Missing closing "quote/);
  });

  it('without an indentation problem near the parser error, the parser message stays', () => {
    const p = problems(edit('  title: Backfill orders.region from customers', '  title: Backfill: orders: region'));
    expect(p).toEqual([expect.stringMatching(/^5:\d+: invalid YAML: /)]);
  });
});

describe('other loader and schema messages', () => {
  it.each<[string, string, string, string]>([
    ['a duplicate key names the key and its first line', '  expectedDuration: 6h\n', '  expectedDuration: 6h\n  expectedDuration: 8h\n', '13:3: duplicate key `expectedDuration`: it is already set on line 12 (each key may appear only once in a mapping: keep one of the two and delete the other)'],
    ['a duplicate key with an empty first value', '  signals:  ', '  signals:\n  signals:  ', '16:3: duplicate key `signals`: it is already set on line 15 (each key may appear only once in a mapping: keep one of the two and delete the other)'],
    ['`for: 10`', '      for: 2m', '      for: 10', '22:12: `for` must be a Prometheus duration such as 30s, 2m or 1h30m; got number 10 (a bare number has no unit: write `10s` for seconds or `10m` for minutes)'],
    ['`rollbackFor: 10` gets the same hint', '      for: 2m', '      rollbackFor: 10', '22:20: `rollbackFor` must be a Prometheus duration such as 30s, 2m or 1h30m; got number 10 (a bare number has no unit: write `10s` for seconds or `10m` for minutes)'],
    ['`pause: 3s`', '      pause: 10 ', '      pause: 3s ', '20:14: `pause` must be a number, got string "3s" (drop the unit `s` and write 3: thresholds are plain numbers in the signal\'s own unit; a ratio is 0..1)'],
    ['`pause: 0.5%`', '      pause: 10 ', '      pause: 0.5%', '20:14: `pause` must be a number, got string "0.5%" (drop the %: thresholds are plain numbers in the signal\'s own unit; a ratio is 0..1, so 0.5% is 0.005, and a signal in percent takes 0.5)'],
    ['`rollback: 5 %`', '      rollback: 60', '      rollback: 5 %', '21:17: `rollback` must be a number, got string "5 %" (drop the %: thresholds are plain numbers in the signal\'s own unit; a ratio is 0..1, so 5% is 0.05, and a signal in percent takes 5)'],
    ['`pause: "10"`', '      pause: 10 ', '      pause: "10"', '20:14: `pause` must be a number, got string "10" (remove the quotes: a threshold is a plain number)'],
  ])('%s', (_name, from, to, expected) => {
    expect(problems(edit(from, to))).toEqual([expected]);
  });

  it('a file of many bad lines still reports only its first syntax problem', () => {
    const text = base.replace(/^ {6}/gm, '\t');
    const r = parseSource('def.yaml', text);
    expect(r.diagnostics).toHaveLength(1);
  });
});

describe('unsafe characters: surrogates', () => {
  // Written as YAML escapes (a file's bytes cannot hold half a pair). A surrogate pair is one
  // character (an emoji is fine in a title); half of one cannot be written as UTF-8 and is
  // refused, whether high or low, alone or out of order.
  it.each<[string, string, boolean]>([
    ['an emoji (a surrogate pair)', 'Backfill \\uD83D\\uDE80', true],
    ['a character just below the surrogates', 'Backfill \\uD7FF', true],
    ['a character just above the surrogates', 'Backfill \\uE000', true],
    ['a lone high surrogate', 'Backfill \\uD800', false],
    ['a lone low surrogate', 'Backfill \\uDFFF', false],
    ['a pair in the wrong order', 'Backfill \\uDE80\\uD83D', false],
  ])('%s in a title: accepted %s', (_name, title, accepted) => {
    const unsafe = problems(edit('  title: Backfill orders.region from customers', `  title: "${title}"`)).filter((p) => p.includes('unsafe character'));
    if (accepted) expect(unsafe).toEqual([]);
    else expect(unsafe).toHaveLength(1);
  });
});
