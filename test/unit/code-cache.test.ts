/**
 * The V8 code cache of the CLI bundles (bin/code-cache.js): used when it fits, rebuilt when it does
 * not, and never able to break the CLI (missing, stale, truncated, corrupt, rejected by V8,
 * unwritable, written by parallel runs). Runs the built CLI from a copy of bin/ and dist/ so the
 * repo's own caches are not touched. No timings are asserted: whether a cache was used is read
 * from MIGOBS_CODE_CACHE_DEBUG's lines.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const codeCache = require('../../bin/code-cache.js') as {
  parseCache(buf: Buffer, key: string): { data?: Buffer; kind?: string; reason?: string };
  formatCache(key: string, kind: string, data: Buffer): Buffer;
  keyOf(stat: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): string;
  prime(dist: string, files: string[]): number;
  preloadBuiltins(dist: string, command: string | undefined): void;
  BUILTINS_FILE: string;
  FORMAT: string;
};

let root: string;
let xdg: string;
/** V8's tag for the flags every CLI run starts with (bin/code-cache.js flagsTag): part of each cache's name. */
let cliTag: string;
/** The same for a plain node that only installs the loader (V8's default flags). */
let plainTag: string;
const cacheFile = (rel: string, tag = cliTag): string => join(root, 'dist', '.code-cache', `${rel}.${tag}.cache`);

function run(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string; states: Record<string, string> } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'migobs.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', MIGOBS_CODE_CACHE_DEBUG: '1', XDG_CACHE_HOME: xdg, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, states: statesOf(r.stderr) };
}

/** `code-cache: commands/schema.js: hit` lines -> { 'commands/schema.js': 'hit' } (the load line, not the write line). */
function statesOf(stderr: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, file, state] of stderr.matchAll(/^code-cache: (\S+): (\S+)/gm)) if (file && state && !(file in out)) out[file] = state;
  return out;
}

const expectedSchema = (): string => readFileSync(join(REPO, 'schema', 'migration.schema.json'), 'utf8');

