/**
 * Loading many definition files through the result cache (write/result-cache.ts): for each file,
 * its check is taken from the cache when its path, bytes and the config were checked before, and
 * only otherwise parsed, validated and resolved.
 *
 * The parsing and checking (the YAML parser, the schema validator, the presets, the semantic rules:
 * most of the bytes of a command's bundle) come from a `SourceChecker` asked for only on a miss.
 * pipeline.ts hands its own; the CLI hands one that loads them as a bundle of their own
 * (cli/checker.ts), so a pre-commit `generate` whose definitions all come from the cache never
 * loads them.
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics';
import type { MigrationDefinition } from '../definition/types';
import type { RepoConfig, ResolvedMigration } from '../model/types';
import { detached } from '../util/detach';
import { sha256 } from '../write/hash';
import { isPlainJson, type ResultCache } from '../write/result-cache';
import { expandInputs } from './files';
import { readDefinitionBytes } from './read';
import { isPositionNode, locateIndexed } from './positions';
import type { LoadResult, SourceFile } from './source';

export interface LoadedMigration {
  source: SourceFile;
  definition: MigrationDefinition;
  model: ResolvedMigration;
}

export interface PipelineResult {
  /** The definition files read (directories expanded). */
  files: string[];
  migrations: LoadedMigration[];
  /** Every problem of every file, sorted by file and position. */
  diagnostics: Diagnostic[];
  /** True when there is no error-severity diagnostic. */
  ok: boolean;
}

export interface ModelsResult extends Omit<PipelineResult, 'migrations'> {
  models: ResolvedMigration[];
}

/** A definition file that checked out: its model and, when it was parsed in this run, its source. */
export interface CheckedFile {
  file: string;
  model: ResolvedMigration;
  /** The result-cache key of this file's check (only with a cache): lint keys its own results on it. */
  key?: string;
  /** The parsed source and definition; absent when the check came from the result cache. */
  loaded?: LoadedMigration;
  /** For a check that came from the cache: parse the same bytes now, with the cached model (lint needs the source on a miss of its own). */
  reparse?: () => LoadedMigration | undefined;
}

export interface LoadOptions {
  /**
   * The result cache (write/result-cache.ts): a definition file whose path, bytes and config were
   * checked before is not parsed, validated and resolved again. Commands pass one; without it
   * (library use, tests) every file is checked.
   */
  cache?: ResultCache;
  /** Called with the definition files once directories are expanded, before any is read. */
  onFiles?: (files: readonly string[]) => void;
}

/** Parse (load) and check (validate, resolve, semantic rules) one file: pipeline.ts's stages. */
export interface SourceChecker {
  parseSource(file: string, input: string | Uint8Array): LoadResult;
  checkSource(source: SourceFile, config: RepoConfig): { migration?: LoadedMigration; diagnostics: Diagnostic[] };
}

/** Load, validate and resolve, keeping only the models (see pipeline.ts loadModels). */
export function loadModelsWith(checker: () => SourceChecker, inputs: string[], config: RepoConfig = {}, opts: LoadOptions = {}): ModelsResult {
  const models: ResolvedMigration[] = [];
  const r = loadEach(checker, inputs, config, (m) => models.push(m.model), opts);
  return { ...r, models };
}

/**
 * Load, validate and resolve, handing each valid file to `keep` as it is checked (with its cache
 * key and, if parsed, its source). `checker` is called only when a file must be parsed.
 */
export function loadEach(checker: () => SourceChecker, inputs: string[], config: RepoConfig, keep: (m: CheckedFile) => void, opts: LoadOptions = {}): Omit<PipelineResult, 'migrations'> {
  const files = checkEach(checker, inputs, config, opts);
  for (;;) {
    const next = files.next();
    if (next.done) return next.value;
    keep(next.value);
  }
}

/**
 * `loadEach` one file at a time: yields each valid file as soon as it is checked, and returns
 * every file's problems (with the duplicate ids, found only once all are read) at the end. A
 * caller can work on a file (generate it) before the next is read, and need not keep it.
 */
