/**
 * `migobs lint`: checks that run on valid, resolved definitions (threshold and rule sanity, hand
 * edits of committed output). Validation problems are not lint findings: the command stops before
 * lint when a definition does not validate. The running of the checks over many files, with the
 * result cache, is linter.ts; this module hands it every check (checks/index.ts).
 */
import type { Diagnostic } from '../diagnostics';
import type { CheckedFile, LoadedMigration } from '../load/each';
import type { SourceFile } from '../load/source';
import { sha256 } from '../write/hash';
import type { ResultCache } from '../write/result-cache';
import { LINT_CHECKS } from './checks';
import { createLinter, runChecks } from './linter';
import type { LintCheck, LintContext } from './types';

export { LINT_CHECKS } from './checks';
export { createLinter, failsAt, generatedRecord, readCommitted, type GeneratedRecord, type LinterConfig, type LinterOptions } from './linter';
export type { LintCheck, LintContext } from './types';

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
  return runChecks(ctx, checks);
}

/** Lint validated migrations; findings sorted by file and position. */
export function lintMigrations(migrations: LoadedMigration[], opts: LintOptions = {}): Diagnostic[] {
  return lintChecked(
    migrations.map((m) => ({ file: m.source.file, model: m.model, loaded: m })),
    opts,
  );
}

/**
 * Lint checked definition files (pipeline.ts loadChecked), with the result cache when given (see
 * linter.ts createLinter). Findings sorted by file and position.
 */
export function lintChecked(checked: CheckedFile[], opts: LintOptions & { cache?: ResultCache } = {}): Diagnostic[] {
  const { checks, config, ...rest } = opts;
  const linter = createLinter({
    ...rest,
    checks: () => checks ?? LINT_CHECKS,
    ...(checks ? { checkNames: checks.map((c) => c.name) } : {}),
    ...(config ? { config: { file: config.file, hash: sha256(config.text), source: () => config } } : {}),
  });
  for (const c of checked) linter.add(c);
  return linter.findings();
}