beforeAll(() => {
  const probe = (cliFlags: boolean): string =>
    spawnSync(process.execPath, ['-e', `const c = require(${JSON.stringify(join(REPO, 'bin', 'code-cache.js'))}); ${cliFlags ? 'c.useCliFlags();' : ''} process.stdout.write(c.flagsTag());`], { encoding: 'utf8' }).stdout;
  cliTag = probe(true);
  plainTag = probe(false);
  expect(cliTag).toMatch(/^[0-9a-f]{8}$/);
  expect(plainTag).toMatch(/^[0-9a-f]{8}$/);
  // The CLI's flags (no TurboFan, a small young generation) are part of the tag.
  expect(plainTag).not.toBe(cliTag);
  root = mkdtempSync(join(tmpdir(), 'migobs-code-cache-'));
  xdg = join(root, 'xdg');
  cpSync(join(REPO, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(REPO, 'dist'), join(root, 'dist'), { recursive: true, filter: (src) => !src.includes('.code-cache') && !src.includes(join('dist', 'lib')) });
  for (const d of ['presets', 'exporters', 'schema', 'package.json']) symlinkSync(join(REPO, d), join(root, d));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('code cache of the CLI bundles', () => {
  it('a first run compiles and writes the caches, the next run uses them, with the same output', () => {
    rmSync(join(root, 'dist', '.code-cache'), { recursive: true, force: true });
    const first = run(['schema']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(expectedSchema());
    expect(first.states).toEqual({ 'cli.js': 'miss', 'commands/schema.js': 'miss' });
    expect(existsSync(cacheFile('cli.js'))).toBe(true);
    expect(existsSync(cacheFile('commands/schema.js'))).toBe(true);
    const second = run(['schema']);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.states).toEqual({ 'cli.js': 'hit', 'commands/schema.js': 'hit' });
    // Nothing is rewritten on a hit.
    expect(second.stderr).not.toMatch(/written/);
  });

  it('the caches the build primes are used by the first run (made under the flags the CLI runs with)', () => {
    rmSync(join(root, 'dist', '.code-cache'), { recursive: true, force: true });
    const bundles = ['cli.js', 'commands/schema.js'].map((f) => join(root, 'dist', f));
    // As scripts/build.mjs does, in this (vitest) process: node's default flags, TurboFan on.
    expect(codeCache.prime(join(root, 'dist'), bundles)).toBe(2);
    const first = run(['schema']);
    expect(first.code).toBe(0);
    expect(first.states).toEqual({ 'cli.js': 'hit-partial', 'commands/schema.js': 'hit-partial' });
  });

  it('a run that turned TurboFan back on writes no cache (it would be stamped with flags no run starts with)', () => {
    rmSync(join(root, 'dist', '.code-cache'), { recursive: true, force: true });
    // `report` is long-running work (src/cli/jit.ts): it turns TurboFan on once its bundle is loaded.
    const r = run(['report', join(root, 'missing.yaml'), '--from', '1h', '--to', 'now']);
    expect(r.code).toBe(1);
    expect(r.states['commands/report.js']).toBe('miss');
    expect(r.stderr).toMatch(/^code-cache: commands\/report\.js: not written \(V8 flags changed during the run\)$/m);
    expect(existsSync(cacheFile('commands/report.js'))).toBe(false);
  });

  it('a run that fails keeps its cache as run-failed: used, never counted whole; the next run that exits 0 replaces it', () => {
    rmSync(join(root, 'dist', '.code-cache'), { recursive: true, force: true });
    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: migobs/v1\nkind: Migration\nmetadata:\n  id: x\nspec:\n  type: backfil\n');
    const example = join(REPO, 'examples', 'orders-region-backfill.yaml');
    const kindOf = (rel: string): string => readFileSync(cacheFile(rel), 'latin1').split('\n')[0]!.split(' ')[1]!;

    const failed = run(['validate', bad]);
    expect(failed.code).toBe(1);
    expect(failed.states['commands/validate.js']).toBe('miss');
    expect(failed.stderr).toMatch(/^code-cache: commands\/validate\.js: written .* \(run-failed: the run exited 1\)$/m);
    expect(kindOf('commands/validate.js')).toBe('run-failed');

    // Another failing run uses it and leaves it alone (no rewrite at every failing run).
    const failedAgain = run(['validate', bad]);
    expect(failedAgain.states['commands/validate.js']).toBe('hit-partial');
    expect(failedAgain.stderr).toMatch(/^code-cache: commands\/validate\.js: not written \(the run exited 1; the cache of an earlier such run stays\)$/m);

    // A run that gets through replaces it with a whole one, which the next run uses as is.
    const good = run(['validate', example]);
    expect(good.code).toBe(0);
    expect(good.states['commands/validate.js']).toBe('hit-partial');
    expect(kindOf('commands/validate.js')).toBe('run');
    const after = run(['validate', example]);
    expect(after.states['commands/validate.js']).toBe('hit');
    expect(after.stderr).not.toMatch(/written/);
    // An error after that leaves the whole cache alone (a hit is never rewritten).
    const again = run(['validate', bad]);
    expect(again.states['commands/validate.js']).toBe('hit');
    expect(again.stderr).not.toMatch(/written/);
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2)), 'corrupt'],
    ['empty', () => Buffer.alloc(0), 'corrupt'],
    ['one byte of the data flipped', (b: Buffer) => { const c = Buffer.from(b); c.writeUInt8(c.readUInt8(c.length - 100) ^ 0xff, c.length - 100); return c; }, 'corrupt'],
    ['random bytes', () => Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)), 'corrupt'],
  ])('a %s cache is ignored and rebuilt: the CLI still works', (_name, damage, state) => {
    run(['schema']);
    const f = cacheFile('commands/schema.js');
    writeFileSync(f, damage(readFileSync(f)));
    const r = run(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expectedSchema());
    expect(r.states['commands/schema.js']).toBe(state);
    expect(run(['schema']).states['commands/schema.js']).toBe('hit');
  });

  it('data V8 cannot use under a valid header (other V8, other flags, garbage) is rejected by V8 and rebuilt', () => {
    run(['schema']);
    const f = cacheFile('commands/schema.js');
    const bundle = join(root, 'dist', 'commands', 'schema.js');
    const key = codeCache.keyOf(statSync(bundle));
    // A well-formed file for this very bundle whose data is not V8's: only V8's own check can refuse it.
    writeFileSync(f, codeCache.formatCache(key, 'run', Buffer.from('not a V8 code cache, but the right length and checksum'.repeat(50))));
    const r = run(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expectedSchema());
    expect(r.states['commands/schema.js']).toBe('rejected');
    expect(run(['schema']).states['commands/schema.js']).toBe('hit');
  });

  it('runs under other V8 flags (NODE_OPTIONS) keep a cache of their own instead of rewriting the plain one; node-only options share it', () => {
    run(['schema']);
    const plain = readFileSync(cacheFile('commands/schema.js'));
    const withOptions = { NODE_OPTIONS: '--max-old-space-size=4096' };
    // V8 would refuse the plain cache under other flags: a file of its own, missing the first time.
    expect(run(['schema'], withOptions).states['commands/schema.js']).toBe('miss');
    const tags = readdirSync(join(root, 'dist', '.code-cache', 'commands')).flatMap((n) => /^schema\.js\.([0-9a-f]{8})\.cache$/.exec(n)?.[1] ?? []);
    expect(tags.sort()).toEqual([cliTag, tags.find((t) => t !== cliTag)!].sort());
    const r = run(['schema'], withOptions);
    expect(r.states['commands/schema.js']).toBe('hit');
    expect(r.stdout).toBe(expectedSchema());
    // Taking turns, neither run rejects or rewrites the other's cache.
    expect(run(['schema']).states['commands/schema.js']).toBe('hit');
    expect(readFileSync(cacheFile('commands/schema.js')).equals(plain)).toBe(true);
    expect(run(['schema'], withOptions).states['commands/schema.js']).toBe('hit');
    // An option of node's own (not a V8 flag) changes nothing V8 checks: the plain cache serves.
    expect(run(['schema'], { NODE_OPTIONS: '--conditions=migobs-probe' }).states['commands/schema.js']).toBe('hit');
  });

  it('a cache of another build of the bundle (same size, other mtime) is stale and rebuilt', () => {
    run(['schema']);
    const bundle = join(root, 'dist', 'commands', 'schema.js');
    const later = new Date(Date.now() + 60_000);
    utimesSync(bundle, later, later);
    const r = run(['schema']);
    expect(r.code).toBe(0);
    expect(r.states['commands/schema.js']).toBe('stale');
    expect(run(['schema']).states['commands/schema.js']).toBe('hit');
  });

  it('an unwritable dist falls back to $XDG_CACHE_HOME/migobs, and with neither the CLI runs uncached', () => {
    rmSync(join(root, 'dist', '.code-cache'), { recursive: true, force: true });
    rmSync(xdg, { recursive: true, force: true });
    // A file where the cache folder would be: no cache can be written there, even by root.
    writeFileSync(join(root, 'dist', '.code-cache'), 'not a folder');
    try {
      const first = run(['schema']);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe(expectedSchema());
      expect(first.stderr).toContain(join(xdg, 'migobs', 'code-cache'));
      expect(run(['schema']).states).toEqual({ 'cli.js': 'hit', 'commands/schema.js': 'hit' });

      // Neither location writable.
      rmSync(xdg, { recursive: true, force: true });
      writeFileSync(xdg, 'not a folder either');
      const none = run(['schema']);
      expect(none.code).toBe(0);
      expect(none.stdout).toBe(expectedSchema());
      expect(none.stderr).toMatch(/commands\/schema\.js: unwritable/);
      expect(run(['schema']).states['commands/schema.js']).toBe('miss');
    } finally {
      rmSync(join(root, 'dist', '.code-cache'), { force: true });
      rmSync(xdg, { recursive: true, force: true });
    }
  });

  it('MIGOBS_NO_CODE_CACHE=1 compiles plainly and writes nothing', () => {
    rmSync(join(root, 'dist', '.code-cache'), { recursive: true, force: true });
    const r = run(['schema'], { MIGOBS_NO_CODE_CACHE: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expectedSchema());
    expect(r.stderr).toBe('');
    expect(existsSync(join(root, 'dist', '.code-cache'))).toBe(false);
  });

  it('parallel cold runs (a pre-commit hook) all succeed and leave whole caches, no temp files', async () => {
    rmSync(join(root, 'dist', '.code-cache'), { recursive: true, force: true });
    const one = (): Promise<{ code: number | null; stdout: string }> =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, [join(root, 'bin', 'migobs.js'), 'validate', join(REPO, 'examples', 'orders-region-backfill.yaml')], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: xdg } });
        let stdout = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.on('close', (code) => resolve({ code, stdout }));
      });
    const results = await Promise.all(Array.from({ length: 6 }, one));
    for (const r of results) expect(r).toEqual({ code: 0, stdout: 'ok: 1 definition(s) valid\n' });
    const leftovers = readdirSync(join(root, 'dist', '.code-cache'), { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
    const again = run(['validate', join(REPO, 'examples', 'orders-region-backfill.yaml')]);
    expect(again.code).toBe(0);
    expect(again.states).toEqual({ 'cli.js': 'hit', 'commands/validate.js': 'hit' });
  });

  it('a bundle that throws at load still reports its own error (the cache does not swallow it)', () => {
    const bundle = join(root, 'dist', 'commands', 'schema.js');
    const saved = readFileSync(bundle);
    try {
      writeFileSync(bundle, 'throw new Error("broken bundle");\n');
      const r = run(['schema', '--debug']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('broken bundle');
      // The stack names the bundle file, as a plain require would.
      expect(r.stderr).toContain(join('dist', 'commands', 'schema.js'));
    } finally {
      writeFileSync(bundle, saved);
    }
  });

  it.each([
    ['UTF-8 text (accents, a check mark, an emoji)', Buffer.from("module.exports = { text: 'h\u00e9llo \u2713 \u{1F600}', line: new Error('x').stack.split('\\n')[1] };\n", 'utf8')],
    ['a byte-order mark before the code', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("module.exports = { text: 'h\u00e9llo \u2713 \u{1F600}', line: new Error('x').stack.split('\\n')[1] };\n", 'utf8')])],
  ])('a bundle of %s loads through the cache as through a plain require, cold and cached', (_name, bytes) => {
    const bundle = join(root, 'dist', 'commands', 'text-probe.js');
    writeFileSync(bundle, bytes);
    try {
      const load = (installLoader: boolean): { text: string; line: string } => {
        const script = `${installLoader ? `require(${JSON.stringify(join(root, 'bin', 'code-cache.js'))}).install(${JSON.stringify(join(root, 'dist'))});` : ''} process.stdout.write(JSON.stringify(require(${JSON.stringify(bundle)})));`;
        const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: xdg } });
        expect(r.stderr).toBe('');
        return JSON.parse(r.stdout) as { text: string; line: string };
      };
      const plain = load(false);
      expect(plain.text).toBe('h\u00e9llo \u2713 \u{1F600}');
      // Cold (compiled, cache written), then from the cache: the same text and the same stack position.
      expect(load(true)).toEqual(plain);
      expect(load(true)).toEqual(plain);
      expect(existsSync(cacheFile('commands/text-probe.js', plainTag))).toBe(true);
    } finally {
      rmSync(bundle, { force: true });
    }
  });

  it('bundles read one after another through the shared buffer (a big one, then a small one) load whole, and use their caches', () => {
    // The second bundle is read into bytes the first left behind, and each cache into the bytes its
    // own source left: a decode past the bundle's end, or a cache read over a source not yet
    // decoded, fails here (a syntax error, the wrong value, or V8 rejecting the cache).
    const big = join(root, 'dist', 'commands', 'big-probe.js');
    const small = join(root, 'dist', 'commands', 'small-probe.js');
    writeFileSync(big, `module.exports = { size: 'big', filler: ${JSON.stringify('x'.repeat(300_000))}.length, f: () => 'big' };\n`);
    writeFileSync(small, "module.exports = { size: 'small', f: () => 'small' };\n");
    try {
      const load = (): { out: unknown; states: Record<string, string> } => {
        const script = `require(${JSON.stringify(join(root, 'bin', 'code-cache.js'))}).install(${JSON.stringify(join(root, 'dist'))}); const b = require(${JSON.stringify(big)}); const s = require(${JSON.stringify(small)}); process.stdout.write(JSON.stringify([b.size, b.filler, b.f(), s.size, s.f()]));`;
        const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: xdg, MIGOBS_CODE_CACHE_DEBUG: '1' } });
        expect(r.status, r.stderr).toBe(0);
        return { out: JSON.parse(r.stdout), states: statesOf(r.stderr) };
      };
      const expected = ['big', 300_000, 'big', 'small', 'small'];
      const cold = load();
      expect(cold.out).toEqual(expected);
      expect(cold.states).toEqual({ 'commands/big-probe.js': 'miss', 'commands/small-probe.js': 'miss' });
      const cached = load();
      expect(cached.out).toEqual(expected);
      expect(cached.states).toEqual({ 'commands/big-probe.js': 'hit', 'commands/small-probe.js': 'hit' });
    } finally {
      for (const f of [big, small]) rmSync(f, { force: true });
      for (const f of ['commands/big-probe.js', 'commands/small-probe.js']) rmSync(cacheFile(f, plainTag), { force: true });
    }
  });

  it('the bundles still load with a plain require (no loader installed)', () => {
    const r = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(root, 'dist', 'commands', 'schema.js'))}); process.stdout.write(typeof m.schemaCommand)`], { encoding: 'utf8' });
    expect(r.stdout).toBe('function');
  });
});

describe("preloading node's modules of a command (dist/builtins.json)", () => {
  it('the build lists them for every command bundle: generate needs node:crypto, gate node:https', () => {
    const list = JSON.parse(readFileSync(join(REPO, 'dist', codeCache.BUILTINS_FILE), 'utf8')) as Record<string, string[]>;
    const commands = readdirSync(join(REPO, 'dist', 'commands')).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, ''));
    expect(Object.keys(list).sort()).toEqual(commands.sort());
    expect(list.generate).toContain('crypto');
    expect(list.gate).toContain('https');
    expect(list.validate).not.toContain('crypto');
  });

  it.each<[string, string | undefined]>([
    ['no list at all', undefined],
    ['a list that is not JSON', '{"generate": ['],
    ['a command that is not listed', '{"validate": []}'],
    ['a list that is not a list', '{"generate": "crypto"}'],
    ['a module this node does not have', '{"generate": ["no-such-module", 42, "os"]}'],
  ])('%s: nothing is preloaded or thrown', (_name, text) => {
    const dist = mkdtempSync(join(tmpdir(), 'migobs-builtins-'));
    try {
      if (text !== undefined) writeFileSync(join(dist, codeCache.BUILTINS_FILE), text);
      expect(() => codeCache.preloadBuiltins(dist, 'generate')).not.toThrow();
      expect(() => codeCache.preloadBuiltins(dist, undefined)).not.toThrow();
      expect(() => codeCache.preloadBuiltins(dist, '__proto__')).not.toThrow();
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });
});

describe('cache file format', () => {
  const stat = { size: 10, mtimeMs: 1.5, ctimeMs: 2.5, ino: 7 };
  const key = codeCache.keyOf(stat);
  it('round-trips its data and kind', () => {
    const data = Buffer.from([0, 10, 13, 255, 1, 2, 3]);
    expect(codeCache.parseCache(codeCache.formatCache(key, 'load', data), key)).toEqual({ data, kind: 'load' });
  });
  it.each([
    ['another bundle', codeCache.keyOf({ ...stat, ino: 8 }), 'stale'],
    ['another size', codeCache.keyOf({ ...stat, size: 11 }), 'stale'],
  ])('refuses a cache made for %s', (_n, other, reason) => {
    expect(codeCache.parseCache(codeCache.formatCache(other, 'run', Buffer.from('x')), key)).toEqual({ reason });
  });
  it('refuses a header of another format', () => {
    expect(codeCache.parseCache(Buffer.from(`other-format ${key}\n0 0\n`), key)).toEqual({ reason: 'corrupt' });
  });
  it('the key names this node version', () => {
    expect(key).toContain(process.version);
  });
});
