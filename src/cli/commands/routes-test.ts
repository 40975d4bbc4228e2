import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { formatCaseResult, readRouteCases, runRouteCases, type LocatedCase, type ToolRun } from '../../alertmanager/routes-test';
import { UserError, type Diagnostic } from '../../diagnostics';
import { paint, printDiagnostics } from '../output';

const MAX_CASES_BYTES = 4 * 1024 * 1024;

/**
 * `migobs routes-test <alertmanager.yml> <routes files...>`: every routing case of the files,
 * checked with `amtool config routes test` against the config. amtool runs through execFile with
 * an argument array: the files are data, never shell input. Exit 0 when every case routes as
 * expected, 1 otherwise.
 */
export async function routesTestCommand(config: string, files: string[], opts: { amtool?: string }): Promise<number> {
  const amtool = opts.amtool ?? 'amtool';
  const cases: LocatedCase[] = [];
  const problems: Diagnostic[] = [];
  for (const file of files) {
    const r = readRouteCases(file, readText(file));
    cases.push(...r.cases);
    problems.push(...r.diagnostics);
  }
  if (problems.length) throw new UserError('no case was run: fix the routing-cases files first', problems);

  const run = (args: string[]): Promise<ToolRun> =>
    new Promise((resolve, reject) => {
      execFile(amtool, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : undefined) : 0;
        if (code === undefined) {
          const why = err?.code === 'ENOENT' ? `${amtool} not found` : `${amtool} did not run (${err?.message ?? 'unknown error'})`;
          reject(new UserError(`${why}: install Alertmanager's amtool (Debian: prometheus-alertmanager) or pass --amtool <path>`));
          return;
        }
        resolve({ code, stdout, stderr });
      });
    });

  const check = await run(['check-config', config]);
  if (check.code !== 0) {
    // amtool: "Checking '<file>'  FAILED: <why>" on stdout, a summary on stderr.
    const why = /FAILED: (.*)/.exec(check.stdout)?.[1] ?? (check.stderr || check.stdout).trim().split('\n')[0] ?? '';
    throw new UserError(`amtool does not accept ${config}: ${why}`);
  }
  const results = await runRouteCases(config, cases, run);
  for (const r of results) process.stdout.write(`${paint(formatCaseResult(r), r.ok ? 'green' : 'red')}\n`);
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(`${results.length} case${results.length === 1 ? '' : 's'}, ${failed} failed\n`);
  return failed ? 1 : 0;
}

function readText(file: string): string {
  const fail = (message: string): never => {
    throw new UserError('', [{ file, line: 1, column: 1, severity: 'error', check: 'routes-test', message }]);
  };
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // Reported by the read below.
  }
  if (size > MAX_CASES_BYTES) fail(`file is ${size} bytes, larger than the ${MAX_CASES_BYTES}-byte limit`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'a folder, not a file' : code ? `cannot read file (${code})` : 'file is not valid UTF-8 text');
  }
}
