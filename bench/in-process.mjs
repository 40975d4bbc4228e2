// Warm, in-process cost of generating one migration (every output file of the shipped example),
// from the built library: what each definition costs a bulk `generate` once the code is hot, with
// no process start and no disk. Steadier than timing CLI runs (no spawn, no file system), so it is
// the number to watch while making the generators cheaper.
//
// Each iteration generates its own copy of the example, loaded from text with its own id as in a
// bulk run (bench/run.mjs): the gates that read the migration's own metrics (migration_id="<id>")
// are new every time, while those that read the database, hosts and application are the same in
// every copy, and their rule-test cases are built once and shared (docs/rule-tests.md, "Shared
// between migrations"), as in a real bulk run of definitions on the same systems.
//
//   node bench/in-process.mjs             (after `npm run build`; N=60 iterations by default)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { loadDefinitionText, generateMigration } = require(join(root, 'dist', 'lib', 'index.js'));

export function inProcess({ iterations = 60, warmup = 5 } = {}) {
  const text = readFileSync(join(root, 'examples', 'orders-region-backfill.yaml'), 'utf8');
  const times = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const id = `orders-region-backfill-${i}`;
    const loaded = loadDefinitionText(`${id}.yaml`, text.replace(/^( {2}id: )orders-region-backfill\b/m, `$1${id}`));
    if (!loaded.ok) throw new Error('the example did not load');
    const model = loaded.migrations[0].model;
    const t = process.cpuUsage();
    generateMigration(model);
    const d = process.cpuUsage(t);
    if (i >= warmup) times.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return { iterations, medianMs: times[Math.floor(times.length / 2)], minMs: times[0] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = inProcess({ iterations: Number(process.env.N ?? 60) });
  console.log(`one migration, warm, in process: median ${r.medianMs.toFixed(1)} ms CPU (min ${r.minMs.toFixed(1)} ms, ${r.iterations} runs)`);
}
