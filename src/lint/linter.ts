/**
 * Running the lint checks over many definitions, with the result cache: what `migobs lint` needs
 * before it knows whether any check must run. The checks themselves (lint/checks/, with the
 * presets, the PromQL parser and the drift readers behind them) are asked for only when a
 * migration's findings are not in the cache, so the CLI can keep them in a bundle it reads only
 * then (cli/checker.ts); index.ts hands them over directly.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sortDiagnostics, type Diagnostic, type Severity } from '../diagnostics';
import { FILES } from '../generate/names';
import { reparseFailed, type CheckedFile } from '../load/each';
import type { SourceFile } from '../load/source';
import type { ResolvedMigration } from '../model/types';
import { inputHash, sha256 } from '../write/hash';
import { readManifest, type ManifestHashes } from '../write/manifest';
import { isPlainJson, type ResultCache } from '../write/result-cache';
import { SEVERITY_RANK, type CommittedOutput, type DriftFile, type LintCheck, type LintContext } from './types';

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

/** The repo config file a linter was given: what its cache key holds of it, and its parsed source for the checks. */
export interface LinterConfig {
  file: string;
  /** SHA-256 of the file's content. */
  hash: string;
  /** The parsed file (findings about its keys point into it); asked for only when checks run. */
  source(): SourceFile;
}

export interface LinterOptions {
  /** Where committed output lives; drift is checked only when given. */
  outDir?: string;
  /** The deploy flavours `generate` uses by default (the config's), to recognise files its manifest proves current. */
  flavors?: readonly string[];
  /** The checks to run: asked for on the first migration whose findings are not in the cache. */
  checks: () => readonly LintCheck[];
  /** What the cache key says of the checks: their names when a caller chose some, else every check of this build. */
  checkNames?: readonly string[];
  config?: LinterConfig;
  cache?: ResultCache;
}

/**
 * Lint checked definition files one at a time, as load/each.ts hands them over: `lint` over a
 * thousand definitions keeps their findings, not their syntax trees. With the result cache, a
 * migration whose check came from the same cache entry, with the same committed files (by hash),
 * output folder, flavours, config file and checks, gets the findings stored last time without
 * being parsed again. `findings()` sorts what was added by file and position.
 */
export function createLinter(opts: LinterOptions): { add(c: CheckedFile): void; findings(): Diagnostic[] } {
  const out: Diagnostic[] = [];
  const record = opts.outDir !== undefined ? generatedRecord(opts.outDir, opts.flavors ?? ['files']) : undefined;
  const { cache } = opts;
  // The checks are part of the build (in every key): only a caller's own choice needs naming.
  const context = cache ? { checks: opts.checkNames ?? 'all', config: opts.config ? { file: opts.config.file, text: opts.config.hash } : null, flavors: opts.flavors ?? null } : undefined;
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
    // From the cache: the very bytes that checked valid, parsed again for positions (load/each.ts reparse).
    const m = c.loaded ?? c.reparse?.();
    if (!m) throw reparseFailed(c.file);
    const ctx: LintContext = { source: m.source, def: m.definition, model: m.model, ...(committed ? { committed } : {}), ...(opts.config ? { config: opts.config.source() } : {}) };
    const found = runChecks(ctx, opts.checks());
    out.push(...found);
    if (key !== undefined && isPlainJson(found)) cache!.put(key, found, `lint ${c.file}`);
  };
  return { add, findings: () => sortDiagnostics(out) };
}

/** Run `checks` on one migration. */
export function runChecks(ctx: LintContext, checks: readonly LintCheck[]): Diagnostic[] {
  return checks.flatMap((c) => c.check(ctx));
}

/** Whether any finding is at or above `failOn`. */
export function failsAt(findings: Diagnostic[], failOn: Severity): boolean {
  return findings.some((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[failOn]);
}
