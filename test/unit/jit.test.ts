/**
 * V8's optimizing compiler in the CLI (src/cli/jit.ts, bin/migobs.js): off for the short commands,
 * back on for the long-running ones and for a bulk `generate`. The policy is checked with a spy on
 * node:v8; that the flag really reaches V8 is checked with `--trace-opt`, which prints a line for
 * each function TurboFan optimises. No timings are asserted (those live in `npm run bench`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FLAGS_CHANGED, LONG_WORK_FLAGS, ONE_THREAD_HEAP_FLAGS, OPTIMIZE_FROM_DEFINITIONS, tuneCompilerFor, tuneCompilerForDefinitions, tuneHeapForGeneration } from '../../src/cli/jit';
import { BIN, REPO } from '../helpers/cli';

afterEach(() => vi.restoreAllMocks());

function flagsSet(act: () => void): string[] {
  const spy = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
  act();
  return spy.mock.calls.map((c) => String(c[0]));
}

describe('which work gets TurboFan back', () => {
  it.each(['watch', 'gate-serve', 'run', 'report', 'backtest', 'baseline'])('long-running command %s: on', (name) => {
    expect(flagsSet(() => tuneCompilerFor(name))).toEqual([LONG_WORK_FLAGS]);
  });
  it.each(['validate', 'generate', 'lint', 'gate', 'hook', 'presets', 'schema', 'init', 'alertmanager', 'routes-test', 'exporter-setup'])('short command %s: stays off', (name) => {
    expect(flagsSet(() => tuneCompilerFor(name))).toEqual([]);
  });
  it.each([
    [0, []],
    [1, []],
    [OPTIMIZE_FROM_DEFINITIONS - 1, []],
    [OPTIMIZE_FROM_DEFINITIONS, [LONG_WORK_FLAGS]],
    [1000, [LONG_WORK_FLAGS]],
  ])('generate or lint of %i definitions: %j', (count, expected) => {
    expect(flagsSet(() => tuneCompilerForDefinitions(Array.from({ length: count }, (_, i) => `m${i}.yaml`)))).toEqual(expected);
  });
});

describe('a bulk generate in this thread keeps its old generation closer to what it keeps alive', () => {
  afterEach(() => delete (process as unknown as Record<symbol, boolean>)[FLAGS_CHANGED]);
  it.each([
    [OPTIMIZE_FROM_DEFINITIONS - 1, 0, []],
    [OPTIMIZE_FROM_DEFINITIONS, 0, [ONE_THREAD_HEAP_FLAGS]],
    [1000, 0, [ONE_THREAD_HEAP_FLAGS]],
    // The pool: the flag is the process's, and the workers' capped heaps then peaked higher.
    [1000, 2, []],
  ])('%i stale migrations, %i workers: %j', (stale, workers, expected) => {
    delete (process as unknown as Record<symbol, boolean>)[FLAGS_CHANGED]; // an earlier test may have set it
    expect(flagsSet(() => tuneHeapForGeneration(stale, workers))).toEqual(expected);
    // Flags changed: no code cache is written at exit (it would carry them).
    expect((process as unknown as Record<symbol, boolean>)[FLAGS_CHANGED] === true).toBe(expected.length > 0);
  });
  it('the flag is one this V8 knows (an unknown one makes V8 print an error at every such run)', () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    const name = ONE_THREAD_HEAP_FLAGS.replace(/^--/, '').replace(/=.*$/, '');
    expect(options).toMatch(new RegExp(`^\\s*--${name} \\(`, 'm'));
    const set = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(ONE_THREAD_HEAP_FLAGS)})`], { encoding: 'utf8' });
    expect(set.stderr).toBe('');
  });
});

describe('long work gets V8 as it ships', () => {
  it('LONG_WORK_FLAGS are the defaults `node --v8-options` lists, and bin/code-cache.js restores the same', () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    for (const flag of LONG_WORK_FLAGS.split(' ')) {
      const name = flag.replace(/^--/, '').replace(/=.*$/, '');
      // e.g. "--semi-space-growth-factor (...)\n        type: int  default: --semi-space-growth-factor=2"
      const shown = new RegExp(`^\\s*--${name} \\(.*\\)\\n\\s*type: \\w+\\s+default: (\\S+)$`, 'm').exec(options);
      expect(shown?.[1], name).toBe(flag);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require(join(REPO, 'bin', 'code-cache.js')).V8_DEFAULT_FLAGS).toBe(LONG_WORK_FLAGS);
  });
});

describe('the young generation keeps its size in a CLI run, and grows again for long work', () => {
  // V8 doubles the semi-spaces when many objects survive a scavenge; the CLI's flags keep them at
  // their first size. Measured from V8's own heap statistics while keeping 300,000 objects alive.
  const newSpace = (setup: string): { start: number; loaded: number; after: number } => {
    const script = [
      `const cc = require(${JSON.stringify(join(REPO, 'bin', 'code-cache.js'))});`,
      "const v8 = require('node:v8');",
      "const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;",
      'const keep = []; const pile = () => { for (let i = 0; i < 300000; i++) keep.push({ i, s: `x${i}` }); };',
      `const start = size(); ${setup}`,
      'console.log(JSON.stringify({ start, loaded, after }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', script], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '', MIGOBS_TURBOFAN: '' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  it('CLI flags: the new space stays within twice its first size; LONG_WORK_FLAGS let it grow', () => {
    const s = newSpace(`cc.useCliFlags(); pile(); const loaded = size(); cc.setV8Flags(${JSON.stringify(LONG_WORK_FLAGS)}); pile(); const after = size();`);
    expect(s.loaded).toBeLessThanOrEqual(2 * s.start);
    expect(s.after).toBeGreaterThan(4 * s.start);
  });
  it('without them it grows (so the check above can fail)', () => {
    const s = newSpace('pile(); const loaded = size(); const after = loaded;');
    expect(s.loaded).toBeGreaterThan(4 * s.start);
  });
});

describe('bin/code-cache.js sets the flags without loading node:v8', () => {
  // node:v8 loads node's stream modules (about 5 ms of every start); the binding it calls does not.
  const child = (script: string, flags: string[] = []): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [...flags, '-e', script], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const load = `const cc = require(${JSON.stringify(join(REPO, 'bin', 'code-cache.js'))});`;
  const report = "console.log(JSON.stringify({ v8: process.moduleLoadList.includes('NativeModule v8'), stream: process.moduleLoadList.includes('NativeModule stream'), noDeprecation: process.noDeprecation ?? false }))";
  it.each([[[]], [['--pending-deprecation']], [['--throw-deprecation']]])('node %j: no node:v8, no streams, no deprecation warning', (flags) => {
    const r = child(`${load} cc.setV8Flags('--no-turbofan'); ${report}`, flags);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ v8: false, stream: false, noDeprecation: false });
  });
  it('keeps a --no-deprecation the user asked for', () => {
    expect(JSON.parse(child(`${load} cc.setV8Flags('--no-turbofan'); ${report}`, ['--no-deprecation']).stdout).noDeprecation).toBe(true);
  });
  it('falls back to node:v8 where the binding is gone', () => {
    const r = child(`${load} require('node:v8').setFlagsFromString = (f) => console.log('node:v8', f); process.binding = () => { throw new Error('gone'); }; cc.setV8Flags('--no-turbofan');`);
    expect(r.stdout.trim()).toBe('node:v8 --no-turbofan');
  });
});

describe('the CLI runs without TurboFan unless told otherwise', () => {
  // A first-time generate of the example runs the synthesis' hot loops long enough for TurboFan
  // to optimise some of them when it is on. No code cache: --trace-opt changes V8's flags, and the
  // repo's cache must not be rewritten for them.
  const optimised = (env: Record<string, string>): number => {
    const out = mkdtempSync(join(tmpdir(), 'migobs-jit-'));
    try {
      const r = spawnSync(process.execPath, ['--trace-opt', BIN, 'generate', join(REPO, 'examples', 'orders-region-backfill.yaml'), '--out-dir', out, '--quiet'], {
        cwd: REPO,
        env: { ...process.env, NO_COLOR: '1', MIGOBS_NO_CACHE: '1', MIGOBS_NO_CODE_CACHE: '1', MIGOBS_TURBOFAN: '', ...env },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      // V8 prints this (and goes on) for a flag it does not know: the flag names must be real.
      expect(r.stderr).not.toMatch(/unrecognized flag/i);
      return r.stdout.split('\n').filter((l) => l.startsWith('[completed optimizing')).length;
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  it('optimises nothing by default', () => {
    expect(optimised({})).toBe(0);
  });
  it('optimises with MIGOBS_TURBOFAN=1 (so the check above can fail)', () => {
    expect(optimised({ MIGOBS_TURBOFAN: '1' })).toBeGreaterThan(0);
  });
});
