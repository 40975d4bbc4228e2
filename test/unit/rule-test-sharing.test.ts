/**
 * The rule-test generator builds each distinct gate's cases once per run and shares them between
 * migrations (src/generate/rules/tests.ts gateCases, caseKey; the gate values with them,
 * test-inputs.ts memoOf), those on a migration's own metrics keyed without its id
 * (src/generate/rules/own-id.ts). Sharing must never change a byte: a migration generated after others
 * whose gates differ from its own in one respect each must come out exactly as it does in a run
 * that shares nothing. And it must actually happen (or this test proves nothing): a second
 * migration with the same gates reuses their cases.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateMigration } from '../../src/generate/index';
import { sharedLifecycleCounts } from '../../src/generate/rules/lifecycle-tests';
import { forgetSharedCases, sharedCases } from '../../src/generate/rules/tests';
import type { ResolvedMigration } from '../../src/model/types';
import { loadDefinitionText } from '../../src/pipeline';
import { REPO } from '../helpers/cli';

const EXAMPLE = readFileSync(join(REPO, 'examples/orders-region-backfill.yaml'), 'utf8');

/** The example with its id and then each [from, to] replaced once (each must be found). */
function variant(id: string, edits: Array<[string | RegExp, string]> = []): ResolvedMigration {
  let text = EXAMPLE.replace(/^ {2}id: orders-region-backfill\b/m, `  id: ${id}`);
  for (const [from, to] of edits) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`edit not found: ${String(from)}`);
    text = next;
  }
  const r = loadDefinitionText(`${id}.yaml`, text);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.migrations[0]!.model;
}

/** Every output file's path and bytes. */
const bytesOf = (m: ResolvedMigration): string => JSON.stringify(generateMigration(structuredClone(m)).map((f) => [f.path, f.content]));

/** The bytes of `second` alone (nothing shared), and after `first` (sharing what it built). */
function aloneAndAfter(first: () => ResolvedMigration, second: () => ResolvedMigration): { alone: string; shared: string } {
  forgetSharedCases();
  const alone = bytesOf(second());
  forgetSharedCases();
  bytesOf(first());
  return { alone, shared: bytesOf(second()) };
}

/** The example with its id, a signal `name` of `expr` and one gate per id in `gates` on it. */
function withGates(id: string, name: string, expr: string, gates: string[]): ResolvedMigration {
  const signal = `    ${name}: {expr: '${expr}'}\n`;
  const gate = (g: string): string => `    - id: ${g}\n      signal: ${name}\n      pause: 10\n      rollback: 60\n      for: 2m\n      phases: [canary, ramp, full]\n      remediation: Halve --batch-size.\n`;
  return variant(id, [['  gates:', `${signal}  gates:`], ['  routing:', `${gates.map(gate).join('')}  routing:`]]);
}

/** The example's replication-lag gate, edited. */
const lagGate = (from: string, to: string): [string, string] => [`      ${from}`, `      ${to}`];

const variants: Array<[string, Array<[string | RegExp, string]>]> = [
  ['only the migration id', []],
  ['the pause threshold', [lagGate('pause: 10 ', 'pause: 20 ')]],
  ['the rollback threshold', [lagGate('rollback: 60', 'rollback: 90')]],
  ['the `for`', [lagGate('for: 2m', 'for: 3m')]],
  ['the gate phases', [lagGate('phases: [canary, ramp, full]', 'phases: [ramp, full]')]],
  ['the gate phases, in another order', [lagGate('phases: [canary, ramp, full]', 'phases: [full, ramp, canary]')]],
  ['the direction (below, thresholds mirrored)', [lagGate('pause: 10 ', 'pause: 10\n      direction: below\n'), lagGate('rollback: 60', 'rollback: 5')]],
  ['the signal (another instance)', [[`max(pg_replication_lag{instance="db1:9187"})`, `max(pg_replication_lag{instance="db2:9187"})`]]],
  ['every database target (another primary)', [[`database: 'instance="db1:9187"'`, `database: 'instance="db2:9187"'`]]],
  ['the database target as a fleet of two (an expected series count)', [[`database: 'instance="db1:9187"'`, `database: 'instance=~"db1:9187|db2:9187"'`]]],
  ['the selector (the migration\'s own metrics)', [[`selector: 'job="orders-backfill"'`, `selector: 'job="orders-backfill-2"'`]]],
  ['the scrape interval', [['scrapeInterval: 30s', 'scrapeInterval: 15s']]],
  // The same gates; the first phase outside theirs (the out-of-phase case) is another.
  ['the migration\'s phases (preflight removed)', [['  routing:', '  phases: [{id: preflight, enabled: false}]\n  routing:']]],
  // A schedule (an input of the lifecycle, lifecycle-tests.ts lifecycleKey), and the stall threshold of the cases beside it.
  ['a schedule', [['  routing:', '  schedule: {notBefore: 2027-01-12T21:00:00+01:00, notAfter: 2027-01-13T03:00:00+01:00}\n  routing:']]],
  ['the stall threshold', [['  routing:', '  stalledAfter: 20m\n  routing:']]],
];

