/**
 * The position index kept with a definition's check in the result cache (src/load/positions.ts):
 * `lint` after a `generate` locates its findings from it instead of parsing the YAML again, so it
 * must answer exactly what the parsed document answers (SourceFile.locate), for every path in the
 * definition, for paths that leave it (a key that is not there, an item past the end, a path
 * through a scalar), for keys and values, after a JSON round trip (as the cache stores it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateIndexed } from '../../src/load/positions';
import { parseSource, type JsonPath } from '../../src/load/source';
import { REPO } from '../helpers/cli';

const yamlIn = (dir: string): string[] =>
  readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f));

const FILES = [...yamlIn('examples'), ...yamlIn('test/fixtures/valid'), ...yamlIn('test/fixtures/semantic'), ...yamlIn('test/fixtures/lint'), ...yamlIn('test/hostile/inputs'), ...yamlIn('test/fixtures/invalid')];

/** Every path of a value, and paths that leave it at each level. */
function paths(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = [prefix, [...prefix, 'no-such-key'], [...prefix, 'no-such-key', 0], [...prefix, 99], [...prefix, 99, 0]];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i]), [...prefix, String(i)]));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  else out.push([...prefix, 'below-a-scalar', 0]);
  return out;
}

describe('positions kept with a cached check', () => {
  it('cover the shipped examples and the fixture and hostile corpora', () => {
    expect(FILES.length).toBeGreaterThan(150);
  });

  it.each(FILES)('%s: every path, key and value, where the parsed document puts it', (file) => {
    const loaded = parseSource(file, readFileSync(join(REPO, file)));
    if (!loaded.source) return; // refused before it is a document: nothing is cached for it
    const source = loaded.source;
    const index = JSON.parse(JSON.stringify(source.positions!()));
    let compared = 0;
    for (const path of paths(source.data)) {
      for (const part of ['key', 'value'] as const) {
        expect(locateIndexed(index, path, part), `${JSON.stringify(path)} (${part})`).toEqual(source.locate(path, part));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });
});
