/**
 * The heavy half of `migobs generate`: the generators, the dashboard SDK and the serialisers. Its
 * own bundle (dist/heavy/generate-run.js, scripts/build.mjs), loaded only when some migration is
 * stale, so `generate` with current output never parses it (docs/incremental.md).
 *
 * Migrations are generated one at a time and handed to the caller as they are done (the write
 * stage stages them at once and keeps only paths and hashes), so memory does not grow with the
 * number of migrations. With many stale migrations and more than one CPU, a pool of worker threads
 * (each loading this same bundle) generates them in parallel; the bytes are the same, since each
 * migration's files are a pure function of its model.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { UserError, type Diagnostic } from '../diagnostics';
import type { FlavorName } from '../load/deploy-config';
import type { ResolvedMigration } from '../model/types';
import { migrationFiles, type OutputFile } from './index';

/** Below this many stale migrations a worker's start-up costs more than it saves. */
export const MIN_PARALLEL = 8;
/**
 * Old-generation heap of a worker (MiB). V8 otherwise lets each heap grow far past what it keeps
 * alive (a worker retains one migration at a time), and the threads' heaps add up. A migration
 * that does not fit is generated again in the main thread, whose heap is not capped.
 */
export const WORKER_HEAP_MB = 96;
/**
 * Young generation of a worker (MiB). A migration's garbage dies young; V8's default nursery on a
 * large machine (about 48 MiB per thread) added some 30 MiB per worker to the peak RSS of a
 * 1,000-definition run for no measurable speed.
 */
export const WORKER_YOUNG_MB = 16;

export interface GenerateEachOptions {
  /** Worker threads to use: default MIGOBS_WORKERS, else os.availableParallelism(); 1 = this thread only. */
  workers?: number;
  /** Told how many worker threads the run uses (0: this thread only), once, before any migration is generated. */
  onWorkers?: (workers: number) => void;
}

type Reply = { index: number; files: OutputFile[] } | { index: number; error: { name: string; message: string; stack?: string; diagnostics?: Diagnostic[] } };

/**
 * node:worker_threads, required where a pool is started, not imported: a `generate` of a few
 * migrations never starts one, and loading it costs a few milliseconds of every run.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const workerThreads = (): typeof import('node:worker_threads') => require('node:worker_threads') as typeof import('node:worker_threads');

/** How many worker threads for `count` stale migrations (0: generate in this thread). */
function workerCount(count: number, opts: GenerateEachOptions = {}): number {
  // Workers run the bundle (this file as built); from TypeScript sources (tests, ts-node) there is none.
  const bundled = typeof __filename === 'string' && __filename.endsWith('.js');
  if (!bundled || count < MIN_PARALLEL) return 0;
  const env = Number.parseInt(process.env.MIGOBS_WORKERS ?? '', 10);
  const wanted = opts.workers ?? (Number.isInteger(env) && env > 0 ? env : availableParallelism());
  if (wanted <= 1) return 0;
  return Math.min(wanted, count);
}

/**
 * Generate each model's files and hand them to `onFiles` (in the order of `models` without
 * workers; in completion order with them). The first failure (in model order) is thrown after the
 * work in flight ends; a UserError stays a UserError.
 */
export async function generateEach(models: ResolvedMigration[], flavors: readonly FlavorName[], onFiles: (files: OutputFile[], model: ResolvedMigration) => void, opts: GenerateEachOptions = {}): Promise<void> {
  const n = workerCount(models.length, opts);
  opts.onWorkers?.(n);
  if (n === 0) {
    for (const m of models) onFiles(inThisThread(m, flavors), m);
    return;
  }
  // What the pool could not do (a worker out of memory) is done here, in model order.
  for (const i of await inPool(n, models, flavors, onFiles)) onFiles(inThisThread(models[i]!, flavors), models[i]!);
}

/**
 * One migration's files, generated in this thread from a copy of its model, as a worker does. The
 * generators remember work per model, gate and input (WeakMaps keyed by those objects), and the
 * caller keeps every model until the run ends: generated from the models themselves, every
 * migration's memos stayed alive to the end (a 1,000-definition run in one thread peaked at over
 * 500 MiB). The copy, and with it the memos, can go as soon as the files are handed on.
 */
function inThisThread(model: ResolvedMigration, flavors: readonly FlavorName[]): OutputFile[] {
  return migrationFiles(structuredClone(model), flavors);
}

/**
 * Migrations a worker holds at once: the one it generates and the next, already in its queue. With
 * one, a worker that finished waited for the main thread to stage its files (and often the other
 * worker's) before it got more work: about a tenth of each worker's time in a 1,000-definition run.
 * The queued model is a few tens of KiB: memory stays bounded.
 */
const IN_FLIGHT = 2;

