// Benchmarks (never unit tests): cold start of the CLI against `node -e 0`, and generation speed
// and memory for many migrations. Prints figures; the goal is a cold start of at most 2x node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
