/**
 * `migobs lint`: checks that run on valid, resolved definitions (threshold and rule sanity, hand
 * edits of committed output). Validation problems are not lint findings: the command stops before
 * lint when a definition does not validate.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sortDiagnostics, type Diagnostic, type Severity } from '../diagnostics';
import { FILES } from '../generate/names';
import type { SourceFile } from '../load/source';
import type { ResolvedMigration } from '../model/types';
import type { CheckedFile, LoadedMigration } from '../pipeline';
import { isPlainJson, type ResultCache } from '../write/result-cache';
import { inputHash, sha256 } from '../write/hash';
import { readManifest, type ManifestHashes } from '../write/manifest';
import { LINT_CHECKS } from './checks';
import { SEVERITY_RANK, type CommittedOutput, type DriftFile, type LintCheck, type LintContext } from './types';

export { LINT_CHECKS } from './checks';
export type { LintCheck, LintContext } from './types';

/** The committed files drift reads (where they are comes from names.ts FILES only). */
const DRIFT_FILES: readonly DriftFile[] = ['rules', 'dashboard', 'runbook'];

/** What `generate` recorded about the output folder (its manifest), and the flavours its input hashes were made with. */
export interface GeneratedRecord {
  manifest: ManifestHashes;
  flavors: readonly string[];
}

/**
 * Read the migration's committed rules, dashboard and runbook under `outDir`; missing files are
 * simply absent. With the folder's manifest (`record`), a file is marked current when its bytes
 * hash to what the manifest records for it and the manifest's input hash of this migration is the
 * one this run computes: `generate` wrote exactly these bytes from exactly this definition, so
 * drift need not read thresholds back out of it (docs/incremental.md).
 */
export function readCommitted(outDir: string, model: ResolvedMigration | string, record?: GeneratedRecord): CommittedOutput {
  const id = typeof model === 'string' ? model : model.id;
  const root = outDir.replace(/\/+$/, '');
  const files: CommittedOutput['files'] = {};
  const paths = {} as CommittedOutput['paths'];
  const current: CommittedOutput['current'] = {};
  const hashes: CommittedOutput['hashes'] = {};
  const inputsCurrent = record !== undefined && typeof model !== 'string' && record.manifest.inputs.get(id) === inputHash(model, record.flavors);
  for (const kind of DRIFT_FILES) {
    const rel = FILES[kind](id);
    paths[kind] = `${root}/${rel}`;
    const p = join(outDir, rel);
    if (!existsSync(p) || !statSync(p).isFile()) continue;
    const bytes = readFileSync(p);
    files[kind] = bytes.toString('utf8');
    hashes[kind] = sha256(bytes);
    if (inputsCurrent && record.manifest.hashes.get(rel) === hashes[kind]) current[kind] = true;
  }
  return { dir: root, paths, files, current, hashes };
}

/** The output folder's manifest with the flavours this run assumes (the config's), or undefined without a manifest. */
export function generatedRecord(outDir: string, flavors: readonly string[]): GeneratedRecord | undefined {
  const manifest = readManifest(outDir);
  return manifest && manifest.inputs.size > 0 ? { manifest, flavors } : undefined;
}

export interface LintOptions {
  /** Where committed output lives; drift is checked only when given. */
  outDir?: string;
  /** The deploy flavours `generate` uses by default (the config's), to recognise files its manifest proves current. */
  flavors?: readonly string[];
  checks?: readonly LintCheck[];
  /** The repo config file that was read, if any. */
  config?: SourceFile;
}

/** Run every check on one migration. */
export function lintContext(ctx: LintContext, checks: readonly LintCheck[] = LINT_CHECKS): Diagnostic[] {
  return checks.flatMap((c) => c.check(ctx));
}

/** Lint validated migrations; findings sorted by file and position. */
export function lintMigrations(migrations: LoadedMigration[], opts: LintOptions = {}): Diagnostic[] {
  return lintChecked(
    migrations.map((m) => ({ file: m.source.file, model: m.model, loaded: m })),
    opts,
  );
}

/**
 * Lint checked definition files (pipeline.ts loadChecked), with the result cache when given: a
 * migration whose check came from the same cache entry, with the same committed files (by hash),
 * output folder, flavours, config file and checks, gets the findings stored last time without
 * being parsed again. Findings sorted by file and position.
 */
export function lintChecked(checked: CheckedFile[], opts: LintOptions & { cache?: ResultCache } = {}): Diagnostic[] {
  const linter = createLinter(opts);
  for (const c of checked) linter.add(c);
  return linter.findings();
}

/**
 * lintChecked one file at a time, as loadChecked hands them over: `lint` over a thousand
 * definitions keeps their findings, not their syntax trees. `findings()` sorts what was added.
 */
export function createLinter(opts: LintOptions & { cache?: ResultCache } = {}): { add(c: CheckedFile): void; findings(): Diagnostic[] } {
  const out: Diagnostic[] = [];
  const checks = opts.checks ?? LINT_CHECKS;
  const record = opts.outDir !== undefined ? generatedRecord(opts.outDir, opts.flavors ?? ['files']) : undefined;
  const { cache } = opts;
  const context = cache
    ? { checks: checks.map((c) => c.name), config: opts.config ? { file: opts.config.file, text: sha256(opts.config.text) } : null, flavors: opts.flavors ?? null }
    : undefined;
  const add = (c: CheckedFile): void => {
    const committed = opts.outDir !== undefined ? readCommitted(opts.outDir, c.model, record) : undefined;
    const key =
      cache && c.key !== undefined
        ? cache.key({ kind: 'lint', check: c.key, ...context, committed: committed ? { dir: committed.dir, paths: committed.paths, hashes: committed.hashes, current: committed.current } : null })
        : undefined;
    const hit = key !== undefined ? cache!.get(key, `lint ${c.file}`) : undefined;
    if (Array.isArray(hit)) {
      out.push(...(hit as Diagnostic[]));
      return;
    }
    // From the cache: the very bytes that checked valid, so checking them again gives the same migration.
    const m = c.loaded ?? c.reparse?.();
    if (!m) throw new Error(`internal error: ${c.file} checked valid from the result cache but not when parsed again; run with MIGOBS_NO_CACHE=1 and report this`);
    const found = lintContext({ source: m.source, def: m.definition, model: m.model, ...(committed ? { committed } : {}), ...(opts.config ? { config: opts.config } : {}) }, checks);
    out.push(...found);
    if (key !== undefined && isPlainJson(found)) cache!.put(key, found, `lint ${c.file}`);
  };
  return { add, findings: () => sortDiagnostics(out) };
}

/** Whether any finding is at or above `failOn`. */
export function failsAt(findings: Diagnostic[], failOn: Severity): boolean {
  return findings.some((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[failOn]);
}
