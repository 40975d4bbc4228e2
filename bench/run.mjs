// `npm run bench`: every figure of the performance table (README, "Performance"), measured with
// the built CLI as real child processes, and checked against its goal; a missed goal exits 1.
// Benchmarks only: unit tests assert no time (a loaded CI machine would fail them for no fault of
// the code).
//
// - Cold start: `node -e 0` and the command alternate (node, cmd, node, cmd, ...), each a new
//   process; a figure is the median over the runs of cmd / node in the same pair, in CPU time
//   (user + sys), wall time beside it. Two warm-up rounds first (OS file cache, V8 code cache).
//   When the pairs' `node -e 0` took more than twice the fastest one seen around them, the machine
//   was not steady and the cold goals count as missed (lib.mjs steadyStarts).
// - Scale: 1 / 10 / 100 / 1,000 copies of the example (distinct ids): generate into an empty
//   folder then `lint --out-dir`, wall time and peak RSS; then both again with nothing changed;
//   the largest count (100 or more) is also generated in one thread (MIGOBS_WORKERS=1), for its RSS.
// - promtool: CPU of `promtool test rules` on the generated tests for 8 / 20 / 100 gates, from
//   bench/gate-scaling.mjs.
// - Per input: every hostile input and invalid fixture, one CLI run each (refused <= 1 s,
//   generated <= 5 s).
//
// Every measured process runs without NODE_EXTRA_CA_CERTS (bench/lib.mjs START_COST_VARS).
// Environment: BENCH_RUNS (cold-start pairs, default 15), BENCH_QUICK=1 (smoke: 5 pairs, 1 and 10
// definitions, promtool for 8 and 20 gates, no 1,000 run, no per-input section), BENCH_SCALES=1,10,100 (definition counts).
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmtMet, fmtMiB, fmtRatio, fmtSeconds, formatTable, haveGnuTime, measure, measuredEnv, median, met, pairedRatio, steadyStarts } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'migobs.js');
const example = join(root, 'examples', 'orders-region-backfill.yaml');
const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 5 : 15));
const SCALES = process.env.BENCH_SCALES ? process.env.BENCH_SCALES.split(',').map(Number) : QUICK ? [1, 10] : [1, 10, 100, 1000];
const node = process.execPath;
// Everything the bench writes stays in `work` until the end, and is deleted only then. On ext4
// without a journal (the machine these figures come from), the kernel's inode allocator skips every
// inode freed in the last 60 s (360 s while its table block is unwritten: `recently_deleted` in
// fs/ext4/ialloc.c), reading each (perf: 85 % of the kernel time of creating files): a
// 1,000-definition generate started right after another one's output (9,000 files) was deleted
// spent 8 s of kernel time in migobs' main thread, one started after 900 deleted files 1.7 s.
// The bench deletes nothing while it measures, so no figure pays for its own clean-up.
const work = mkdtempSync(join(tmpdir(), 'migobs-bench-'));
// The result cache (docs/incremental.md) lives in the bench's own folder, so a run never meets
// entries of an earlier one; runs measured as "first time" get no cache at all (the issue: the
// first-time figures must come from cheaper work, not from skipping it).
// Every process measured starts plain (bench/lib.mjs START_COST_VARS: a certificate bundle node
// parses at every start would slow `node -e 0` as much as each command and flatter every ratio).
const { env, removed: startCostVars } = measuredEnv(process.env, join(work, 'result-cache'));
const noCache = { ...env, MIGOBS_NO_CACHE: '1' };
const rows = []; // [figure, measured, goal, met]
const missed = [];
function goalRow(figure, measuredText, goalText, ok) {
  rows.push([figure, measuredText, goalText, fmtMet(ok)]);
  if (ok === false) missed.push(figure);
}

console.log(`migobs bench: node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}${QUICK ? ', QUICK' : ''}`);
if (startCostVars.length) console.log(`(${startCostVars.join(', ')} removed for every measured process: node would do that work at every start)`);