/** Runs the pool; resolves to the indexes of the models it left to the main thread. */
function inPool(size: number, models: ResolvedMigration[], flavors: readonly FlavorName[], onFiles: (files: OutputFile[], model: ResolvedMigration) => void): Promise<number[]> {
  return new Promise((resolvePool, rejectPool) => {
    const left: number[] = [];
    const heapMb = Number.parseInt(process.env.MIGOBS_WORKER_HEAP_MB ?? '', 10) || WORKER_HEAP_MB;
    const youngMb = Number.parseInt(process.env.MIGOBS_WORKER_YOUNG_MB ?? '', 10) || WORKER_YOUNG_MB;
    /** Each worker and the indexes of the migrations sent to it, oldest first (it answers in that order). */
    const sent = new Map<Worker, number[]>();
    let next = 0;
    let failure: { index: number; error: Error } | undefined;
    let settled = false;
    const fail = (index: number, error: Error): void => {
      if (!failure || index < failure.index) failure = { index, error };
    };
    const finish = (): void => {
      if (settled || [...sent.values()].some((list) => list.length > 0)) return;
      settled = true;
      for (const w of sent.keys()) void w.terminate();
      if (failure) rejectPool(failure.error);
      else {
        // Every worker gone (each out of memory): the rest is the main thread's.
        for (; next < models.length; next++) left.push(next);
        resolvePool(left.sort((a, b) => a - b));
      }
    };
    /** Sends `w` work until it holds IN_FLIGHT migrations (none after a failure). */
    const dispatch = (w: Worker): void => {
      const list = sent.get(w)!;
      while (!failure && next < models.length && list.length < IN_FLIGHT) {
        const index = next++;
        list.push(index);
        w.postMessage({ index, model: models[index] });
      }
    };
    for (let i = 0; i < size; i++) {
      // The worker loads this bundle and serves (serveWorker); JSON.stringify quotes the path as JS.
      const w = new (workerThreads().Worker)(`require(${JSON.stringify(__filename)}).serveWorker();`, {
        eval: true,
        workerData: { flavors },
        resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: youngMb },
      });
      sent.set(w, []);
      w.on('message', (reply: Reply) => {
        const list = sent.get(w)!;
        list.splice(list.indexOf(reply.index), 1);
        if ('error' in reply) fail(reply.index, revive(reply.error));
        // More work first (none after a failure), so the worker generates while this thread stages what it sent.
        dispatch(w);
        // After a failure the receiver has given up (an output writer aborts on its first error):
        // later files are dropped, not handed on, so the error reported is the one that happened.
        if (!('error' in reply) && !failure) {
          try {
            onFiles(reply.files, models[reply.index]!);
          } catch (e) {
            fail(reply.index, e as Error);
          }
        }
        // Settled only now, after this reply was handed on: a failure in onFiles must still count.
        if (list.length === 0) finish();
      });
      // A worker that dies (out of memory, a crash) fails the run at the migration it was generating.
      w.on('error', (e) => {
        const list = sent.get(w)!;
        if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' && list.length > 0) {
          // The one it was generating and the ones queued behind it: the main thread does them.
          left.push(...list.splice(0));
        } else fail(list[0] ?? models.length, e);
      });
      w.on('exit', (code) => {
        if (settled) return;
        const list = sent.get(w)!;
        if (list.length > 0) fail(list[0]!, new Error(`a generate worker thread stopped (exit code ${code}) while generating ${models[list[0]!]!.id}`));
        list.splice(0);
        finish();
      });
      dispatch(w);
    }
    // Settles only if nothing was sent at all (never in practice: size is at most the number of models).
    finish();
  });
}

/** An error from a worker as the main thread would have thrown it (no stack shown unless --debug). */
function revive(e: { name: string; message: string; stack?: string; diagnostics?: Diagnostic[] }): Error {
  const err = e.name === 'UserError' ? new UserError(e.message, e.diagnostics ?? []) : new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

/** In a worker thread of the pool: generate what the main thread sends, one migration per message. */
export function serveWorker(): void {
  const { parentPort, workerData } = workerThreads();
  if (!parentPort) throw new Error('serveWorker: not in a worker thread');
  const { flavors } = workerData as { flavors: FlavorName[] };
  parentPort.on('message', ({ index, model }: { index: number; model: ResolvedMigration }) => {
    let reply: Reply;
    try {
      reply = { index, files: migrationFiles(model, flavors) };
    } catch (e) {
      const err = e as Error & { diagnostics?: Diagnostic[] };
      reply = { index, error: { name: err?.name ?? 'Error', message: String(err?.message ?? e), stack: err?.stack, ...(Array.isArray(err?.diagnostics) ? { diagnostics: err.diagnostics } : {}) } };
    }
    parentPort.postMessage(reply);
  });
}
