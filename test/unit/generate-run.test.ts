/**
 * Generation in this thread (src/generate/run.ts): a caller may keep every model until the run
 * ends, so a migration must be generated from a copy whose memos (the generators' WeakMaps keyed by
 * model, gate and input) can go once its files are handed on. Generated from the caller's own
 * models, a 1,000-definition run in one thread peaked at over 500 MiB.
 *
 * migrationFiles is wrapped, not replaced: it generates for real, and the wrapper keeps a WeakRef
 * to each model it was given. After the run and a full garbage collection those models must be
 * gone while the caller's are still alive: a memo that held a model strongly, or generation from
 * the caller's own objects, keeps them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import type { ResolvedMigration } from '../../src/model/types';
import { loadDefinitionText } from '../../src/pipeline';
import { REPO } from '../helpers/cli';

const given: Array<WeakRef<ResolvedMigration>> = [];
vi.mock('../../src/generate/index', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/generate/index')>();
  return {
    ...real,
    migrationFiles: (model: ResolvedMigration, flavors?: Parameters<typeof real.migrationFiles>[1]) => {
      given.push(new WeakRef(model));
      return real.migrationFiles(model, flavors);
    },
  };
});

const { Generation, MIN_PARALLEL } = await import('../../src/generate/run');
type Options = ConstructorParameters<typeof Generation>[3];

/** Every model pushed, then the end (as a caller that holds them all would). */
async function generateAll(models: ResolvedMigration[], onFiles: (files: Array<{ path: string; content: string }>, m: ResolvedMigration) => void, opts: Options): Promise<void> {
  const run = new Generation(['files'], onFiles, models.length, opts);
  for (const m of models) await run.push(m);
  await run.end();
}
const { migrationFiles } = await import('../../src/generate/index');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A migration's files as one text, for comparing two generations of it. */
const asText = (files: ReadonlyArray<{ path: string; content: string }>): string => files.map((f) => `${f.path}\n${f.content}`).join('\n');

const EXAMPLE = readFileSync(join(REPO, 'examples/orders-region-backfill.yaml'), 'utf8');
function model(id: string): ResolvedMigration {
  const r = loadDefinitionText(`${id}.yaml`, EXAMPLE.replace(/^ {2}id: orders-region-backfill\b/m, `  id: ${id}`));
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.migrations[0]!.model;
}

describe('Generation in this thread, for a caller that keeps its models', () => {
  it("generates from copies the run can drop: the caller's models stay, the ones generation saw are collected", async () => {
    const models = ['m1', 'm2', 'm3', 'm4'].map(model);
    const handed: Array<{ id: string; bytes: string }> = [];
    given.length = 0;
    await generateAll(models, (files, m) => handed.push({ id: m.id, bytes: asText(files) }), { workers: 1 });
    expect(handed.map((h) => h.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(given).toHaveLength(4);
    // A WeakRef's target lives at least to the end of the job that made it: collect after a few
    // macrotasks. Once in about twenty runs V8 still held the last model generation saw (a
    // transient reference, gone by the next migration), so only the earlier ones must be gone:
    // a leak keeps every one of them.
    for (let round = 0; round < 3; round++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    expect(given.slice(0, -1).map((w) => w.deref() === undefined)).toEqual([true, true, true]);
    // The bytes are those of the caller's model (the copy changed nothing); `models`, used here,
    // stayed alive through the collections above.
    expect(handed[1]!.bytes).toBe(asText(migrationFiles(models[1]!, ['files'])));
  });

  it('tells the caller how many worker threads it uses, once, before the first migration (the CLI sets the heap policy from it)', async () => {
    const events: string[] = [];
    await generateAll([model('w1'), model('w2')], (_, m) => events.push(`files ${m.id}`), { workers: 1, onWorkers: (n) => events.push(`workers ${n}`) });
    expect(events).toEqual(['workers 0', 'files w1', 'files w2']);
  });
});

/**
 * Generation (src/generate/run.ts): migrations handed over one at a time while the caller is still
 * checking the next definitions. It must not keep what it was given (the generate command keeps no
 * model, so memory does not grow with the number of definitions), must decide once, and must stop
 * at the first failure.
 */
describe('Generation, fed one migration at a time', () => {
  const settle = async (): Promise<void> => {
    for (let round = 0; round < 3; round++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
  };

  it('keeps none of the models pushed: each can go once it is generated, before the run ends', async () => {
    const count = MIN_PARALLEL + 4;
    const models: Array<ResolvedMigration | undefined> = Array.from({ length: count }, (_, i) => model(`p${i}`));
    const pushed = models.map((m) => new WeakRef(m!));
    const handed: string[] = [];
    const run = new Generation(['files'], (_, m) => handed.push(m.id), count);
    await settle(); // the WeakRefs above were made in an earlier job: they hold nothing now
    for (let i = 0; i < count - 1; i++) {
      const m = models[i]!;
      models[i] = undefined;
      await run.push(m);
    }
    // Before the run ends: every model but the last two pushed (a transient reference may hold
    // the latest, as in the test above) is gone; a Generation that kept them would hold all.
    await settle();
    expect(pushed.slice(0, count - 3).map((w) => w.deref() === undefined)).toEqual(Array(count - 3).fill(true));
    await run.push(models[count - 1]!);
    await run.end();
    expect(handed).toEqual(Array.from({ length: count }, (_, i) => `p${i}`));
  });

  it('tells how many threads and migrations once, at the first MIN_PARALLEL pushed (or at the end, with fewer)', async () => {
    const events: string[] = [];
    const many = new Generation(['files'], (_, m) => events.push(m.id), 40, { workers: 1, onWorkers: (w, n) => events.push(`workers ${w} for ${n}`) });
    for (let i = 0; i < MIN_PARALLEL + 1; i++) await many.push(model(`q${i}`));
    await many.end();
    expect(events.slice(0, 2)).toEqual(['workers 0 for 40', 'q0']);
    expect(events.filter((e) => e.startsWith('workers'))).toHaveLength(1);
    const few: string[] = [];
    const run = new Generation(['files'], (_, m) => few.push(m.id), 40, { workers: 1, onWorkers: (w, n) => few.push(`workers ${w} for ${n}`) });
    await run.push(model('r0'));
    await run.push(model('r1'));
    expect(few).toEqual([]);
    await run.end();
    expect(few).toEqual(['workers 0 for 2', 'r0', 'r1']);
  });

  it('a failure stops all later generation; end throws it; cancel drops what is held', async () => {
    const seen: string[] = [];
    const run = new Generation(
      ['files'],
      (_, m) => {
        seen.push(m.id);
        if (m.id === 's2') throw new Error('disk full at s2');
      },
      20,
      { workers: 1 },
    );
    for (let i = 0; i < MIN_PARALLEL + 3; i++) await run.push(model(`s${i}`));
    expect(run.failed).toBe(true);
    await expect(run.end()).rejects.toThrow('disk full at s2');
    expect(seen).toEqual(['s0', 's1', 's2']);
    const held: string[] = [];
    const cancelled = new Generation(['files'], (_, m) => held.push(m.id), 20, { workers: 1 });
    await cancelled.push(model('t0'));
    await cancelled.cancel();
    await cancelled.push(model('t1'));
    expect(held).toEqual([]);
  });
});

