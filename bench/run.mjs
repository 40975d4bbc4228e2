// Benchmarks (never unit tests): cold start of the CLI against `node -e 0`, generation speed and
// memory for many migrations, and how fast the CLI refuses or generates each hostile input and
// invalid fixture. Prints figures; the goals (cold start of validate/lint at most 2x node, a
// refusal within 1 s, a generation within 5 s, each including the CLI's start) are checked at the
// end, and a missed goal makes the run exit 1. Unit tests assert none of these times: a loaded CI
// machine would fail them for no fault of the code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'migobs.js');
const example = join(root, 'examples', 'orders-region-backfill.yaml');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function timeRuns(args) {
  const times = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 && !args.includes('--check')) throw new Error(`${args.join(' ')} exited ${r.status}`);
    if (i >= 3) times.push(ms); // warm-up runs fill the OS file cache
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0] };
}

const out = mkdtempSync(join(tmpdir(), 'migobs-bench-'));
const coldStartMissed = [];
const base = timeRuns(['-e', '0']);
console.log(`cold start (median of ${RUNS}; lower is better)`);
console.log(`  node -e 0                     ${base.median.toFixed(1)} ms`);
for (const [name, args] of [
  ['migobs --help', [bin, '--help']],
  ['migobs validate <example>', [bin, 'validate', example]],
  ['migobs generate <example>', [bin, 'generate', example, '--out-dir', out, '--quiet']],
  ['migobs generate --check', [bin, 'generate', example, '--out-dir', out, '--check']],
  ['migobs lint <example>', [bin, 'lint', example]],
]) {
  const t = timeRuns(args);
  console.log(`  ${name.padEnd(29)} ${t.median.toFixed(1)} ms  ${(t.median / base.median).toFixed(2)}x node`);
  // What a pre-commit hook runs on every commit must start fast.
  if (/validate|lint/.test(name) && t.median > 2 * base.median) coldStartMissed.push(`${name}: ${(t.median / base.median).toFixed(2)}x node (goal 2x)`);
}

// In-process generation throughput and memory.
const require = createRequire(import.meta.url);
const lib = require(join(root, 'dist', 'lib', 'index.js'));
const text = readFileSync(example, 'utf8');
const N = Number(process.env.BENCH_MIGRATIONS ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'migobs-bench-defs-'));
const files = [];
for (let i = 0; i < N; i++) {
  const f = join(dir, `m${i}.yaml`);
  writeFileSync(f, text.replace('id: orders-region-backfill', `id: orders-region-backfill-${i}`));
  files.push(f);
}
const before = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
const loaded = lib.loadDefinitions(files);
const t1 = process.hrtime.bigint();
const outputs = lib.generateAll(loaded.migrations.map((m) => m.model));
const t2 = process.hrtime.bigint();
const bytes = outputs.reduce((n, f) => n + f.content.length, 0);
console.log(`\nin-process, ${N} migrations`);
console.log(`  load + validate + resolve     ${(Number(t1 - t0) / 1e6).toFixed(0)} ms (${(Number(t1 - t0) / 1e6 / N).toFixed(2)} ms each)`);
console.log(`  generate + render             ${(Number(t2 - t1) / 1e6).toFixed(0)} ms (${(Number(t2 - t1) / 1e6 / N).toFixed(2)} ms each), ${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB`);
console.log(`  RSS growth                    ${((process.memoryUsage().rss - before) / 1e6).toFixed(0)} MB`);

// Per-input goals: every hostile input and invalid fixture, one CLI run each (start included).
const REFUSE_GOAL_MS = 1000;
const GENERATE_GOAL_MS = 5000;
const missed = [...coldStartMissed];
function timeOnce(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'ignore', timeout: 120_000 });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, code: r.status };
}
const perInput = [
  ['test/hostile/inputs', (f, i) => ['generate', f, '--out-dir', join(out, `hostile-${i}`), '--quiet']],
  ['test/fixtures/invalid', (f) => ['validate', f]],
];
console.log(`\nper input (one CLI run each; goals: refused <= ${REFUSE_GOAL_MS} ms, generated <= ${GENERATE_GOAL_MS} ms)`);
for (const [dir, argsOf] of perInput) {
  const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).sort();
  const runs = files.map((f, i) => ({ file: `${dir}/${f}`, ...timeOnce(argsOf(`${dir}/${f}`, i)) }));
  for (const r of runs) {
    const goal = r.code === 0 ? GENERATE_GOAL_MS : REFUSE_GOAL_MS;
    if (r.ms > goal) missed.push(`${r.file}: ${r.code === 0 ? 'generated' : 'refused'} in ${r.ms.toFixed(0)} ms (goal ${goal} ms)`);
  }
  const worst = runs.reduce((a, b) => (b.ms > a.ms ? b : a));
  console.log(`  ${dir.padEnd(29)} ${runs.length} files, slowest ${worst.ms.toFixed(0)} ms (${worst.file.split('/').pop()}, exit ${worst.code})`);
}
if (missed.length) {
  console.log(`\nmissed goals:\n  ${missed.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('\nevery goal met');
}