export function* checkEach(checker: () => SourceChecker, inputs: string[], config: RepoConfig, opts: LoadOptions = {}): Generator<CheckedFile, Omit<PipelineResult, 'migrations'>, void> {
  const ids: IdAt[] = [];
  const { files, diagnostics } = expandInputs(inputs);
  opts.onFiles?.(files);
  const { cache } = opts;
  // Everything a file's check derives from besides its bytes (presets, library and rules are part of the build).
  const configJson = cache ? JSON.stringify(config) : '';
  for (const file of files) {
    const read = readDefinitionBytes(file);
    if (!read.bytes) {
      diagnostics.push(...read.diagnostics);
      continue;
    }
    const key = cache?.key({ kind: 'check', file, bytes: sha256(read.bytes), config: configJson });
    const hit = key !== undefined ? cache!.get(key, file) : undefined;
    if (isCachedCheck(hit)) {
      diagnostics.push(...hit.diagnostics);
      if (hit.migration) {
        ids.push({ id: detached(hit.migration.model.id), file, at: hit.migration.idAt });
        const bytes = read.bytes;
        const { model, located } = hit.migration;
        // Only the source (positions) is needed again: these bytes, this config and this build
        // checked without a problem before (the key says so), and the cached model is that check's
        // (kept only when JSON gives it back unchanged). The schema, resolve and semantic rules
        // need not run a second time; with the definition and its positions cached too, neither
        // does the YAML parser, unless something asks for more than a key's or value's position.
        const parsed = (): LoadedMigration | undefined => {
          const again = checker().parseSource(file, bytes);
          return again.source ? { source: again.source, definition: again.source.data as MigrationDefinition, model } : undefined;
        };
        const reparse = typeof located === 'string' ? (): LoadedMigration | undefined => fromLocated(file, located, model, parsed) : parsed;
        yield { file, model, key, reparse };
      }
      continue;
    }
    const { parseSource, checkSource } = checker();
    const loaded = parseSource(file, read.bytes);
    const found = [...loaded.diagnostics];
    let checked: LoadedMigration | undefined;
    if (loaded.source) {
      const c = checkSource(loaded.source, config);
      found.push(...c.diagnostics);
      checked = c.migration;
    }
    diagnostics.push(...found);
    let idAt: IdAt['at'] | undefined;
    if (checked) {
      const at = checked.source.locate(['metadata', 'id']);
      idAt = { line: at.line, column: at.column };
      ids.push({ id: detached(checked.model.id), file: checked.source.file, at: idAt });
    }
    if (key !== undefined) {
      const located = checked ? locatedText(checked.source) : undefined;
      const value: CachedCheck = {
        diagnostics: found,
        ...(checked ? { migration: { model: checked.model, idAt: idAt!, ...(located !== undefined ? { located } : {}) } } : {}),
      };
      // Only results that read back exactly as computed are kept.
      if (isPlainJson(value)) cache!.put(key, value, file);
    }
    // Stored before it is handed on: the caller's work on it (generating it) may take a while.
    if (checked) yield { file, model: checked.model, ...(key !== undefined ? { key } : {}), loaded: checked };
  }
  diagnostics.push(...duplicateIds(ids));
  const sorted = sortDiagnostics(diagnostics);
  return { files, diagnostics: sorted, ok: !sorted.some((d) => d.severity === 'error') };
}

/** Where a migration's id is written: enough to point at both copies of a duplicate id. */
interface IdAt {
  id: string;
  file: string;
  at: { line: number; column: number };
}

/**
 * What the result cache keeps of one file's check: its problems and, when valid, its model, where
 * its id is, and `located`: the parsed definition with every key's and value's position
 * (positions.ts) as JSON text. Text, not objects: `generate`, which reads every cached check,
 * never needs them, and reading them as objects cost each of its cold starts measurably more
 * allocation; `lint` parses the text when it needs a source.
 */
interface CachedCheck {
  diagnostics: Diagnostic[];
  migration?: { model: ResolvedMigration; idAt: { line: number; column: number }; located?: string };
}

/** The definition and its positions as JSON text, or undefined when JSON would not give them back as they are. */
function locatedText(source: SourceFile): string | undefined {
  const positions = source.positions?.();
  return positions && isPlainJson(source.data) ? JSON.stringify({ definition: source.data, positions }) : undefined;
}

/**
 * A checked file as lint needs it, from its cached check: the definition and positions as stored;
 * the text and positions inside a value (locateIn) come from parsing the bytes, only if asked for.
 */
function fromLocated(file: string, located: string, model: ResolvedMigration, parsed: () => LoadedMigration | undefined): LoadedMigration | undefined {
  let stored: { definition?: unknown; positions?: unknown };
  try {
    stored = JSON.parse(located) as typeof stored;
  } catch {
    return parsed();
  }
  const { definition, positions } = stored;
  if (typeof definition !== 'object' || definition === null || !isPositionNode(positions)) return parsed();
  let full: LoadedMigration | undefined;
  const parsedSource = (): SourceFile => {
    full ??= parsed();
    if (!full) throw reparseFailed(file);
    return full.source;
  };
  const source: SourceFile = {
    file,
    get text() {
      return parsedSource().text;
    },
    data: definition,
    locate: (path, part) => locateIndexed(positions, path, part),
    locateIn: (path, offset) => parsedSource().locateIn(path, offset),
  };
  return { source, definition: definition as MigrationDefinition, model };
}

/** A file whose check came from the result cache did not parse again (its `reparse` gave nothing): a bug, not bad input. */
export function reparseFailed(file: string): Error {
  return new Error(`internal error: ${file} checked valid from the result cache but not when parsed again; run with MIGOBS_NO_CACHE=1 and report this`);
}

function isCachedCheck(v: unknown): v is CachedCheck {
  const c = v as CachedCheck | null;
  return typeof c === 'object' && c !== null && Array.isArray(c.diagnostics) && (c.migration === undefined || (typeof c.migration.model?.id === 'string' && typeof c.migration.idAt?.line === 'number'));
}

/** Two definitions with the same metadata.id would overwrite each other's output and alerts. */
function duplicateIds(ids: IdAt[]): Diagnostic[] {
  const first = new Map<string, IdAt>();
  const out: Diagnostic[] = [];
  for (const m of ids) {
    const prev = first.get(m.id);
    if (!prev) {
      first.set(m.id, m);
      continue;
    }
    out.push({
      file: m.file,
      ...m.at,
      severity: 'error',
      check: 'unique-migration-ids',
      message: `migration id \`${m.id}\` is already used by ${prev.file}:${prev.at.line}:${prev.at.column}`,
      hint: 'each migration needs its own id: it names the output folder, the dashboard uid and the migration_id label',
    });
  }
  return out;
}
