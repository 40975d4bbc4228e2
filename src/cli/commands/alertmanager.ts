import { readFileSync, statSync } from 'node:fs';
import { MAX_BASE_BYTES, MERGED_MARK, mergeAlertmanager, mergeInputOf, parseBaseConfig } from '../../alertmanager/merge';
import { UserError } from '../../diagnostics';
import { loadConfig } from '../../load/config';
import { loadDefinitions } from '../../pipeline';
import { printDiagnostics } from '../output';

/**
 * `migobs alertmanager --base <alertmanager.yml> <files...>`: the base config with every
 * migration's route subtree (first) and inhibit rules merged in, on stdout. Prints nothing on
 * stdout when anything is wrong.
 */
export async function alertmanagerCommand(files: string[], opts: { base: string; config?: string }): Promise<number> {
  const { config, diagnostics: configProblems } = loadConfig(opts.config);
  if (configProblems.length) throw new UserError('', configProblems);
  const result = loadDefinitions(files, config);
  printDiagnostics(result.diagnostics.filter((d) => d.severity !== 'error'));
  if (!result.ok) throw new UserError('nothing was printed: fix the problems above first', result.diagnostics.filter((d) => d.severity === 'error'));

  const { base, diagnostics: baseProblems } = parseBaseConfig(opts.base, readBase(opts.base));
  if (!base) throw new UserError(`${opts.base} is not a usable Alertmanager config`, baseProblems);

  const header = [
    `${MERGED_MARK} from ${opts.base} and ${files.join(', ')}.`,
    'Do not edit: change the base config or the definitions and run it again.',
  ];
  const merged = mergeAlertmanager(base, result.migrations.map(mergeInputOf), header);
  if (!merged.text) throw new UserError('nothing was printed: every receiver a definition names must exist in the base config', merged.diagnostics);
  process.stdout.write(merged.text);
  return 0;
}

function readBase(file: string): string {
  const fail = (message: string): never => {
    throw new UserError('', [{ file, line: 1, column: 1, severity: 'error', check: 'alertmanager-base', message }]);
  };
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // Reported by the read below, with its reason.
  }
  if (size > MAX_BASE_BYTES) fail(`base config is ${size} bytes, larger than the ${MAX_BASE_BYTES}-byte limit`);
  try {
    const bytes = readFileSync(file);
    // ignoreBOM: a byte-order mark stays in the text, so the merged output keeps it too.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'base config not found' : code === 'EISDIR' ? 'base config is a folder, not a file' : code ? `cannot read base config (${code})` : 'base config is not valid UTF-8 text';
    return fail(message);
  }
}
