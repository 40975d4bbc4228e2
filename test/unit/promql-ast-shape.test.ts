/**
 * parseAst remembers trees by shape (src/generate/rules/promql-ast.ts): the text with its string
 * literals replaced by placeholders. Every tree it gives must be the one the text parses to itself,
 * with the text's own values, and a text it refuses must be refused with the text's own reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { literalShape, parseAst, parseAstUncached, Unsupported } from '../../src/generate/rules/promql-ast';
import { rulesFor } from '../../src/generate/rules/rules';
import { loadDefinitionText } from '../../src/pipeline';
import { REPO } from '../helpers/cli';

/** The tree, or the refusal's message. */
const outcome = (parse: (text: string) => unknown, text: string): unknown => {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof Unsupported) return `refused: ${e.message}`;
    throw e;
  }
};

describe('parseAst by shape', () => {
  it.each([
    ['plain', 'up{job="api", instance="db1:9187"}'],
    ['escaped quote and backslash', String.raw`up{path="a\"b\\c", x="\n\t"}`],
    ['single quotes', String.raw`up{job='a\'b', x='"'}`],
    ['backticks keep backslashes', 'up{re=~`\\d+\\.`, job=`x"y`}'],
    ['metric name from a matcher', '{__name__="up", job="x"}'],
    ['regex and negative matchers', 'sum by (instance) (rate(http_requests_total{code=~"5..", job!="x", path!~"/health"}[5m]))'],
    ['a hash inside a literal', 'up{fragment="#top"}'],
    ['a comment', 'up{job="x"} # the "api" job'],
    ['joins and bool', 'a{m="1"} * on (migration_id) group_left (gate) (b{m="1"} > bool 2) and on () vector(3)'],
    ['numbers only', '(1 + 2) * -3'],
    ['empty literal', 'up{job=""}'],
  ])('%s: the same tree as a parse of the text itself', (_name, text) => {
    expect(outcome(parseAst, text)).toEqual(outcome(parseAstUncached, text));
  });

  it('two texts of one shape: each tree has its own values, and trees are not shared', () => {
    const a = parseAst('max(up{migration_id="first", job="x"})');
    const b = parseAst('max(up{migration_id="second-one", job="y"})');
    expect(a).toEqual(parseAstUncached('max(up{migration_id="first", job="x"})'));
    expect(b).toEqual(parseAstUncached('max(up{migration_id="second-one", job="y"})'));
    expect(a).not.toBe(b);
  });

  it("a refused text is refused with its own reason (quoting its literals, not the shape's placeholders)", () => {
    const text = 'label_replace(up, "dst", "$1", "src", "(.*)")';
    const reason = outcome(parseAstUncached, text);
    expect(reason).toMatch(/^refused: .*"dst"/);
    expect(outcome(parseAst, text)).toBe(reason);
  });

  it.each([
    ['an unterminated literal', 'up{job="x}'],
    ['a comment', 'up # "x"'],
  ])('no shape for %s (the text is parsed itself)', (_name, text) => {
    expect(literalShape(text)).toBeUndefined();
  });

  it('the shape replaces each literal, in order, and keeps the rest', () => {
    expect(literalShape('a{x="1", y=`2`} + b{z=\'3\'}')).toEqual({ shape: 'a{x="\u00010", y="\u00011"} + b{z="\u00012"}', values: ['1', '2', '3'] });
    // An escaped quote does not end a literal (a backslash in backticks escapes nothing).
    expect(literalShape(String.raw`a{x="\"y", z='\'', w=` + '`\\`}')).toEqual({ shape: 'a{x="\u00010", z="\u00011", w="\u00012"}', values: ['"y', "'", '\\'] });
  });

  it("every expression of the examples' rules and signals: the same tree as a parse of the text itself", () => {
    let n = 0;
    for (const f of readdirSync(join(REPO, 'examples')).filter((x) => x.endsWith('.yaml'))) {
      const r = loadDefinitionText(f, readFileSync(join(REPO, 'examples', f), 'utf8'));
      if (!r.ok) continue;
      for (const { model } of r.migrations) {
        const texts = [...Object.values(model.signals).map((s) => s.expr), ...rulesFor(model).groups.flatMap((g) => g.rules.map((rule) => rule.expr))];
        for (const text of texts) {
          expect(outcome(parseAst, text), text).toEqual(outcome(parseAstUncached, text));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(100);
  });
});