describe('gate cases shared between migrations', () => {
  beforeEach(() => forgetSharedCases());

  it('a second migration that differs only in id builds no case and evaluates no lifecycle of its own (the sharing the tests below check happens)', () => {
    bytesOf(variant('first'));
    const before = { cases: { ...sharedCases }, lifecycles: { ...sharedLifecycleCounts } };
    // The database, hosts and app gates are the same; those on its own metrics are keyed without the id.
    bytesOf(variant('second-of-another-length'));
    expect(sharedCases.built - before.cases.built).toBe(0);
    expect(sharedCases.reused - before.cases.reused).toBeGreaterThanOrEqual(8);
    // Its lifecycle inputs too (lifecycle-tests.ts lifecycleKey); another runner job's are its own.
    expect(sharedLifecycleCounts.evaluated - before.lifecycles.evaluated).toBe(0);
    expect(sharedLifecycleCounts.reused - before.lifecycles.reused).toBeGreaterThanOrEqual(5);
    bytesOf(variant('third', [[`selector: 'job="orders-backfill"'`, `selector: 'job="orders-backfill-2"'`]]));
    expect(sharedLifecycleCounts.evaluated - before.lifecycles.evaluated).toBeGreaterThanOrEqual(5);
  });

  it.each(variants)('after a migration that differs in %s, the bytes are those of a run that shares nothing', (_, edits) => {
    const { alone, shared } = aloneAndAfter(() => variant('shared-a'), () => variant('shared-b', edits));
    expect(shared).toBe(alone);
  });

  it('two gates of one migration that differ only in id keep their own names and notes', () => {
    // A signal beyond the synthesizer (max_over_time): every case of each gate is noted as skipped, by gate id.
    const m = withGates('twins', 'lagPeak', 'max(max_over_time(pg_replication_lag{instance="db1:9187"}[5m]))', ['lag-peak', 'lag-peak-twin']);
    const shared = bytesOf(m);
    const test = JSON.parse(shared).find(([path]: [string]) => path.endsWith('.test.yaml'))[1] as string;
    expect(test).toMatch(/^# {3}gate lag-peak, just green of pause/m);
    expect(test).toMatch(/^# {3}gate lag-peak-twin, just green of pause/m);
    forgetSharedCases();
    expect(bytesOf(m)).toBe(shared);
  });
});

/** The definition files under `dir`, at any depth, in name order. */
const yamlFiles = (dir: string): string[] =>
  readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f) && !f.endsWith('.config.yaml'))
    .sort()
    .map((f) => `${dir}/${f}`);

/**
 * Every definition of the examples and the test corpora that loads (the lint fixtures include
 * signals that read another migration's id or match it by regex), with a second id of its own.
 */
function corpus(): Array<[string, ResolvedMigration, ResolvedMigration]> {
  const out: Array<[string, ResolvedMigration, ResolvedMigration]> = [];
  for (const file of ['examples', 'test/hostile/inputs', 'test/fixtures/valid', 'test/fixtures/lint', 'test/fixtures/semantic'].flatMap(yamlFiles)) {
    const text = readFileSync(join(REPO, file), 'utf8');
    const first = loadDefinitionText(file, text);
    const m = first.migrations[0]?.model;
    if (!m) continue;
    // Another id, of another length, in the metadata's `id:` (the first one in the file).
    const other = `x${m.id}-2`.slice(0, 40).replace(/-$/, '2');
    const again = loadDefinitionText(file, text.replace(new RegExp(`(\\bid:\\s*["']?)${m.id}(?![a-z0-9-])`), `$1${other}`));
    const m2 = again.migrations[0]?.model;
    if (m2 && m2.id === other) out.push([file, m, m2]);
  }
  return out;
}

describe('gate cases on a migration\'s own metrics, keyed without its id', () => {
  beforeEach(() => forgetSharedCases());

  it.each([
    ['a', 'orders-region-backfill-with-a-long-id-40'],
    ['orders-region-backfill-with-a-long-id-40', 'a'],
    ['zz-sorts-last', '0-sorts-first'],
    ['0-sorts-first', 'zz-sorts-last'],
    ['orders-backfill', 'orders-backfill-2'],
  ])('after %s, migration %s has the bytes of a run that shares nothing', (first, second) => {
    const { alone, shared } = aloneAndAfter(() => variant(first), () => variant(second));
    expect(shared).toBe(alone);
  });

  it('notes of skipped cases that quote the expression name the migration\'s own id', () => {
    // `offset` is beyond the synthesizer: every case of the gate is noted, quoting the selector.
    const withGate = (id: string): ResolvedMigration => withGates(id, 'ownOffset', 'max(migration_batch_duration_seconds_count offset 5m)', ['own-offset']);
    const { alone, shared } = aloneAndAfter(() => withGate('offset-first-of-another-length'), () => withGate('offset-second'));
    expect(shared).toBe(alone);
    const test = JSON.parse(shared).find(([path]: [string]) => path.endsWith('.test.yaml'))[1] as string;
    expect(test).toMatch(/^# {3}gate own-offset, just green of pause.*migration_id="offset-second"/m);
  });

  it('beside a gate that matches the first migration\'s id by regex, the bytes of a run that shares nothing', () => {
    // batch-error-ratio (shared, renamed) feeds migration_batches_total with each migration's id; this
    // gate reads the same metric through a regex only the first migration's id matches (its values
    // on renamed inputs: gate-value-memo.test.ts).
    const withGate = (id: string): ResolvedMigration => withGates(id, 'firstOnly', 'max(rate(migration_batches_total{migration_id=~"shared-a.*"}[5m]))', ['first-only']);
    const { alone, shared } = aloneAndAfter(() => withGate('shared-a-first'), () => withGate('shared-b'));
    expect(shared).toBe(alone);
  });

  const definitions = corpus();
  it('the corpus has definitions to compare', () => {
    expect(definitions.length).toBeGreaterThanOrEqual(40);
  });
  it.each(definitions)('%s: generated after itself under another id, the bytes of a run that shares nothing', (_, m, m2) => {
    const { alone, shared } = aloneAndAfter(() => m, () => m2);
    expect(shared).toBe(alone);
  });
});

