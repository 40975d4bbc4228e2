/**
 * A problem found in a user's input, pinned to a place in a file.
 * Every stage (load, schema, semantic rules, lint) reports these; the CLI prints
 * them as `file:line:col: message` and exits 1.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
  severity: Severity;
  /** Stable name of the check that found it, e.g. `schema`, `unique-gate-ids`. */
  check: string;
  message: string;
  /** What the user can do about it. */
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const sev = d.severity === 'error' ? '' : `${d.severity}: `;
  return `${where}: ${sev}${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );
}

/** An error the user caused; printed without a stack trace (unless --debug). */
export class UserError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = 'UserError';
    this.diagnostics = diagnostics;
  }
}
