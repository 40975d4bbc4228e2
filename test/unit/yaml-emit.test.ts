/**
 * The direct YAML emitter (src/render/yaml-emit.ts) writes exactly the bytes the yaml library's
 * document tree writes (toYamlFragmentViaDocument), on:
 *   - every YAML output of every golden case, flavour and valid fixture (the data each generator
 *     hands to toYaml/toYamlFragment, captured in-process), without falling back to the library;
 *   - the hostile corpus: the outputs of its valid inputs, and every input parsed as data;
 *   - a table of values known to be tricky, and a seeded fast-check property over JSON-like data
 *     with hostile strings (thousands of runs; reproduce with MIGOBS_FUZZ_SEED).
 * Its output parses back to the input data. Anything that is not plain data goes to the library.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { basename, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { FLAVOR_NAMES } from '../../src/generate/flavors/index';
import { generateAll } from '../../src/generate/index';
import { loadConfig } from '../../src/load/config';
import { loadDefinitions } from '../../src/pipeline';
import { toYaml, toYamlFragment, toYamlFragmentViaDocument } from '../../src/render/serialize';
import { emitYamlDocument, YamlEmitUnsupported } from '../../src/render/yaml-emit';
import { CORPUS, VALID } from '../hostile/corpus';
import { REPO } from '../helpers/cli';

/** Every value the generators hand to the YAML serializer, recorded as they run. */
const captured = vi.hoisted(() => [] as unknown[]);
vi.mock('../../src/render/serialize', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/render/serialize')>();
  return {
    ...real,
    toYaml: (data: unknown, source?: string) => {
      captured.push(data);
      return real.toYaml(data, source);
    },
    toYamlFragment: (data: unknown) => {
      captured.push(data);
      return real.toYamlFragment(data);
    },
  };
});

const SEED = Number(process.env.MIGOBS_FUZZ_SEED ?? (process.env.CI ? 20261201 : Date.now() % 2 ** 31));

/**
 * The emitter itself (never its fallback) against the library: the same bytes, except where the
 * library's do not read back as the data and the emitter's do (a lone space between two line
 * breaks in a folded double-quoted string, yaml-emit.ts doubleQuoted).
 */
function expectSameBytes(data: unknown, label = ''): void {
  const lib = toYamlFragmentViaDocument(data);
  const out = emitYamlDocument(data);
  if (out === lib) return;
  expect(isDeepStrictEqual(parse(lib), data), `${label}: differs from library bytes that read back right`).toBe(false);
  expect(parse(out), label).toEqual(data);
}

/** The data toYaml/toYamlFragment received while `run` ran. */
function capture(run: () => unknown): unknown[] {
  captured.length = 0;
  run();
  return captured.splice(0);
}

const yamlIn = (dir: string): string[] =>
  readdirSync(join(REPO, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(REPO, dir, f));

function generateFiles(files: string[], flavors?: Parameters<typeof generateAll>[1], configFile?: string) {
  const config = configFile ? loadConfig(configFile).config : undefined;
  const r = loadDefinitions(files, config);
  expect(r.diagnostics).toEqual([]);
  return generateAll(
    r.migrations.map((m) => m.model),
    flavors,
  );
}

describe('golden corpus: every YAML output, emitter vs document tree', () => {
  const cases = [...yamlIn('examples'), ...yamlIn('test/fixtures/golden'), ...yamlIn('test/fixtures/valid')];

  it.each(cases.map((f) => [basename(f), f]))('%s', (_name, file) => {
    const inputs = capture(() => generateFiles([file]));
    // rules, rule tests, alertmanager fragment, provisioning at least
    expect(inputs.length).toBeGreaterThanOrEqual(4);
    inputs.forEach((d, i) => expectSameBytes(d, `${file} output #${i}`));
  });

  it('all examples in one run (shared provisioning)', () => {
    const inputs = capture(() => generateFiles(yamlIn('examples')));
    expect(inputs.length).toBeGreaterThan(4);
    inputs.forEach((d, i) => expectSameBytes(d, `output #${i}`));
  });

  it.each(FLAVOR_NAMES.filter((f) => f !== 'files'))('flavour %s with the deploy config', (flavor) => {
    const inputs = capture(() => generateFiles([join(REPO, 'examples', 'orders-region-backfill.yaml')], [flavor], join(REPO, 'test', 'fixtures', 'deploy', 'migobs.config.yaml')));
    expect(inputs.length).toBeGreaterThan(0);
    inputs.forEach((d, i) => expectSameBytes(d, `${flavor} output #${i}`));
  });

  it('the golden files themselves, parsed back to data, are written identically', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    const files = walk(join(REPO, 'test', 'golden')).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      const data = parse(readFileSync(f, 'utf8'));
      if (data !== null && typeof data === 'object') expectSameBytes(data, f);
    }
  });
});

