/**
 * When the CLI gets V8's defaults back. bin/migobs.js starts every command without TurboFan
 * (`--no-turbofan`) and with a small young generation scavenged on the main thread
 * (bin/code-cache.js SHORT_RUN_GC): for a run of well under a second, TurboFan's background
 * recompiles, the page faults of a bigger nursery and handing scavenges to helper threads cost
 * more CPU than they save (README.md, Performance, has the measurements). Work that runs for
 * minutes gets the defaults back: the long-running commands (watch, gate-serve, run), the ones
 * that read a user's whole history (report, backtest, baseline), once their bundle is loaded, and
 * a `generate` or `lint` of many definitions, once it knows how many. Changing these V8 flags
 * after code has run is safe: V8 reads them each time it decides whether to optimise a function,
 * grow the young generation or scavenge it.
 */
const LONG_RUNNING = new Set(['watch', 'gate-serve', 'run', 'report', 'backtest', 'baseline']);

/**
 * From this many definitions a `generate` or `lint` is faster with TurboFan. Measured on 2 cores,
 * first-time generate: 100 were 10 % faster without it, 200 were 5 % faster with it, 1,000 were
 * 25 % faster with it; a generate or lint of 1,000 with nothing changed was 10 to 25 % faster with it.
 */
export const OPTIMIZE_FROM_DEFINITIONS = 150;

/**
 * Set on `process` once the flags changed, so bin/code-cache.js writes no cache at exit: V8 would
 * stamp it with the new flags, and every run (which starts with the old ones) would refuse it.
 */
export const FLAGS_CHANGED = Symbol.for('migobs.v8FlagsChanged');

/**
 * V8's defaults for what bin/code-cache.js changes at start (its V8_DEFAULT_FLAGS, which cannot be
 * imported from here): the optimizing compiler, and a young generation that grows as survivors
 * pile up and is scavenged in parallel (fewer, bigger scavenges, which pay for their page faults
 * in work that runs for seconds: 300 definitions were 4 % faster with them).
 */
export const LONG_WORK_FLAGS = '--turbofan --semi-space-growth-factor=2 --parallel-scavenge';

/**
 * Give V8 its defaults back for the rest of this process (worker threads included): TurboFan, and
 * a growing young generation scavenged in parallel.
 */
export function optimizeFromHere(): void {
  setFlagsFromHere(LONG_WORK_FLAGS);
}

/** V8 `flags` for the rest of this process, marked (FLAGS_CHANGED) so that no code cache is written at exit. */
function setFlagsFromHere(flags: string): void {
  // node:v8 is required here, not imported: the short commands never need it.
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString(flags);
  (process as unknown as Record<symbol, boolean>)[FLAGS_CHANGED] = true;
}

/** Once a command knows how many definitions it reads: TurboFan back on when there are many. */
export function tuneCompilerForDefinitions(files: readonly string[]): void {
  if (files.length >= OPTIMIZE_FROM_DEFINITIONS) optimizeFromHere();
}

/** Once command `name` is loaded (its bundle compiled under the flags its code cache was made with): TurboFan back on when it runs long. */
export function tuneCompilerFor(name: string): void {
  if (LONG_RUNNING.has(name)) optimizeFromHere();
}

/**
 * How far V8 lets the old generation grow past what it kept alive at its last full collection
 * before it collects again, for a bulk `generate` in this thread (no worker pool: one CPU, or
 * MIGOBS_WORKERS=1). By default up to about three times: a 1,000-definition run, which keeps about
 * 50 MB alive, peaked at 280 to 297 MiB of RSS, close to the 300 MiB goal, most of it garbage not
 * yet collected. Twice (`--heap-growing-percent=100`, read by V8 at each full collection) peaked
 * at about 218 MiB for about 4 % more CPU (1.5 times: 189 MiB, 7 %). Not for the pool: the flag
 * is the process's, and the workers, whose heaps have their own caps, then peaked higher.
 */
export const ONE_THREAD_HEAP_FLAGS = '--heap-growing-percent=100';

/**
 * Before up to `stale` migrations are generated with `workers` worker threads (0: in this thread).
 * `stale` is an upper bound (the definitions given, once generation starts before all are checked).
 */
export function tuneHeapForGeneration(stale: number, workers: number): void {
  if (workers === 0 && stale >= OPTIMIZE_FROM_DEFINITIONS) setFlagsFromHere(ONE_THREAD_HEAP_FLAGS);
}
