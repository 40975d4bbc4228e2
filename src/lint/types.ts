/**
 * A lint check: one file in lint/checks/, a stable kebab-case name, a default severity, a one-line
 * doc, and located diagnostics. Lint runs only on definitions that passed validation, so a check
 * may rely on a well-formed model (numbers are numbers, durations parse).
 */
import type { Diagnostic, Severity } from '../diagnostics';
import type { MigrationDefinition } from '../definition/types';
import type { JsonPath, SourceFile } from '../load/source';
import type { ResolvedMigration } from '../model/types';

/** The committed files drift compares with the definition (keys of names.ts FILES). */
export type DriftFile = 'rules' | 'dashboard' | 'runbook';

/** Committed output of one migration, read by the runner so checks stay free of I/O. */
export interface CommittedOutput {
  /** The output folder that was read, e.g. `out`. */
  dir: string;
  /** Where each file is (or would be), e.g. `out/prometheus/rules/orders-backfill.yaml` (used in messages). */
  paths: Record<DriftFile, string>;
  /** Content of each file; absent when the file is missing. */
  files: Partial<Record<DriftFile, string>>;
  /**
   * Files the output folder's manifest proves `generate` wrote from this very definition (their
   * hash and the migration's input hash match): their thresholds are the definition's.
   */
  current?: Partial<Record<DriftFile, true>>;
  /** SHA-256 of each file that is there (what lint's result cache keys on). */
  hashes?: Partial<Record<DriftFile, string>>;
}

export interface LintContext {
  source: SourceFile;
  def: MigrationDefinition;
  model: ResolvedMigration;
  /** Only when `--out-dir` was given (or configured). */
  committed?: CommittedOutput;
  /** The repo config file, when one was read (findings about its keys point into it). */
  config?: SourceFile;
}

export interface LintCheck {
  name: string;
  /** Severity of its findings (a check may lower it for a finding, e.g. drift's "nothing committed"). */
  severity: Severity;
  /** One line for docs and `--help`. */
  doc: string;
  check(ctx: LintContext): Diagnostic[];
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** A finding at a JSON path of the definition. */
export function findingAt(
  ctx: LintContext,
  check: Pick<LintCheck, 'name' | 'severity'>,
  path: JsonPath,
  message: string,
  hint?: string,
  opts: { part?: 'key' | 'value'; severity?: Severity } = {},
): Diagnostic {
  return {
    file: ctx.source.file,
    ...ctx.source.locate(path, opts.part ?? 'value'),
    severity: opts.severity ?? check.severity,
    check: check.name,
    message,
    ...(hint ? { hint } : {}),
  };
}
