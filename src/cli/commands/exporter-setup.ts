import { join } from 'node:path';
import { ENGINES, type Engine } from '../../definition/types';
import { UserError } from '../../diagnostics';
import { readShippedFiles, shippedPath } from '../../exporters/files';
import { setupJson, setupText, type FileOutcome } from '../../exporters/render';
import { exporterSetup } from '../../exporters/setup';
import { toJson } from '../../render/serialize';
import { didYouMean } from '../../util/suggest';
import { installFiles } from '../../write/install';

/**
 * `migobs exporter-setup <engine> [--out DIR] [--force] [--json]`: the exporter files an engine's
 * signals need (written into DIR, all or nothing; without --out the flags name the package's own
 * copies), the exporter flags and DSN, and a Prometheus scrape_configs snippet.
 */
export async function exporterSetupCommand(engine: string, opts: { out?: string; force?: boolean; json?: boolean }): Promise<number> {
  if (!ENGINES.includes(engine as Engine)) {
    throw new UserError(`unknown engine \`${engine}\`${didYouMean(engine, ENGINES)}; choose one of ${ENGINES.join(', ')}`);
  }
  const e = engine as Engine;
  if (opts.out !== undefined && opts.out.trim() === '') throw new UserError('--out needs a folder, e.g. --out exporters/');
  if (opts.force && opts.out === undefined) throw new UserError('--force only applies with --out DIR (without --out nothing is written)');
  const fileAt = (name: string): string => (opts.out !== undefined ? join(opts.out, name) : shippedPath(e, name));
  const setup = exporterSetup(e, fileAt);
  let files: FileOutcome[];
  if (opts.out !== undefined) {
    const written = installFiles(opts.out, readShippedFiles(e, setup.files), { force: opts.force });
    files = written.map((w, i) => ({ name: w.name, path: w.path, status: w.status, purpose: setup.files[i]!.purpose }));
  } else {
    files = setup.files.map((f) => ({ name: f.name, path: fileAt(f.name), status: 'in-package', purpose: f.purpose }));
  }
  process.stdout.write(opts.json ? toJson(setupJson(setup, files)) : setupText(setup, files));
  if (!opts.json && opts.out !== undefined && files.length === 0) process.stderr.write(`nothing to write for ${e}: its signals need no exporter file\n`);
  return 0;
}
