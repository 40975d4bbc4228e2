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
  /**
   * Told how many worker threads the run uses (0: this thread only) and how many migrations it
   * expects to generate (at most), once, before any migration is generated.
   */
  onWorkers?: (workers: number, migrations: number) => void;
}

type Reply = { index: number; files: OutputFile[] } | { index: number; error: { name: string; message: string; stack?: string; diagnostics?: Diagnostic[] } };

/** A migration to generate and its place in the run (failures are reported in that order). */
interface Item {
  index: number;
  model: ResolvedMigration;
}

type OnFiles = (files: OutputFile[], model: ResolvedMigration) => void;

/** A failure and the migration it belongs to (its place in the run). */
type Failure = { index: number; error: Error };

/** The failure to report: the one of the earliest migration (as one thread would have met it first). */
const earlier = (known: Failure | undefined, index: number, error: Error): Failure => (!known || index < known.index ? { index, error } : known);

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
 * Migrations generated as they are handed over (`push`), while the caller is still reading and
 * checking the next definitions: nothing waits for the whole list, and nobody holds it. The first
 * MIN_PARALLEL are held back to decide between this thread and a pool of worker threads (a few
 * stale migrations are not worth a worker's start-up); after that `push` waits while the pool has
 * a full queue, so the caller reads definitions only as fast as they are generated and the models
 * held at once stay a handful whatever the count.
 *
 * A failure (generating, or in `onFiles`) stops all further generation; `end` throws the first,
 * in the order pushed, once the work in flight ended. `cancel` stops everything (the caller found
 * a problem in a definition: nothing will be written).
 */
export class Generation {
  private held: Item[] = [];
  private mode: 'undecided' | 'thread' | 'pool' = 'undecided';
  private pool: Pool | undefined;
  private pushed = 0;
  private failure: Failure | undefined;

  /** `expected`: how many migrations the caller may push at most (the worker count is sized by it). */
  constructor(
    private readonly flavors: readonly FlavorName[],
    private readonly onFiles: OnFiles,
    private readonly expected: number,
    private readonly opts: GenerateEachOptions = {},
  ) {}

  /** True once something failed: later migrations are not generated (the run will fail). */
  get failed(): boolean {
    return this.failure !== undefined || this.pool?.failed === true;
  }

  /** Generate `model` (now, or in the pool); resolves when the caller may push the next. */
  push(model: ResolvedMigration): Promise<void> {
    const item = { index: this.pushed++, model };
    if (this.failed) return Promise.resolve();
    if (this.mode === 'thread') {
      this.inThread(item);
      return Promise.resolve();
    }
    if (this.mode === 'pool') {
      // Every worker out of memory: the rest is this thread's, at once (not held to the end).
      if (this.pool!.gone) {
        this.inThread(item);
        return Promise.resolve();
      }
      return this.pool!.push(item);
    }
    this.held.push(item);
    if (this.held.length >= MIN_PARALLEL) this.decide(Math.max(this.expected, this.held.length));
    return Promise.resolve();
  }

  /** Every migration pushed is generated and handed on; throws the first failure. */
  async end(): Promise<void> {
    if (this.mode === 'undecided') this.decide(this.held.length);
    if (this.pool) {
      const { left, failure } = await this.pool.end();
      if (failure) this.fail(failure.index, failure.error);
      // What the pool could not do (a worker out of memory) is done here, in the order pushed.
      for (const item of left) this.inThread(item);
    }
    if (this.failure) throw this.failure.error;
  }

  /** Stop: no more generation, worker threads ended. Nothing pushed so far need be handed on. */
  async cancel(): Promise<void> {
    this.failure ??= { index: -1, error: new Error('generation cancelled') };
    this.held = [];
    await this.pool?.cancel();
  }

  private decide(count: number): void {
    const workers = workerCount(count, this.opts);
    this.opts.onWorkers?.(workers, count);
    const held = this.held;
    this.held = [];
    if (workers === 0) {
      this.mode = 'thread';
      for (const item of held) this.inThread(item);
      return;
    }
    this.mode = 'pool';
    this.pool = new Pool(workers, this.flavors, this.onFiles);
    // At most MIN_PARALLEL: the pool's queue takes them without waiting for room.
    for (const item of held) void this.pool.push(item);
  }

  private inThread(item: Item): void {
    if (this.failure) return;
    try {
      this.onFiles(inThisThread(item.model, this.flavors), item.model);
    } catch (e) {
      this.fail(item.index, e as Error);
    }
  }

  private fail(index: number, error: Error): void {
    this.failure = earlier(this.failure, index, error);
  }
}

/**
 * One migration's files, generated in this thread from a copy of its model, as a worker does. The
 * generators remember work per model, gate and input (WeakMaps keyed by those objects), and a
 * caller may keep its models until the run ends: generated from the models themselves, every
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

/**
 * Migrations waiting in the main thread for a worker, per worker, before `push` makes the caller
 * wait: enough that a worker never waits while the main thread checks the next definition (a
 * millisecond or two), few enough that the models held at once do not grow with the run.
 */
const QUEUED_PER_WORKER = 2;

/** The worker threads of one run and the migrations waiting for them. */
class Pool {
  /** Each worker and the migrations sent to it, oldest first (it answers in that order). */
  private readonly sent = new Map<Worker, Item[]>();
  /** Workers that can take work (not dead, not out of memory). */
  private readonly alive = new Set<Worker>();
  private readonly queue: Item[] = [];
  /** Migrations the pool could not generate (their worker ran out of memory): the main thread's. */
  private readonly left: Item[] = [];
  private readonly waiting: Array<() => void> = [];
  private failure: Failure | undefined;
  /** Set by `end`: resolves it once nothing is in flight or queued. */
  private settled: ((r: { left: Item[]; failure?: Failure }) => void) | undefined;
  private done = false;

  constructor(
    private readonly size: number,
    flavors: readonly FlavorName[],
    private readonly onFiles: OnFiles,
  ) {
    const heapMb = Number.parseInt(process.env.MIGOBS_WORKER_HEAP_MB ?? '', 10) || WORKER_HEAP_MB;
    const youngMb = Number.parseInt(process.env.MIGOBS_WORKER_YOUNG_MB ?? '', 10) || WORKER_YOUNG_MB;
    for (let i = 0; i < size; i++) {
      // The worker loads this bundle and serves (serveWorker); JSON.stringify quotes the path as JS.
      const w = new (workerThreads().Worker)(`require(${JSON.stringify(__filename)}).serveWorker();`, {
        eval: true,
        workerData: { flavors },
        resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: youngMb },
      });
      this.sent.set(w, []);
      this.alive.add(w);
      w.on('message', (reply: Reply) => this.onReply(w, reply));
      // A worker that dies (out of memory, a crash) fails the run at the migration it was generating.
      w.on('error', (e) => {
        const list = this.sent.get(w)!;
        this.alive.delete(w);
        if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' && list.length > 0) {
          // The one it was generating and the ones queued behind it: the main thread does them.
          this.left.push(...list.splice(0));
        } else this.fail(list[0]?.index ?? Number.MAX_SAFE_INTEGER, e);
        this.dispatch();
        this.finish();
      });
      w.on('exit', (code) => {
        this.alive.delete(w);
        if (this.done) return;
        const list = this.sent.get(w)!;
        if (list.length > 0) this.fail(list[0]!.index, new Error(`a generate worker thread stopped (exit code ${code}) while generating ${list[0]!.model.id}`));
        list.splice(0);
        this.dispatch();
        this.finish();
      });
    }
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** No worker can take work any more (each ran out of memory or stopped). */
  get gone(): boolean {
    return this.alive.size === 0;
  }

  /** Queue one migration; resolves when the queue has room for the next. */
  push(item: Item): Promise<void> {
    if (this.failure || this.done) return Promise.resolve();
    this.queue.push(item);
    this.dispatch();
    if (this.queue.length < QUEUED_PER_WORKER * this.size) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** No more pushes: resolves once every migration is answered. */
  end(): Promise<{ left: Item[]; failure?: Failure }> {
    return new Promise((resolve) => {
      this.settled = resolve;
      this.finish();
    });
  }

  async cancel(): Promise<void> {
    this.fail(-1, new Error('generation cancelled'));
    this.done = true;
    this.wake();
    await Promise.all([...this.sent.keys()].map((w) => w.terminate()));
  }

  private onReply(w: Worker, reply: Reply): void {
    const list = this.sent.get(w)!;
    const at = list.findIndex((item) => item.index === reply.index);
    const [item] = at >= 0 ? list.splice(at, 1) : [];
    if ('error' in reply) this.fail(reply.index, revive(reply.error));
    // More work first (none after a failure), so the worker generates while this thread stages what it sent.
    this.dispatch();
    // After a failure the receiver has given up (an output writer aborts on its first error):
    // later files are dropped, not handed on, so the error reported is the one that happened.
    if (!('error' in reply) && !this.failure && item) {
      try {
        this.onFiles(reply.files, item.model);
      } catch (e) {
        this.fail(reply.index, e as Error);
      }
    }
    // Settled only now, after this reply was handed on: a failure in onFiles must still count.
    this.finish();
  }

  private fail(index: number, error: Error): void {
    this.failure = earlier(this.failure, index, error);
  }

  /** Sends each live worker work until it holds IN_FLIGHT migrations (none after a failure). */
  private dispatch(): void {
    if (this.failure) this.queue.length = 0;
    else if (this.alive.size === 0) this.left.push(...this.queue.splice(0)); // every worker gone
    for (const w of this.alive) {
      const list = this.sent.get(w)!;
      while (this.queue.length > 0 && list.length < IN_FLIGHT) {
        const item = this.queue.shift()!;
        list.push(item);
        w.postMessage({ index: item.index, model: item.model });
      }
    }
    this.wake();
  }

  /** Lets a waiting `push` return once the queue has room (or nothing more will be generated). */
  private wake(): void {
    if (this.queue.length < QUEUED_PER_WORKER * this.size || this.failure || this.done) for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Settles `end` once no more work can come and none is in flight or queued; the workers go. */
  private finish(): void {
    if (this.done || !this.settled) return;
    if (this.queue.length > 0 || [...this.sent.values()].some((list) => list.length > 0)) return;
    this.done = true;
    for (const w of this.sent.keys()) void w.terminate();
    this.settled({ left: this.left.sort((a, b) => a.index - b.index), ...(this.failure ? { failure: this.failure } : {}) });
  }
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
