/** Lint output formats: text for people, JSON for tools, GitHub workflow commands for annotations. */
import type { Diagnostic } from '../diagnostics';

export type LintFormat = 'text' | 'json' | 'github';
export const LINT_FORMATS: readonly LintFormat[] = ['text', 'json', 'github'];

/** `file:line:col: severity: message (hint) [check]` */
export function formatText(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''} [${d.check}]`;
}

/** An array of `{file, line, column, severity, check, message, hint?}`. */
export function formatJson(ds: Diagnostic[]): string {
  const rows = ds.map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, check: d.check, message: d.message, ...(d.hint ? { hint: d.hint } : {}) }));
  return JSON.stringify(rows, null, 2) + '\n';
}

/** GitHub's escaping for a workflow command's message (data). */
export function escapeGithubData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping for a workflow command property value (also `:` and `,`, which delimit properties). */
export function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITHUB_LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** `::error file=...,line=...,col=...::message (hint) [check]` */
export function formatGithub(d: Diagnostic): string {
  const props = `file=${escapeGithubProperty(d.file)},line=${d.line},col=${d.column}`;
  return `::${GITHUB_LEVEL[d.severity]} ${props}::${escapeGithubData(`${d.message}${d.hint ? ` (${d.hint})` : ''} [${d.check}]`)}`;
}

export function formatFindings(ds: Diagnostic[], format: LintFormat): string {
  if (format === 'json') return formatJson(ds);
  if (ds.length === 0) return '';
  const line = format === 'github' ? formatGithub : formatText;
  return ds.map(line).join('\n') + '\n';
}

/** "2 errors, 1 warning, 0 info" */
export function summary(ds: Diagnostic[]): string {
  const n = (s: Diagnostic['severity']): number => ds.filter((d) => d.severity === s).length;
  const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;
  return `${plural(n('error'), 'error')}, ${plural(n('warning'), 'warning')}, ${n('info')} info`;
}
