/**
 * How the CLI's commands over many definitions (`generate`, `lint`) load them: through the result
 * cache when there is one (write/result-cache.ts), and with V8's optimizing compiler back on once
 * the count says the run is long (jit.ts).
 */
import type { LoadOptions } from '../pipeline';
import type { ResultCache } from '../write/result-cache';
import { tuneCompilerForDefinitions } from './jit';

export function cliLoadOptions(cache: ResultCache | undefined): LoadOptions {
  return { ...(cache ? { cache } : {}), onFiles: tuneCompilerForDefinitions };
}