// ---- cold start -------------------------------------------------------------------------------
const current = join(work, 'current');
{
  const r = measure([node, bin, 'generate', example, '--out-dir', current, '--quiet'], { cwd: root, env });
  if (r.code !== 0) throw new Error(`generate of the example exited ${r.code}`);
}
const firstRoot = join(work, 'first');
mkdirSync(firstRoot);
let firstN = 0;
const commands = [
  { name: 'validate', args: () => ['validate', example], goal: 1.5, figure: 'cold `validate`' },
  { name: 'generate, output current', args: () => ['generate', example, '--out-dir', current, '--quiet'], goal: 2.0, figure: 'cold `generate`, output already current' },
  { name: 'generate, first time', args: () => ['generate', example, '--out-dir', join(firstRoot, String(firstN++)), '--quiet'], env: noCache, goal: 3.0, figure: 'cold `generate`, first time (empty out dir, no result cache)' },
  { name: 'generate --check', args: () => ['generate', example, '--out-dir', current, '--check'] },
  { name: 'lint', args: () => ['lint', example] },
  { name: 'lint --out-dir', args: () => ['lint', example, '--out-dir', current] },
  { name: '--help', args: () => ['--help'] },
  { name: 'gate --help', args: () => ['gate', '--help'] },
];
const WARMUP = 2;
// A few quiet `node -e 0` before and after the pairs: the fastest plain start of this machine
// right now, to tell a steady stretch from one where every process start cost far more (steadyStarts).
const REFERENCE_RUNS = 5;
const referenceStarts = () => Array.from({ length: REFERENCE_RUNS }, () => measure([node, '-e', '0'], { cwd: root, env }).cpuMs);
const reference = referenceStarts();
const samples = new Map(commands.map((c) => [c.name, { cmd: [], base: [] }]));
for (let round = 0; round < WARMUP + RUNS; round++) {
  for (const c of commands) {
    const base = measure([node, '-e', '0'], { cwd: root, env });
    const r = measure([node, bin, ...c.args()], { cwd: root, env: c.env ?? env });
    if (r.code !== 0) throw new Error(`migobs ${c.args().join(' ')} exited ${r.code}`);
    if (round < WARMUP) continue;
    samples.get(c.name).cmd.push(r);
    samples.get(c.name).base.push(base);
  }
}
// Outputs stay until the bench ends (see `work` above): no folder is deleted while figures are taken.
reference.push(...referenceStarts());
console.log(`\ncold start: median of ${RUNS} pairs (node -e 0, command), CPU = user + sys`);
const startRows = [];
const allBase = [...samples.values()].flatMap((s) => s.base);
const starts = steadyStarts(allBase.map((b) => b.cpuMs), reference);
const unsteady = starts.steady ? '' : ` (unsteady machine: node -e 0 took ${starts.medianMs.toFixed(0)} ms in the pairs, ${starts.bestMs.toFixed(0)} ms at best; run again)`;
if (unsteady) console.log(`warning: every process start cost more than twice the fastest seen: the cold ratios below mean nothing${unsteady}`);
startRows.push(['node -e 0', `${median(allBase.map((b) => b.cpuMs)).toFixed(0)} ms`, '1.00x', `${median(allBase.map((b) => b.wallMs)).toFixed(0)} ms`, '1.00x']);
for (const c of commands) {
  const s = samples.get(c.name);
  const cpu = pairedRatio(s.cmd.map((r) => r.cpuMs), s.base.map((r) => r.cpuMs));
  const wall = pairedRatio(s.cmd.map((r) => r.wallMs), s.base.map((r) => r.wallMs));
  startRows.push([c.name, `${median(s.cmd.map((r) => r.cpuMs)).toFixed(0)} ms`, fmtRatio(cpu), `${median(s.cmd.map((r) => r.wallMs)).toFixed(0)} ms`, fmtRatio(wall)]);
  // An unsteady stretch proves no cold goal met (its ratios tend to 1): counted as missed.
  if (c.goal !== undefined) goalRow(c.figure, `${fmtRatio(cpu)} CPU (${fmtRatio(wall)} wall)${unsteady}`, `<= ${c.goal.toFixed(1)}x`, starts.steady ? met(cpu, c.goal) : false);
}
console.log(formatTable(['command', 'CPU', 'CPU / node', 'wall', 'wall / node'], startRows));

