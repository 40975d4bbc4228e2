// Pure helpers of `npm run bench` (bench/run.mjs), unit-tested in test/unit/bench-lib.test.ts, and
// the one function that times a child process. No goal is asserted anywhere but in run.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Median of numbers (the mean of the middle two for an even count); NaN for none. */
export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** a / b, NaN when either is missing or b is not positive. */
export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN;
}

/** The median of the ratios of paired samples (cmd[i] / base[i]), robust to load that drifts during a run. */
export function pairedRatio(cmd, base) {
  const n = Math.min(cmd.length, base.length);
  const rs = [];
  for (let i = 0; i < n; i++) rs.push(ratio(cmd[i], base[i]));
  return median(rs);
}

/**
 * CPU time of the children of a shell, from bash's `times` builtin: its second line is
 * `<user>m<s>s <sys>m<s>s` of the commands the shell waited for. Returns milliseconds.
 */
export function parseTimes(text) {
  const lines = text.trim().split('\n');
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec((lines[lines.length - 1] ?? '').trim());
  if (!m) throw new Error(`cannot read CPU times from ${JSON.stringify(text)}`);
  return { userMs: (Number(m[1]) * 60 + Number(m[2])) * 1000, sysMs: (Number(m[3]) * 60 + Number(m[4])) * 1000 };
}

/**
 * Whether the cold-start pairs ran on a steady machine: the median `node -e 0` of the pairs within
 * `factor` times the fastest `node -e 0` seen around them (`reference`: a few quiet runs before and
 * after). A stretch that adds the same large cost to every process start (another VM on the host,
 * memory being reclaimed) makes every ratio tend to 1, so a "met" from it means nothing. A cost
 * added to every start for the whole run is not caught here; TIMING_SHELL keeps the bench's own
 * shell from adding one. Returns the two figures too, for the message.
 */
export function steadyStarts(pairBaseCpuMs, referenceCpuMs, factor = 2) {
  const pairs = median(pairBaseCpuMs);
  const best = Math.min(...referenceCpuMs.filter((x) => Number.isFinite(x)), ...pairBaseCpuMs.filter((x) => Number.isFinite(x)));
  return { steady: Number.isFinite(pairs) && Number.isFinite(best) && pairs <= factor * best, medianMs: pairs, bestMs: best };
}

/** A goal check: `measured <= goal`; undefined (not measured) is neither met nor missed. */
export function met(measured, goal) {
  if (measured === undefined || Number.isNaN(measured)) return undefined;
  return measured <= goal;
}

/** Render rows of cells as a plain-text table with a header rule; columns padded to the widest cell. */
export function formatTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...all.slice(1).map(line)].join('\n');
}

export const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : 'n/a');
export const fmtSeconds = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s` : 'n/a');
export const fmtMiB = (kib) => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(0)} MiB` : 'n/a');
export const fmtMet = (ok) => (ok === undefined ? 'not measured' : ok ? 'yes' : 'NO');

const TIME = '/usr/bin/time';
export const haveGnuTime = existsSync(TIME);

/**
 * The shell that runs a measured command and reports its CPU time (`times`), started so that it
 * runs nothing of its own: `times` counts every child of the shell, so a startup file it sourced
 * would be measured as part of the command. bash sources ~/.bashrc even with `-c` when it thinks a
 * remote shell daemon started it (Debian builds it that way): stdin a socket (node's default
 * stdio for a child is a socket pair) and SHLVL below 2 (as under `npm run`). A ~/.bashrc that
 * initialises pyenv made every process, `node -e 0` included, about 650 ms of CPU slower and every
 * cold ratio about 1.1x. Hence `--norc`, stdin from /dev/null, and no BASH_ENV or ENV (the
 * startup files of a non-interactive bash and sh) in its environment.
 */
export const TIMING_SHELL = ['bash', '--norc', '-c'];
export const SHELL_STARTUP_VARS = ['BASH_ENV', 'ENV'];
export function timingShellEnv(env) {
  const out = { ...env };
  for (const k of SHELL_STARTUP_VARS) delete out[k];
  return out;
}

/**
 * Run `argv` once and measure it: wall ms, CPU ms (user + sys of the process and everything it
 * waited for, from bash's `times`, 1 ms resolution) and peak RSS in KiB (GNU time's %M, when
 * /usr/bin/time exists). Output goes to /dev/null; a non-zero exit is returned, not thrown.
 */
export function measure(argv, { cwd, env, rss = false, timeoutMs = 900_000 } = {}) {
  const script = '"$@" >/dev/null 2>&1; s=$?; times; exit $s';
  let cmd = [...TIMING_SHELL, script, 'bench', ...argv];
  let rssFile;
  if (rss && haveGnuTime) {
    const dir = mkdtempSync(join(tmpdir(), 'migobs-bench-rss-'));
    rssFile = join(dir, 'rss');
    cmd = [TIME, '-f', '%M', '-o', rssFile, ...cmd];
  }
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env: timingShellEnv(env ?? process.env), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: timeoutMs });
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.error) throw r.error;
  const { userMs, sysMs } = parseTimes(r.stdout);
  let rssKiB = Number.NaN;
  if (rssFile) {
    // GNU time writes "Command exited with non-zero status N" before the figure on failure.
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    rssKiB = Number(lines[lines.length - 1]);
    rmSync(join(rssFile, '..'), { recursive: true, force: true });
  }
  return { code: r.status, wallMs, cpuMs: userMs + sysMs, rssKiB };
}

/** The instruction count valgrind's callgrind prints at exit (`==123== Collected : 1402576452`), or NaN. */
export function parseCallgrindTotal(text) {
  const m = /^==\d+== Collected : (\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * Environment variables that change what every node process does at start, removed for the
 * measurements: `NODE_EXTRA_CA_CERTS` makes node read and parse that certificate bundle at every
 * start (Debian's whole bundle: about 40 ms of CPU on the bench machine, five times the
 * instructions of `node -e 0` itself). It slows `node -e 0` and every command by the same amount,
 * so it would flatter every ratio; the goals are about migobs' own cost over a plain start.
 */
export const START_COST_VARS = ['NODE_EXTRA_CA_CERTS'];

/** `env` without START_COST_VARS, and the names of those that were set. */
export function withoutStartCosts(env) {
  const out = { ...env };
  const removed = START_COST_VARS.filter((k) => out[k] !== undefined);
  for (const k of removed) delete out[k];
  return { env: out, removed };
}

/** migobs' own switches that would change what is measured (debug output, no caches, TurboFan). */
const MIGOBS_SWITCHES = ['MIGOBS_CODE_CACHE_DEBUG', 'MIGOBS_NO_CODE_CACHE', 'MIGOBS_NO_CACHE', 'MIGOBS_CACHE_DEBUG', 'MIGOBS_TURBOFAN'];

/**
 * The environment every measured process runs in: this one started plain (withoutStartCosts),
 * without migobs' own switches, no colour, and the result cache in `cacheDir` (the bench's own
 * folder, so a run never meets entries of an earlier one). `removed`: the start-cost variables
 * that were set.
 */
export function measuredEnv(env, cacheDir) {
  const { env: plain, removed } = withoutStartCosts(env);
  for (const k of MIGOBS_SWITCHES) delete plain[k];
  return { env: { ...plain, NO_COLOR: '1', MIGOBS_CACHE_DIR: cacheDir }, removed };
}
