/**
 * The helpers of `npm run bench` (bench/lib.mjs), and that its timing shell runs nothing of its
 * own. No time is asserted here.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM JavaScript without types
import { fmtMet, fmtMiB, fmtRatio, fmtSeconds, formatTable, measure, median, met, pairedRatio, measuredEnv, parseCallgrindTotal, parseTimes, ratio, steadyStarts, withoutStartCosts } from '../../bench/lib.mjs';

describe('bench helpers', () => {
  it.each([
    [[], Number.NaN],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[1, Number.NaN, 3], 2],
    [[10, 1, 1000, 2, 3], 3],
  ])('median(%j) = %d', (xs, want) => {
    expect(median(xs)).toBe(want);
  });

  it('ratio is NaN without a positive base', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });

  it('pairedRatio is the median of per-pair ratios, so a loaded pair does not skew it', () => {
    // Pairs: 2x, 2x, 2x, and one where both ran slow (load).
    expect(pairedRatio([200, 220, 180, 2000], [100, 110, 90, 500])).toBe(2);
    expect(pairedRatio([1, 2], [1])).toBe(1);
  });

  it.each([
    ['0m0.002s 0m0.000s\n0m0.095s 0m0.011s\n', 106],
    ['0m0.000s 0m0.000s\n1m2.500s 0m0.250s', 62750],
  ])('parseTimes reads the children line of bash `times` (%j)', (text, cpu) => {
    const t = parseTimes(text);
    expect(Math.round(t.userMs + t.sysMs)).toBe(cpu);
  });

  it('parseTimes refuses what is not `times` output', () => {
    expect(() => parseTimes('ok: 1 definition(s) valid')).toThrow(/cannot read CPU times/);
  });

  it.each([
    ['==31664== Callgrind, a call-graph generating cache profiler\n==31664== Events    : Ir\n==31664== Collected : 1402576452\n==31664== \n==31664== I   refs:      1,402,576,452\n', 1402576452],
    ['ok: 1 definition(s) valid\n', NaN],
    ['==7== Collected : \n', NaN],
  ])('parseCallgrindTotal reads callgrind\'s total (%#)', (text, want) => {
    expect(parseCallgrindTotal(text)).toBe(want);
  });

  it('measured processes start plain: NODE_EXTRA_CA_CERTS is removed and named, the rest kept, the input untouched', () => {
    const given = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', NO_COLOR: '1' };
    expect(withoutStartCosts(given)).toEqual({ env: { PATH: '/usr/bin', NO_COLOR: '1' }, removed: ['NODE_EXTRA_CA_CERTS'] });
    expect(given.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/certs/ca-certificates.crt');
    expect(withoutStartCosts({ PATH: '/bin' })).toEqual({ env: { PATH: '/bin' }, removed: [] });
  });

  it('measuredEnv: a plain start, none of migobs\' switches, no colour, the bench\'s own result cache', () => {
    const given = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/certs.pem', MIGOBS_NO_CACHE: '1', MIGOBS_TURBOFAN: '1', MIGOBS_CODE_CACHE_DEBUG: '1', MIGOBS_WORKERS: '2' };
    expect(measuredEnv(given, '/tmp/bench/result-cache')).toEqual({
      env: { PATH: '/usr/bin', MIGOBS_WORKERS: '2', NO_COLOR: '1', MIGOBS_CACHE_DIR: '/tmp/bench/result-cache' },
      removed: ['NODE_EXTRA_CA_CERTS'],
    });
    expect(given.MIGOBS_NO_CACHE).toBe('1');
  });

  it('met: within the goal is met, over it is missed, not measured is neither', () => {
    expect(met(1.5, 1.5)).toBe(true);
    expect(met(1.51, 1.5)).toBe(false);
    expect(met(undefined, 1.5)).toBeUndefined();
    expect(met(Number.NaN, 1.5)).toBeUndefined();
    expect([true, false, undefined].map(fmtMet)).toEqual(['yes', 'NO', 'not measured']);
  });

  it('formats ratios, seconds and MiB', () => {
    expect(fmtRatio(1.234)).toBe('1.23x');
    expect(fmtRatio(Number.NaN)).toBe('n/a');
    expect(fmtSeconds(1234)).toBe('1.23 s');
    expect(fmtSeconds(61_234)).toBe('61.2 s');
    expect(fmtMiB(300 * 1024)).toBe('300 MiB');
  });

  it('formatTable pads every column to its widest cell under a header rule', () => {
    expect(formatTable(['figure', 'measured', 'met?'], [['cold validate', '1.2x', 'yes'], ['x', '10.25x', 'NO']])).toBe(
      ['figure        | measured | met?', '--------------|----------|-----', 'cold validate | 1.2x     | yes', 'x             | 10.25x   | NO'].join('\n'),
    );
  });

  // steadyStarts: the pairs' median `node -e 0` against the fastest one seen (reference runs and pairs).
  it.each([
    ['a steady machine', [75, 80, 78, 90], [72, 74], true, 79, 72],
    ['exactly twice the fastest', [150, 150, 150], [75], true, 150, 75],
    ['every start in the pairs ten times slower than around them', [744, 700, 760], [70, 75], false, 744, 70],
    ['the pairs themselves hold the fastest start', [60, 200, 210], [], false, 200, 60],
    ['nothing measured', [], [], false, Number.NaN, Infinity],
  ])('steadyStarts: %s', (_, pairs, reference, steady, medianMs, bestMs) => {
    expect(steadyStarts(pairs, reference)).toEqual({ steady, medianMs, bestMs });
  });
});

describe('the timing shell of measure()', () => {
  // `times` counts every child of the shell: a startup file it sourced would be measured as part
  // of the command (a ~/.bashrc running pyenv once made every process about 650 ms slower). bash
  // sources ~/.bashrc for `-c` when stdin is a socket and its level is below 2 (SHLVL 0, as after
  // a shell exec'd node in its place), and BASH_ENV always.
  it.each([
    ['0', 'a remote-shell-like start (~/.bashrc)'],
    ['2', 'a nested shell (BASH_ENV)'],
  ])('sources no startup file (SHLVL %s: %s)', (shlvl) => {
    const home = mkdtempSync(join(tmpdir(), 'migobs-bench-shell-'));
    try {
      const marker = (name: string): string => `touch ${JSON.stringify(join(home, name))}\n`;
      writeFileSync(join(home, '.bashrc'), marker('bashrc-ran'));
      writeFileSync(join(home, 'bash-env'), marker('bash-env-ran'));
      writeFileSync(join(home, 'env'), marker('env-ran'));
      const env = { ...process.env, HOME: home, SHLVL: shlvl, BASH_ENV: join(home, 'bash-env'), ENV: join(home, 'env') };
      const r = measure(['true'], { cwd: home, env });
      expect(r.code).toBe(0);
      expect(Number.isFinite(r.cpuMs)).toBe(true);
      expect(['bashrc-ran', 'bash-env-ran', 'env-ran'].filter((f) => existsSync(join(home, f)))).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