// ---- many definitions -------------------------------------------------------------------------
const text = readFileSync(example, 'utf8');
if (!/^ {2}id: orders-region-backfill\b/m.test(text)) throw new Error('examples/orders-region-backfill.yaml no longer has `  id: orders-region-backfill`');
const scaleRows = [];
const scale = new Map();
for (const n of SCALES) {
  const defs = join(work, `defs-${n}`);
  const out = join(work, `out-${n}`);
  mkdirSync(defs);
  for (let i = 0; i < n; i++) {
    writeFileSync(join(defs, `m${String(i).padStart(4, '0')}.yaml`), text.replace(/^( {2}id: )orders-region-backfill\b/m, `$1orders-region-backfill-${i}`));
  }
  // Each count starts with an empty result cache: the first generate and lint compute everything.
  const scaleEnv = { ...env, MIGOBS_CACHE_DIR: join(work, `result-cache-${n}`) };
  const step = (args) => {
    const r = measure([node, bin, ...args], { cwd: root, env: scaleEnv, rss: true });
    if (r.code !== 0) console.log(`  warning: migobs ${args.join(' ').replace(work, '<tmp>')} exited ${r.code}`);
    return r;
  };
  const gen1 = step(['generate', defs, '--out-dir', out, '--quiet']);
  const lint1 = step(['lint', defs, '--out-dir', out]);
  const gen2 = step(['generate', defs, '--out-dir', out, '--quiet']);
  const lint2 = step(['lint', defs, '--out-dir', out]);
  // The largest count again in one thread, as on a one-CPU machine (or MIGOBS_WORKERS=1): memory
  // must stay bounded there too, where every migration is generated in the main thread.
  let oneThread;
  if (n === Math.max(...SCALES) && n >= 100) {
    const r = measure([node, bin, 'generate', defs, '--out-dir', join(work, `out-${n}-one-thread`), '--quiet'], { cwd: root, env: { ...scaleEnv, MIGOBS_WORKERS: '1', MIGOBS_CACHE_DIR: join(work, `result-cache-${n}-one-thread`) }, rss: true });
    if (r.code !== 0) console.log(`  warning: migobs generate (MIGOBS_WORKERS=1) of ${n} exited ${r.code}`);
    oneThread = r;
  }
  const res = {
    oneThread,
    firstWall: gen1.wallMs + lint1.wallMs,
    firstCpu: gen1.cpuMs + lint1.cpuMs,
    sameWall: gen2.wallMs + lint2.wallMs,
    sameCpu: gen2.cpuMs + lint2.cpuMs,
    rss: Math.max(gen1.rssKiB, lint1.rssKiB, gen2.rssKiB, lint2.rssKiB),
  };
  scale.set(n, res);
  scaleRows.push([
    String(n),
    `${fmtSeconds(gen1.wallMs)} + ${fmtSeconds(lint1.wallMs)}`,
    `${fmtSeconds(gen1.cpuMs)} + ${fmtSeconds(lint1.cpuMs)}`,
    `${fmtSeconds(gen2.wallMs)} + ${fmtSeconds(lint2.wallMs)}`,
    `${fmtMiB(gen1.rssKiB)} / ${fmtMiB(lint1.rssKiB)}`,
  ]);
}
console.log(`\nmany definitions: generate (empty out dir) + lint --out-dir, then both again unchanged${haveGnuTime ? '' : ' (no /usr/bin/time: peak RSS not measured)'}`);
console.log(formatTable(['definitions', 'wall first', 'CPU first', 'wall unchanged', 'peak RSS generate / lint'], scaleRows));
for (const [n, r] of scale) {
  if (r.oneThread) console.log(`${n} in one thread (MIGOBS_WORKERS=1), generate first time: ${fmtSeconds(r.oneThread.wallMs)} wall, ${fmtSeconds(r.oneThread.cpuMs)} CPU, peak RSS ${fmtMiB(r.oneThread.rssKiB)}`);
}
const big = scale.get(1000);
goalRow('1,000 definitions, generate (first time) + lint --out-dir, wall', big ? `${fmtSeconds(big.firstWall)} (CPU ${fmtSeconds(big.firstCpu)})` : 'not run', '<= 10 s', big && met(big.firstWall, 10_000));
goalRow('the same, nothing changed since the last generate, wall', big ? `${fmtSeconds(big.sameWall)} (CPU ${fmtSeconds(big.sameCpu)})` : 'not run', '<= 5 s', big && met(big.sameWall, 5_000));
goalRow('peak RSS of the 1,000 run', big ? `${fmtMiB(big.rss)} (${[...scale].map(([n, r]) => `${n}: ${fmtMiB(r.rss)}`).join(', ')})` : 'not run', '<= 300 MiB', big && met(big.rss, 300 * 1024));
goalRow('peak RSS of the 1,000 run in one thread (MIGOBS_WORKERS=1, as on one CPU)', big?.oneThread ? `${fmtMiB(big.oneThread.rssKiB)} (${fmtSeconds(big.oneThread.wallMs)} wall)` : 'not run', '<= 300 MiB', big?.oneThread && met(big.oneThread.rssKiB, 300 * 1024));

