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
import type { LoadedMigration } from '../pipeline';
import { LINT_CHECKS } from './checks';
import { SEVERITY_RANK, type CommittedOutput, type DriftFile, type LintCheck, type LintContext } from './types';

export { LINT_CHECKS } from './checks';
export type { LintCheck, LintContext } from './types';

/** The committed files drift reads (where they are comes from names.ts FILES only). */
const DRIFT_FILES: readonly DriftFile[] = ['rules', 'dashboard', 'runbook'];

/** Read the migration's committed rules, dashboard and runbook under `outDir`; missing files are simply absent. */
export function readCommitted(outDir: string, id: string): CommittedOutput {
  const root = outDir.replace(/\/+$/, '');
  const files: CommittedOutput['files'] = {};
  const paths = {} as CommittedOutput['paths'];
  for (const kind of DRIFT_FILES) {
    const rel = FILES[kind](id);
    paths[kind] = `${root}/${rel}`;
    const p = join(outDir, rel);
    if (existsSync(p) && statSync(p).isFile()) files[kind] = readFileSync(p, 'utf8');
  }
  return { dir: root, paths, files };
}

export interface LintOptions {
  /** Where committed output lives; drift is checked only when given. */
  outDir?: string;
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
  const out: Diagnostic[] = [];
  for (const m of migrations) {
    const ctx: LintContext = {
      source: m.source,
      def: m.definition,
      model: m.model,
      ...(opts.outDir !== undefined ? { committed: readCommitted(opts.outDir, m.model.id) } : {}),
      ...(opts.config ? { config: opts.config } : {}),
    };
    out.push(...lintContext(ctx, opts.checks));
  }
  return sortDiagnostics(out);
}

/** Whether any finding is at or above `failOn`. */
export function failsAt(findings: Diagnostic[], failOn: Severity): boolean {
  return findings.some((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[failOn]);
}