describe('hostile corpus', () => {
  const valid = CORPUS.filter(([, e]) => e === VALID).map(([n]) => n);

  it.each(valid)('outputs of valid input %s', (name) => {
    const inputs = capture(() => generateFiles([join(REPO, 'test', 'hostile', 'inputs', `${name}.yaml`)]));
    expect(inputs.length).toBeGreaterThanOrEqual(4);
    inputs.forEach((d, i) => expectSameBytes(d, `${name} output #${i}`));
  });

  it('every input that parses, as data', () => {
    let n = 0;
    // The nesting bombs are parser stress (migobs refuses them by depth before building data; the
    // library's recursion would overflow and an unclosed one takes minutes to parse): not data.
    for (const [name] of CORPUS.filter(([n]) => !n.startsWith('nesting-'))) {
      let docs;
      try {
        docs = parseAllDocuments(readFileSync(join(REPO, 'test', 'hostile', 'inputs', `${name}.yaml`), 'utf8'), { uniqueKeys: false });
      } catch {
        continue;
      }
      for (const doc of Array.isArray(docs) ? docs : [docs]) {
        let data: unknown;
        try {
          data = doc.toJS({ maxAliasCount: 50 });
        } catch {
          continue;
        }
        if (data === null || typeof data !== 'object' || !isJsonLike(data)) continue;
        expectSameBytes(data, name);
        expectRoundTrip(data, name);
        n++;
      }
    }
    expect(n).toBeGreaterThan(40);
  });
});

/**
 * yaml 2.9.1 writes a string of only spaces and line feeds that ends in a line feed (" \n",
 * "\n  \n") as a `|+` block whose lines hold only indentation, and reads it back without the
 * spaces. The emitter keeps the library's bytes (the golden outputs must not move); such strings
 * are the one known exception to the round trip, pinned in 'known library loss' below.
 */
const LOSSY_BLOCK = /^[ \n]*( \n|\n )[ \n]*$/;
function hasLossyBlock(v: unknown): boolean {
  if (typeof v === 'string') return LOSSY_BLOCK.test(v) && v.endsWith('\n');
  if (v === null || typeof v !== 'object') return false;
  return Object.entries(v).some(([k, x]) => hasLossyBlock(k) || hasLossyBlock(x));
}

/** The output parses back to the data (undefined map values are left out, undefined list items are null). */
function expectRoundTrip(data: unknown, label = ''): void {
  if (hasLossyBlock(data)) return;
  expect(parse(emitYamlDocument(data)), label).toEqual(data);
}

/** Plain data only (the parser gives Maps for complex keys, which the library writes itself). */
function isJsonLike(v: unknown): boolean {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return true;
  if (Array.isArray(v)) return v.every(isJsonLike);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every(isJsonLike);
  return false;
}

