// `npm run bench:instructions`: the cold-start rows of `npm run bench` counted in CPU instructions
// (valgrind's callgrind) instead of timed. A count does not depend on what else the machine is
// doing, though it moves by a few percent from run to run (address layout, hash seeds: `node -e 0`
// counted 83.8 and 95.0 million in two runs), so a change of 10 % shows in one run and one of a
// few percent in a few, where the timed rows need many pairs and a quiet stretch. It is a
// developer's tool, not a goal: the goals are CPU time (bench/run.mjs), and an instruction is not
// a fixed amount of time (cache misses and page faults cost more than they count). Needs valgrind
// (Debian's `valgrind`); each command runs once normally first, so its V8 code cache exists, then
// once under callgrind (about fifty times slower: a minute in all).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtRatio, formatTable, measuredEnv, parseCallgrindTotal } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'migobs.js');
const example = join(root, 'examples', 'orders-region-backfill.yaml');
const node = process.execPath;

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench:instructions needs valgrind (Debian package `valgrind`); not found');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'migobs-instructions-'));
// As in bench/run.mjs.
const { env, removed } = measuredEnv(process.env, join(work, 'result-cache'));
const noCache = { ...env, MIGOBS_NO_CACHE: '1' };
const current = join(work, 'current');
let first = 0;
const commands = [
  { name: 'node -e 0', argv: () => [node, '-e', '0'] },
  { name: 'validate', argv: () => [node, bin, 'validate', example] },
  { name: 'generate, output current', argv: () => [node, bin, 'generate', example, '--out-dir', current, '--quiet'] },
  { name: 'generate, first time', argv: () => [node, bin, 'generate', example, '--out-dir', join(work, `first-${first++}`), '--quiet'], env: noCache },
  { name: 'lint --out-dir', argv: () => [node, bin, 'lint', example, '--out-dir', current] },
];

const run = (argv, runEnv) => spawnSync(argv[0], argv.slice(1), { cwd: root, env: runEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
const rows = [];
let base;
try {
  for (const c of commands) {
    const warm = run(c.argv(), c.env ?? env);
    if (warm.status !== 0) throw new Error(`${c.name} exited ${warm.status}: ${warm.stderr}`);
    const r = run(['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all-non-file', ...c.argv()], c.env ?? env);
    const count = parseCallgrindTotal(r.stderr);
    if (r.status !== 0 || !Number.isFinite(count)) throw new Error(`${c.name} under callgrind exited ${r.status}: ${r.stderr.slice(-2000)}`);
    base ??= count;
    rows.push([c.name, `${(count / 1e6).toFixed(1)} M`, fmtRatio(count / base)]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`instructions (valgrind callgrind), node ${process.version}${removed.length ? ` (${removed.join(', ')} removed, as in npm run bench)` : ''}`);
console.log(formatTable(['command', 'instructions', 'per node -e 0'], rows));