// ---- promtool -----------------------------------------------------------------------------------
const PROMTOOL_GOALS = { 8: 2.5, 20: 6, 100: 30 };
let scaling;
try {
  scaling = await import(pathToFileURL(join(root, 'bench', 'gate-scaling.mjs')).href);
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
}
if (!scaling?.gateScaling) {
  console.log('\npromtool: bench/gate-scaling.mjs not available');
  for (const g of Object.keys(PROMTOOL_GOALS)) goalRow(`\`promtool test rules\`, ${g} gates, CPU`, 'not available', `<= ${PROMTOOL_GOALS[g]} s`, undefined);
} else {
  let results = [];
  try {
    results = await scaling.gateScaling(QUICK ? { gates: [8, 20] } : {});
  } catch (e) {
    console.log(`\npromtool: not measured (${e instanceof Error ? e.message : e})`);
  }
  console.log('\npromtool test rules on the generated tests');
  console.log(formatTable(['gates', 'CPU', 'wall', 'passed'], results.map((r) => [String(r.gates), `${r.cpuSeconds.toFixed(1)} s`, `${r.wallSeconds.toFixed(1)} s`, r.passed ? 'yes' : 'NO'])));
  for (const [g, goal] of Object.entries(PROMTOOL_GOALS)) {
    const r = results.find((x) => x.gates === Number(g));
    const ok = r ? r.passed && r.cpuSeconds <= goal : undefined;
    goalRow(`\`promtool test rules\`, ${g} gates, CPU`, r ? `${r.cpuSeconds.toFixed(1)} s${r.passed ? '' : ' (tests FAILED)'}` : 'not run', `<= ${goal} s`, ok);
  }
}

// ---- per input ----------------------------------------------------------------------------------
if (!QUICK) {
  const REFUSE_GOAL_MS = 1000;
  const GENERATE_GOAL_MS = 5000;
  const perInput = [
    ['test/hostile/inputs', (f, i) => ['generate', f, '--out-dir', join(work, `hostile-${i}`), '--quiet']],
    ['test/fixtures/invalid', (f) => ['validate', f]],
  ];
  console.log(`\nper input: one CLI run each (refused <= ${REFUSE_GOAL_MS} ms, generated <= ${GENERATE_GOAL_MS} ms wall, start included)`);
  for (const [dir, argsOf] of perInput) {
    const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).sort();
    const runs = files.map((f, i) => ({ file: f, ...measure([node, bin, ...argsOf(`${dir}/${f}`, i)], { cwd: root, env, timeoutMs: 120_000 }) }));
    const slow = runs.filter((r) => r.wallMs > (r.code === 0 ? GENERATE_GOAL_MS : REFUSE_GOAL_MS));
    const worst = runs.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
    console.log(`  ${dir}: ${runs.length} files, slowest ${worst.wallMs.toFixed(0)} ms (${worst.file}, exit ${worst.code})${slow.length ? `; over the goal: ${slow.map((r) => r.file).join(', ')}` : ''}`);
    goalRow(`every file of ${dir} answered in time`, `slowest ${worst.wallMs.toFixed(0)} ms`, `<= ${REFUSE_GOAL_MS} ms refused, <= ${GENERATE_GOAL_MS} ms generated`, slow.length === 0);
  }
}
rmSync(work, { recursive: true, force: true });

console.log('\n' + formatTable(['figure', 'measured', 'goal', 'met?'], rows));
if (missed.length) {
  console.log(`\nmissed: ${missed.join('; ')}`);
  process.exitCode = 1;
} else {
  console.log('\nevery measured goal met');
}