/** Values the yaml library writes in a special way: quoting, block scalars, indicators, numbers. */
const TRICKY: string[] = [
  '', ' ', '  ', 'a ', ' a', 'a  b', '\n', '\n\n', 'a\n', 'a\n\n', 'a\n\n\n', '\na', '\n\na', ' \na', 'a \nb', 'a\n b', 'a\n\tb',
  'a\nb', 'a\nb\n', 'a\nb\n\n', ' a\nb', '  a\n  b\n', 'a\n ', 'a\n\t', 'a\nb ', 'line one\nline two with trailing spaces   \n',
  '-', '--', '---', '----', '--- x', '...', '... x', 'a\n---\nb', 'a\n...\n', '%YAML', 'a\n%b', '- a', '-a', '? a', '?a', '?', ':', ': a', 'a:', 'a: b', 'a:b',
  '#', '# c', 'a #b', 'a#b', 'a\n#b', ',', 'a,b', '[', ']', '[a]', '{', '}', '{a: b}', '&a', '*a', '!a', '!!str', '|', '|-', '>', "'", '"', "it's", 'say "hi"',
  `both ' and "`, '%', '@a', '`a`', 'a\tb', '\t', 'tab\tend\t', '\u0000', '\u0007', '\u000b', '\u001b', '\u007f', '\u0085', '\u00a0', 'nbsp\u00a0x', '\u2028', '\u2029',
  '\ufeff', '\ud800', '\udc00x', '😀', 'a\r\nb', '\r', 'é', 'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', 'null', 'Null', 'NULL', '~', 'nULL',
  '0', '-0', '+0', '00', '012', '0o17', '0O17', '0x1F', '0X1F', '0b101', '1_000', '1e3', '1E3', '1e+3', '-1.5e-3', '.5', '5.', '-.5', '+.5', '1.', '.inf', '-.inf', '+.Inf', '.nan',
  '.NaN', '.NAN', 'nan', 'inf', 'Infinity', 'NaN', '1:30', '2001-12-14', '12:00:00', '0.1.2', '1.2.3.4', 'x'.repeat(2000), `${'word '.repeat(400)}end`, 'a'.repeat(1025),
  '{{ $labels.instance }}', '{{ with query "up" }}{{ . }}{{ end }}', 'sum(rate(x[5m])) > 0.5', 'job="a", env=~"b|c"', '<script>alert(1)</script>', '\\', 'a\\nb',
  `${'x'.repeat(39)}\n`, `${'x'.repeat(37)}\ny`, `${'x'.repeat(50)}\n y \n\n  z`, `"${'q'.repeat(50)}\n"`, 'a \n b', ' \n ', 'x\n\n\n\ny\n',
];

