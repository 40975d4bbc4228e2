import { loadConfig } from '../../load/config';
import { loadDefinitions } from '../../pipeline';
import { paint, printDiagnostics, writeOut } from '../output';

/** `migobs validate <files...>`: schema + semantic rules; exit 1 on any error. */
export async function validateCommand(files: string[], opts: { json?: boolean; config?: string }): Promise<number> {
  const { config, diagnostics: configProblems } = loadConfig(opts.config);
  const result = loadDefinitions(files, config);
  const all = [...configProblems, ...result.diagnostics];
  const ok = all.every((d) => d.severity !== 'error');
  if (opts.json) {
    writeOut(JSON.stringify({ ok, files: result.files.length, migrations: result.migrations.map((m) => m.model.id), problems: all }, null, 2) + '\n');
  } else {
    printDiagnostics(all);
    if (ok) writeOut(paint(`ok: ${result.migrations.length} definition(s) valid`, 'green') + '\n');
    else process.stderr.write(`${all.filter((d) => d.severity === 'error').length} problem(s) in ${new Set(all.map((d) => d.file)).size} file(s)\n`);
  }
  return ok ? 0 : 1;
}
