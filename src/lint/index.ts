/**
 * `migobs lint`: checks that run on valid, resolved definitions (threshold and rule sanity, hand
 * edits of committed output). Validation problems are not lint findings: the command stops before
 * lint when a definition does not validate.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sortDiagnostics, type Diagnostic, type Severity } from '../diagnostics';
import { FILES } from '../generate/names';
import type { LoadedMigration } from '../pipeline';
import { LINT_CHECKS } from './checks';
import { SEVERITY_RANK, type CommittedOutput, type LintCheck, type LintContext } from './types';

export { LINT_CHECKS } from './checks';
export type { LintCheck, LintContext } from './types';

/** The committed files drift reads. */
const DRIFT_FILES = [FILES.rules, FILES.dashboard, FILES.runbook];

/** Read `<outDir>/<id>/{rules.yaml,dashboard.json,runbook.md}`; missing files are simply absent. */
export function readCommitted(outDir: string, id: string): CommittedOutput {
  const dir = join(outDir, id);
  const files: CommittedOutput['files'] = {};
  for (const f of DRIFT_FILES) {
    const p = join(dir, f);
    if (existsSync(p) && statSync(p).isFile()) files[f] = readFileSync(p, 'utf8');
  }
  return { dir: `${outDir.replace(/\/+$/, '')}/${id}`, files };
}

export interface LintOptions {
  /** Where committed output lives; drift is checked only when given. */
  outDir?: string;
  checks?: readonly LintCheck[];
}

/** Run every check on one migration. */
export function lintContext(ctx: LintContext, checks: readonly LintCheck[] = LINT_CHECKS): Diagnostic[] {
  return checks.flatMap((c) => c.check(ctx));
}

/** Lint validated migrations; findings sorted by file and position. */
export function lintMigrations(migrations: LoadedMigration[], opts: LintOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of migrations) {
    const ctx: LintContext = { source: m.source, def: m.definition, model: m.model, ...(opts.outDir !== undefined ? { committed: readCommitted(opts.outDir, m.model.id) } : {}) };
    out.push(...lintContext(ctx, opts.checks));
  }
  return sortDiagnostics(out);
}

/** Whether any finding is at or above `failOn`. */
export function failsAt(findings: Diagnostic[], failOn: Severity): boolean {
  return findings.some((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[failOn]);
}
