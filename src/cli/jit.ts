/**
 * When the CLI gets V8's optimizing compiler back. bin/migobs.js starts every command without
 * TurboFan (`--no-opt`): for a run of well under a second, its background recompiles cost more
 * CPU than the optimised code saves (docs/performance.md has the measurements). Work that runs for
 * minutes turns it back on before it starts: the long-running commands (watch, gate-serve, run),
 * the ones that read a user's whole history (report, backtest, baseline), and a `generate` with
 * many stale migrations. Changing this one V8 flag once code has run is safe: V8 reads it each
 * time it decides whether to optimise a function.
 */
const LONG_RUNNING = new Set(['watch', 'gate-serve', 'run', 'report', 'backtest', 'baseline']);

/**
 * From this many stale migrations a `generate` is faster with TurboFan (measured on 2 cores:
 * 100 stale were 10 % faster without it, 200 were 5 % faster with it, 1,000 were 25 % faster with it).
 */
export const OPTIMIZE_FROM_STALE = 150;

/** Turn V8's optimizing compiler back on for the rest of this process (worker threads included). */
export function optimizeFromHere(): void {
  // node:v8 is required here, not imported: the short commands never need it.
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--opt');
}

/** Before generating `stale` migrations: TurboFan back on when there are many. */
export function tuneCompilerForStale(stale: number): void {
  if (stale >= OPTIMIZE_FROM_STALE) optimizeFromHere();
}

/** Before loading command `name`: TurboFan back on when the command runs long. */
export function tuneCompilerFor(name: string): void {
  if (LONG_RUNNING.has(name)) optimizeFromHere();
}
