/**
 * How the CLI's commands over many definitions (`generate`, `lint`) load them: through the result
 * cache when there is one (write/result-cache.ts), with V8's optimizing compiler back on once
 * the count says the run is long (jit.ts), and with the parsing and checking stages (checker.ts, a
 * bundle of their own) loaded only when a definition or the config must be parsed.
 */
import { configFileToRead } from '../load/config-file';
import type { LoadedConfig } from '../load/config';
import type { LoadOptions, SourceChecker } from '../load/each';
import type { ResultCache } from '../write/result-cache';
import { tuneCompilerForDefinitions } from './jit';

export function cliLoadOptions(cache: ResultCache | undefined): LoadOptions {
  return { ...(cache ? { cache } : {}), onFiles: tuneCompilerForDefinitions };
}

type Checker = typeof import('./checker');
let checker: Checker | undefined;
/**
 * checker.ts, required on first use. require, not import(): the CLI bundles run through the V8
 * code cache (bin/code-cache.js), and a vm.Script has no dynamic-import loader on Node 20; the
 * build points this require at dist/heavy/checker.js.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadChecker = (): Checker => (checker ??= require('./checker') as Checker);

/** The parsing and checking stages for load/each.ts, loaded when a file misses the result cache. */
export const lazySourceChecker = (): SourceChecker => loadChecker().sourceChecker;

/** The repo config (load/config.ts loadConfig); its parser is loaded only when there is a config file. */
export function cliLoadConfig(explicit?: string): LoadedConfig {
  const file = configFileToRead(explicit);
  return file === undefined ? { config: {}, diagnostics: [] } : loadChecker().loadConfig(file);
}
