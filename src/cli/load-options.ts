/**
 * How the CLI's commands over many definitions (`generate`, `lint`) load them: through the result
 * cache when there is one (write/result-cache.ts), with V8's optimizing compiler back on once
 * the count says the run is long (jit.ts), and with the parsing and checking stages (checker.ts, a
 * bundle of their own) loaded only when a definition or the config must be parsed.
 */
import type { Diagnostic } from '../diagnostics';
import { configFileToRead } from '../load/config-file';
import type { LoadedConfig } from '../load/config';
import type { LoadOptions, SourceChecker } from '../load/each';
import { readDefinitionBytes } from '../load/read';
import type { RepoConfig } from '../model/types';
import { sha256 } from '../write/hash';
import { isPlainJson, type ResultCache } from '../write/result-cache';
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

/** What the result cache keeps of the config's check: the settings and the problems. */
interface CachedConfig {
  config: RepoConfig;
  diagnostics: Diagnostic[];
}

function isCachedConfig(v: unknown): v is CachedConfig {
  const c = v as CachedConfig | null;
  return typeof c === 'object' && c !== null && typeof c.config === 'object' && c.config !== null && !Array.isArray(c.config) && Array.isArray(c.diagnostics);
}

/**
 * The repo config (load/config.ts loadConfig) without its parsed source: parsed only when there is
 * a config file, and with `cache`, only when that file's path and bytes were not checked before
 * (its settings and problems derive from nothing else). For `lint`, which reports findings at
 * places in the config, see cliLoadConfigSource.
 */
export function cliLoadConfig(explicit: string | undefined, cache?: ResultCache): Omit<LoadedConfig, 'source'> {
  const file = configFileToRead(explicit);
  if (file === undefined) return { config: {}, diagnostics: [] };
  const read = cache ? readDefinitionBytes(file) : undefined;
  // Not readable (missing, a folder, too large): the parser's path says why, as without a cache.
  if (!cache || !read?.bytes) return withoutSource(loadChecker().loadConfig(file));
  const key = cache.key({ kind: 'config', file, bytes: sha256(read.bytes) });
  const hit = cache.get(key, file);
  if (isCachedConfig(hit)) return { ...hit, file };
  const loaded = withoutSource(loadChecker().loadConfig(file));
  const value: CachedConfig = { config: loaded.config, diagnostics: loaded.diagnostics };
  // Only results that read back exactly as computed are kept.
  if (isPlainJson(value)) cache.put(key, value, file);
  return loaded;
}

/** The repo config with its parsed source (positions for findings about the config): always parsed when there is one. */
export function cliLoadConfigSource(explicit?: string): LoadedConfig {
  const file = configFileToRead(explicit);
  return file === undefined ? { config: {}, diagnostics: [] } : loadChecker().loadConfig(file);
}

function withoutSource(loaded: LoadedConfig): Omit<LoadedConfig, 'source'> {
  const { source: _source, ...rest } = loaded;
  return rest;
}
