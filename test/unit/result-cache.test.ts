/**
 * The result cache (src/write/result-cache.ts, docs/incremental.md#the-result-cache): the store
 * itself (round trip, damaged and foreign entries are misses, an unwritable folder means no cache,
 * where it lives), which values it accepts, and through the built CLI that a cached check or lint
 * result gives exactly the output of a fresh one and is not used once anything it derives from
 * changed (the definition, a committed file, the config).
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheRoot, isPlainJson, openResultCache, resultKey } from '../../src/write/result-cache';
import { migobs, REPO } from '../helpers/cli';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const tempRoot = (): string => {
  const r = mkdtempSync(join(tmpdir(), 'migobs-result-cache-'));
  roots.push(r);
  return r;
};

/** Every entry file under a cache folder. */
function entries(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

describe('the store', () => {
  const BUILD = 'a'.repeat(64);

  it('is off when running from source (no build id) and with MIGOBS_NO_CACHE=1', () => {
    expect(openResultCache({ MIGOBS_CACHE_DIR: tempRoot() }, REPO, undefined)).toBeUndefined();
    expect(openResultCache({ MIGOBS_CACHE_DIR: tempRoot(), MIGOBS_NO_CACHE: '1' }, REPO, BUILD)).toBeUndefined();
  });

  it('gives back what was stored, under its key only', () => {
    const cache = openResultCache({ MIGOBS_CACHE_DIR: tempRoot() }, REPO, BUILD)!;
    const key = cache.key({ kind: 'check', file: 'a.yaml' });
    expect(cache.get(key, 'a.yaml')).toBeUndefined();
    cache.put(key, { diagnostics: [], n: 1 }, 'a.yaml');
    expect(cache.get(key, 'a.yaml')).toEqual({ diagnostics: [], n: 1 });
    expect(cache.get(cache.key({ kind: 'check', file: 'b.yaml' }), 'b.yaml')).toBeUndefined();
  });

  it('keys differ with every part and with the build', () => {
    const keys = new Set([resultKey(BUILD, { file: 'a' }), resultKey(BUILD, { file: 'b' }), resultKey('b'.repeat(64), { file: 'a' }), resultKey(BUILD, { file: 'a', config: '{}' })]);
    expect(keys.size).toBe(4);
  });

  it.each<[string, (text: string, key: string) => string]>([
    ['cut short (a crash mid-write)', (t) => t.slice(0, t.length / 2)],
    ['empty', () => ''],
    ['the entry of another key (copied by hand)', (t) => t.replace(/"key":"[0-9a-f]+"/, `"key":"${'0'.repeat(64)}"`)],
    ['another format', (t) => t.replace('"format":1', '"format":99')],
  ])('an entry that is %s is a miss, and the next put replaces it', (_what, damage) => {
    const dir = tempRoot();
    const cache = openResultCache({ MIGOBS_CACHE_DIR: dir }, REPO, BUILD)!;
    const key = cache.key({ file: 'x' });
    cache.put(key, { v: 1 }, 'x');
    const [file] = entries(dir);
    writeFileSync(file!, damage(readFileSync(file!, 'utf8'), key));
    expect(cache.get(key, 'x')).toBeUndefined();
    cache.put(key, { v: 2 }, 'x');
    expect(cache.get(key, 'x')).toEqual({ v: 2 });
  });

  it('a folder it cannot write means no cache, never an error', () => {
    const dir = tempRoot();
    writeFileSync(join(dir, 'cache'), 'a file where the folder should be');
    const cache = openResultCache({ MIGOBS_CACHE_DIR: join(dir, 'cache') }, REPO, BUILD)!;
    const key = cache.key({ file: 'x' });
    expect(() => cache.put(key, { v: 1 }, 'x')).not.toThrow();
    expect(cache.get(key, 'x')).toBeUndefined();
  });

  it('removes folders of other builds unused for a week, keeps recent ones', () => {
    const dir = tempRoot();
    const old = join(dir, '0123456789abcdef');
    const recent = join(dir, 'fedcba9876543210');
    mkdirSync(old);
    mkdirSync(recent);
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    require('node:fs').utimesSync(old, weekAgo, weekAgo);
    const cache = openResultCache({ MIGOBS_CACHE_DIR: dir }, REPO, BUILD)!;
    cache.put(cache.key({ file: 'x' }), { v: 1 }, 'x');
    expect(readdirSync(dir).sort()).toEqual([BUILD.slice(0, 16), 'fedcba9876543210']);
  });

  it('lives in $MIGOBS_CACHE_DIR, else node_modules/.cache/migobs of the working folder, else the user cache folder', () => {
    expect(cacheRoot({ MIGOBS_CACHE_DIR: '/x' }, REPO)).toBe('/x');
    expect(cacheRoot({}, REPO)).toBe(join(REPO, 'node_modules', '.cache', 'migobs'));
    const bare = tempRoot();
    expect(cacheRoot({ XDG_CACHE_HOME: '/c' }, bare)).toBe(join('/c', 'migobs', 'results'));
  });
});

describe('values it accepts (only what JSON gives back unchanged)', () => {
  it.each<[string, unknown, boolean]>([
    ['plain data', { a: [1, 'x', true, null, { b: 2.5 }] }, true],
    ['an undefined property', { a: undefined }, false],
    ['a hole in an array', [1, , 3], false],
    ['NaN', { a: NaN }, false],
    ['Infinity', [Infinity], false],
    ['-0', { a: -0 }, false],
    ['a Map', { a: new Map() }, false],
    ['a Date', { a: new Date(0) }, false],
    ['a function', { a: () => 1 }, false],
    ['a bigint', { a: 1n }, false],
    ['a regular expression', { a: /x/ }, false],
  ])('%s', (_what, value, ok) => {
    expect(isPlainJson(value)).toBe(ok);
  });
});

describe('through the CLI', () => {
  const EXAMPLE = readFileSync(join(REPO, 'examples/orders-region-backfill.yaml'), 'utf8');

  /** A repo with two definitions, their generated output, and a cache of its own. */
  function repo(): { root: string; run: (args: string[], extra?: Record<string, string>) => ReturnType<typeof migobs> } {
    const root = tempRoot();
    mkdirSync(join(root, 'defs'));
    for (const id of ['m1', 'm2']) writeFileSync(join(root, 'defs', `${id}.yaml`), EXAMPLE.replace(/^ {2}id: orders-region-backfill\b/m, `  id: ${id}`));
    const env = { MIGOBS_CACHE_DIR: join(root, 'cache'), MIGOBS_CACHE_DEBUG: '1' };
    const run = (args: string[], extra: Record<string, string> = {}) => migobs(args, { cwd: root, env: { ...env, ...extra } });
    expect(run(['generate', 'defs', '--out-dir', 'out', '--quiet']).code).toBe(0);
    return { root, run };
  }
  const lintJson = ['lint', 'defs', '--out-dir', 'out', '--format', 'json'];
  const debugLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('migobs cache: '));

  it('a lint from the cache prints exactly what a lint without it prints', () => {
    const { run } = repo();
    const first = run(lintJson);
    // Each file is linted as soon as it is checked.
    expect(debugLines(first.stderr)).toEqual(['migobs cache: hit defs/m1.yaml', 'migobs cache: miss lint defs/m1.yaml', 'migobs cache: stored lint defs/m1.yaml', 'migobs cache: hit defs/m2.yaml', 'migobs cache: miss lint defs/m2.yaml', 'migobs cache: stored lint defs/m2.yaml']);
    const second = run(lintJson);
    expect(debugLines(second.stderr)).toEqual(['migobs cache: hit defs/m1.yaml', 'migobs cache: hit lint defs/m1.yaml', 'migobs cache: hit defs/m2.yaml', 'migobs cache: hit lint defs/m2.yaml']);
    const fresh = run(lintJson, { MIGOBS_NO_CACHE: '1' });
    expect(debugLines(fresh.stderr)).toEqual([]);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(fresh.stdout));
    expect(second.stdout).toBe(fresh.stdout);
    // The first lint parsed the sources again for positions, with the checks' models from the cache.
    expect(first.stdout).toBe(fresh.stdout);
    expect(first.code).toBe(fresh.code);
    expect(second.code).toBe(fresh.code);
  });

  it('a hand edit of a committed file is not answered from the cache: drift reports it', () => {
    const { root, run } = repo();
    run(lintJson);
    const rules = join(root, 'out', 'prometheus', 'rules', 'm1.yaml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace(/> 10\)/g, '> 11)'));
    const r = run(lintJson);
    expect(debugLines(r.stderr)).toContain('migobs cache: miss lint defs/m1.yaml');
    expect(debugLines(r.stderr)).toContain('migobs cache: hit lint defs/m2.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('has pause 11, the definition has 10');
  });

  it('an edited definition is checked again; an invalid one is refused every time, the second time from the cache', () => {
    const { root, run } = repo();
    const def = join(root, 'defs', 'm2.yaml');
    writeFileSync(def, readFileSync(def, 'utf8').replace(/^ {2}type: /m, '  tpye: '));
    for (const expected of ['migobs cache: miss defs/m2.yaml', 'migobs cache: hit defs/m2.yaml']) {
      const r = run(['generate', 'defs', '--out-dir', 'out2']);
      expect(r.code).toBe(1);
      expect(debugLines(r.stderr)).toContain(expected);
      expect(r.stderr).toMatch(/defs\/m2\.yaml:\d+:\d+: .*tpye/);
      expect(r.stderr).toContain('nothing was written');
    }
  });

  it('another config is another key: the check runs again', () => {
    const { root, run } = repo();
    writeFileSync(join(root, 'migobs.config.yaml'), 'runbookBaseUrl: https://git.example.com/obs/-/blob/main/out\n');
    const r = run(['generate', 'defs', '--out-dir', 'out', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(debugLines(r.stderr).filter((l) => l.startsWith('migobs cache: miss defs/'))).toHaveLength(2);
  });

  it('an unwritable cache folder changes nothing but speed', () => {
    const { root, run } = repo();
    const ro = join(root, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    try {
      const r = run(lintJson, { MIGOBS_CACHE_DIR: join(ro, 'cache') });
      const fresh = run(lintJson, { MIGOBS_NO_CACHE: '1' });
      expect(r.stdout).toBe(fresh.stdout);
      // root ignores permissions: only check the message when the folder really was unwritable
      if (process.getuid?.() !== 0) expect(r.stderr).toContain('running without a cache');
    } finally {
      chmodSync(ro, 0o700);
    }
  });
});
