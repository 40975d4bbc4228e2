/**
 * `migobs routes-test`: check routing-cases files (FILES.alertmanagerTest) against an Alertmanager
 * config with the real `amtool config routes test`. Each case is read as data (parseRouteCases)
 * and handed to amtool as an argument array through `run`, which the command implements with
 * execFile: no shell ever sees a receiver name or a label value.
 */
import type { Diagnostic } from '../diagnostics';
import { amtoolRouteArgs, parseRouteCases, RouteCaseError, type RouteCase } from '../generate/alertmanager/cases';

export interface LocatedCase {
  file: string;
  line: number;
  case: RouteCase;
}

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs amtool with these arguments (no shell). */
export type AmtoolRunner = (args: string[]) => Promise<ToolRun>;

export interface CaseResult extends LocatedCase {
  ok: boolean;
  /** The receivers amtool resolved (comma-separated), when it got that far. */
  got?: string;
  /** amtool's own message when it failed for another reason than the receivers. */
  error?: string;
}

/** The cases of one routing-cases file, each with its line; a malformed file is a located diagnostic. */
export function readRouteCases(file: string, text: string): { cases: LocatedCase[]; diagnostics: Diagnostic[] } {
  try {
    const lines = text.split('\n');
    const isCase = (l: string): boolean => l.trim() !== '' && !l.trim().startsWith('#');
    const caseLines = lines.map((l, i) => (isCase(l) ? i + 1 : 0)).filter((n) => n > 0);
    const cases = parseRouteCases(text).map((c, i) => ({ file, line: caseLines[i]!, case: c }));
    if (cases.length === 0) return { cases, diagnostics: [{ file, line: 1, column: 1, severity: 'error', check: 'routes-test', message: 'no routing cases in this file' }] };
    return { cases, diagnostics: [] };
  } catch (e) {
    if (!(e instanceof RouteCaseError)) throw e;
    return {
      cases: [],
      diagnostics: [
        {
          file,
          line: e.line,
          column: e.column,
          severity: 'error',
          check: 'routes-test',
          message: e.message.replace(/^line \d+: /, ''),
          hint: "each line holds single-quoted words: '--verify.receivers=<receiver>' then 'name=\"value\"' labels (as `migobs generate` writes them)",
        },
      ],
    };
  }
}

/** Noise amtool prints on every run when a config file is given. */
const AMTOOL_NOISE = /^Warning: --config\.file flag overrides the --alertmanager\.url\.\n?/gm;
const MISMATCH = 'WARNING: Expected receivers did not match resolved receivers.';

/** Run every case through `amtool config routes test --config.file=<config> --verify.receivers=... <labels>`, one at a time. */
export async function runRouteCases(configFile: string, cases: LocatedCase[], run: AmtoolRunner): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const r = await run(['config', 'routes', 'test', `--config.file=${configFile}`, ...amtoolRouteArgs(c.case)]);
    const stdout = r.stdout.replace(AMTOOL_NOISE, '');
    const got = stdout.split('\n')[0]?.trim();
    if (r.code === 0) results.push({ ...c, ok: true, ...(got ? { got } : {}) });
    else if (stdout.includes(MISMATCH)) results.push({ ...c, ok: false, ...(got ? { got } : {}) });
    else results.push({ ...c, ok: false, error: (r.stderr.replace(AMTOOL_NOISE, '') || stdout).trim() || `amtool exited with ${r.code}` });
  }
  return results;
}

/** Text from a file or from amtool, safe to print on a terminal (control characters escaped). */
const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** One line of output per case. */
export function formatCaseResult(r: CaseResult): string {
  const labels = Object.entries(r.case.labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const want = printable(r.case.receivers.join(','));
  const where = printable(`${r.file}:${r.line}`);
  if (r.ok) return `ok    ${where}  {${printable(labels)}} -> ${want}`;
  if (r.error !== undefined) return `FAIL  ${where}  {${printable(labels)}}: amtool: ${printable(r.error.split('\n')[0]!)}`;
  return `FAIL  ${where}  {${printable(labels)}} -> expected ${want}, got ${printable(r.got ?? '(nothing)')}`;
}
