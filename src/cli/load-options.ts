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
import type { LinterConfig } from '../lint/linter';
import type { LintCheck } from '../lint/types';
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

export interface CliLoadedConfig extends Omit<LoadedConfig, 'source'> {
  /** For `lint`: the config file's hash and, asked for when checks run, its parsed source (findings point into it). */
  forLinter?: LinterConfig;
}

/**
 * The repo config (load/config.ts loadConfig), parsed only when there is a config file, and with
 * `cache` only when that file's path and bytes were not checked before (its settings and problems
 * derive from nothing else).
 */
export function cliLoadConfig(explicit: string | undefined, cache?: ResultCache): CliLoadedConfig {
  const file = configFileToRead(explicit);
  if (file === undefined) return { config: {}, diagnostics: [] };
  const read = readDefinitionBytes(file);
  // Not readable (missing, a folder, too large): what loadConfig would say, without parsing anything.
  if (!read.bytes) return { config: {}, diagnostics: read.diagnostics, file };
  const bytes = read.bytes;
  let parsed: LoadedConfig | undefined;
  // The bytes the key is made of, not the file again: an edit meanwhile cannot be cached under them.
  const parse = (): LoadedConfig => (parsed ??= loadChecker().loadConfig(file, bytes));
  const hash = sha256(bytes);
  const forLinter: LinterConfig = {
    file,
    hash,
    source: () => {
      const { source } = parse();
      // Checks run only when the config checked without errors, and so parsed.
      if (!source) throw new Error(`internal error: ${file} has no parsed source`);
      return source;
    },
  };
  const key = cache?.key({ kind: 'config', file, bytes: hash });
  const hit = key !== undefined ? cache!.get(key, file) : undefined;
  if (isCachedConfig(hit)) return { ...hit, file, forLinter };
  const loaded = withoutSource(parse());
  const value: CachedConfig = { config: loaded.config, diagnostics: loaded.diagnostics };
  // Only results that read back exactly as computed are kept.
  if (key !== undefined && isPlainJson(value)) cache!.put(key, value, file);
  return { ...loaded, forLinter };
}

/** The lint checks (lint/checks/), loaded when a migration's findings are not in the result cache. */
export const lazyLintChecks = (): readonly LintCheck[] => loadChecker().LINT_CHECKS;

function withoutSource(loaded: LoadedConfig): Omit<LoadedConfig, 'source'> {
  const { source: _source, ...rest } = loaded;
  return rest;
}
