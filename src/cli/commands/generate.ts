import { UserError } from '../../diagnostics';
import { generateAll } from '../../generate/index';
import { loadConfig } from '../../load/config';
import { loadDefinitions } from '../../pipeline';
import { checkOutputs, writeOutputs } from '../../write/plan';
import { paint, printDiagnostics } from '../output';

/**
 * `migobs generate <files...> [--out-dir out] [--check]`. Nothing is written unless every
 * definition is valid; --check writes nothing and exits 1 when committed output is stale.
 */
export async function generateCommand(files: string[], opts: { outDir?: string; check?: boolean; config?: string; quiet?: boolean }): Promise<number> {
  const { config, diagnostics: configProblems } = loadConfig(opts.config);
  if (configProblems.length) throw new UserError('', configProblems);
  const result = loadDefinitions(files, config);
  printDiagnostics(result.diagnostics.filter((d) => d.severity !== 'error'));
  if (!result.ok) throw new UserError('nothing was written: fix the problems above first', result.diagnostics.filter((d) => d.severity === 'error'));
  const outDir = opts.outDir ?? config.outDir ?? 'out';
  const outputs = generateAll(result.migrations.map((m) => m.model));
  if (opts.check) {
    const r = checkOutputs(outDir, outputs);
    const lines = [...r.stale.map((p) => `stale:   ${outDir}/${p}`), ...r.missing.map((p) => `missing: ${outDir}/${p}`), ...r.extra.map((p) => `extra:   ${outDir}/${p}`)];
    if (lines.length === 0) {
      process.stdout.write(paint(`ok: ${outputs.length} file(s) in ${outDir} are up to date`, 'green') + '\n');
      return 0;
    }
    process.stderr.write(lines.join('\n') + '\n');
    process.stderr.write(`${outDir} is out of date: run \`migobs generate ${files.join(' ')}${opts.outDir ? ` --out-dir ${opts.outDir}` : ''}\` and commit the result\n`);
    return 1;
  }
  const w = writeOutputs(outDir, outputs);
  if (!opts.quiet) {
    for (const p of w.written) process.stdout.write(`wrote ${outDir}/${p}\n`);
    process.stdout.write(paint(`${result.migrations.length} migration(s): ${w.written.length} file(s) written, ${w.unchanged.length} unchanged in ${outDir}`, 'green') + '\n');
  }
  return 0;
}