describe('tricky values', () => {
  it.each(TRICKY.map((s) => [JSON.stringify(s).slice(0, 60), s]))('string %s as a value, a key, a list item and nested', (_label, s) => {
    for (const data of [{ v: s }, { [s]: 1 }, { [s]: s }, [s], [[s]], { a: { b: [s, { [s]: [s] }] } }, [{ [s]: { [s]: s } }], { [s]: [] }, { [s]: {} }]) {
      expectSameBytes(data, JSON.stringify(data).slice(0, 200));
      expectRoundTrip(data, JSON.stringify(data).slice(0, 200));
    }
  });

  it('known library loss: whitespace-only multi-line strings lose their spaces (kept for byte identity)', () => {
    for (const s of [' \n', '  \n\n', '\n \n', ' \n \n']) {
      expect(emitYamlDocument({ k: s })).toBe(toYamlFragmentViaDocument({ k: s }));
      expect(emitYamlDocument({ k: s })).toMatch(/^k: \|\+\n/);
      expect(parse(emitYamlDocument({ k: s })).k).toBe(s.replace(/ /g, ''));
    }
  });

  it('a lone space between two line breaks in a folded double-quoted string reads back (the library 2.9.1 writes `\\\\ `, a backslash)', () => {
    // Found by the property test below (seed 838997090). Folded: double-quoted and at least 40 long.
    for (const s of [`${'x'.repeat(45)}\n\n \n `, `${'x'.repeat(45)}\t\n \nend`, `\u0007 ${'y'.repeat(40)}\n \n \n`]) {
      expect(emitYamlDocument({ k: s })).toMatch(/^k: "/);
      for (const data of [{ k: s }, { a: { b: { c: s } } }, [s]]) {
        expect(parse(emitYamlDocument(data))).toEqual(data);
      }
    }
    const lossy = { k: `${'x'.repeat(45)}\n\n \n ` };
    expect(parse(toYamlFragmentViaDocument(lossy))).not.toEqual(lossy); // the library's loss, pinned: drop the exception when it is fixed
  });

  it.each([0, -0, 1, -1, 1.5, -2.25, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, NaN, Infinity, -Infinity, 0.1 + 0.2])('number %s', (n) => {
    expectSameBytes({ n, list: [n, [n]] });
    expect(parse(emitYamlDocument({ n }))).toEqual({ n });
  });

  it('booleans, null, undefined (left out of maps, null in lists), empty collections, holes', () => {
    // eslint-disable-next-line no-sparse-arrays
    const data = { t: true, f: false, z: null, u: undefined, arr: [undefined, null, , 1], e: [], o: {}, onlyUndefined: { u: undefined }, nested: [[], {}, [[]], [{}]] };
    expectSameBytes(data);
    expectSameBytes([[], {}, [[[]]], { a: [{ b: [] }] }]);
    expectSameBytes([]);
    expectSameBytes({});
  });

  it('integer-like keys come first in both (JavaScript key order)', () => {
    expectSameBytes({ b: 1, 2: 'x', a: 2, 1: 'y', '-1': 'z', '01': 'w' });
  });

  it('a key longer than 1024 characters is written as an explicit key', () => {
    const k = 'k'.repeat(1030);
    for (const v of ['x', [1, 2], { a: 1 }, [], {}, 'a\nb']) expectSameBytes({ [k]: v, n: { [k]: v } });
    expect(emitYamlDocument({ [k]: 'x' })).toMatch(/^\? k+\n: x\n$/);
  });
});

describe('fallback to the library', () => {
  class Point {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  it.each<[string, unknown]>([
    ['a class instance', { p: new Point(1, 2) }],
    ['a Map', { m: new Map([['a', 1]]) }],
    ['a Set', [new Set([1, 2])]],
    ['a Date', { d: new Date(0) }],
    ['an object with toJSON', { j: { toJSON: () => 'x' } }],
    ['a boxed string', { s: new String('x') }],
    ['a bigint', { b: 10n }],
    ['a string at the root', 'plain'],
    ['a number at the root', 42],
    ['null at the root', null],
  ])('%s: toYamlFragment gives the library output', (_name, data) => {
    expect(() => emitYamlDocument(data)).toThrow(YamlEmitUnsupported);
    expect(toYamlFragment(data)).toBe(toYamlFragmentViaDocument(data));
  });

  it('toYaml keeps its header and writes the fragment', () => {
    expect(toYaml({ a: 1 }, 'x.yaml')).toMatch(/^# Generated by migobs.*\n# Source: x\.yaml\na: 1\n$/);
  });
});

describe('property: arbitrary JSON-like data with hostile strings', () => {
  /** Pieces of YAML syntax, words other schemas read as non-strings, and characters parsers treat specially. */
  const PIECES = [
    ' ', '  ', '\n', '\n\n', '\t', '\r', ':', ': ', ' #', '#', '-', '- ', '?', '? ', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '\\', '---', '...',
    'true', 'False', 'yes', 'no', 'on', 'off', 'null', '~', '<<', '=', '0', '1', '-1', '1.5', '1e3', '.5', '0x1F', '0o7', '0b1', '1_0', '1:30', '.inf', '.nan', '2001-12-14',
    '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff', '\ud800', '\udfff', '😀', 'é', 'a', 'b', 'xyz', '{{ $value }}', 'x'.repeat(45),
  ];
  const piece = fc.constantFrom(...PIECES);
  const nasty = fc.oneof(
    { weight: 4, arbitrary: fc.array(piece, { maxLength: 8 }).map((p) => p.join('')) },
    { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(' ', '\n', '\t', 'a', ':', '#', '-', '"', "'", '.', '0', '\u2028', '\\'), maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    { weight: 1, arbitrary: fc.constantFrom(...TRICKY) },
  );
  const scalar = fc.oneof(
    { weight: 6, arbitrary: nasty },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('tree'), { maxLength: 5 }),
    map: fc.dictionary(nasty, tie('tree'), { maxKeys: 5 }),
  }));
  const root = fc.oneof(fc.array(tree, { maxLength: 5 }), fc.dictionary(nasty, tree, { maxKeys: 6 }));

  it('the emitter writes the library bytes, and they parse back to the data', () => {
    fc.assert(
      fc.property(root, (data) => {
        expectSameBytes(data);
        expectRoundTrip(data);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('every string alone, as a key and as a value in a list item map', () => {
    fc.assert(
      fc.property(nasty, nasty, (s, t) => {
        for (const data of [{ [s]: t }, [{ [s]: [t] }], { a: { [t]: { [s]: s } } }]) {
          expectSameBytes(data);
          expectRoundTrip(data);
        }
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});
