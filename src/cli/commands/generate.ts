import { isAbsolute, relative, resolve } from 'node:path';
import { UserError } from '../../diagnostics';
import { flavorWarnings } from '../../generate/flavors/warnings';
import { sharedFiles } from '../../generate/shared';
import { configuredFlavors, FLAVOR_NAMES, type FlavorName } from '../../load/deploy-config';
import type { RepoConfig } from '../../model/types';
import type { Generation } from '../../generate/run';
import { detached } from '../../util/detach';
import { didYouMean } from '../../util/suggest';
import { provisioningFolder, type ProvisionedMigration } from '../../generate/provisioning';
import { configAbove } from '../../load/config-file';
import { checkEach, type LoadOptions, type PipelineResult } from '../../load/each';
import { parseDurationMs } from '../../util/duration';
import { acquireOutputLock } from '../../write/lock';
import { IncrementalPlanner } from '../../write/incremental';
import { OutputChecker, OutputWriter, type RunFile } from '../../write/plan';
import { openResultCache } from '../../write/result-cache';
import { paint, printDiagnostics, writeOut } from '../output';
import { cliLoadConfig, cliLoadOptions, lazySourceChecker } from '../load-options';
import { tuneHeapForGeneration } from '../jit';

export interface GenerateOptions {
  outDir?: string;
  check?: boolean;
  config?: string;
  quiet?: boolean;
  /** How long to wait for another run's lock on the output folder (a duration, e.g. `30s`). */
  lockTimeout?: string;
  /** Deploy flavours (repeatable `--flavor`); default: deploy.flavors from the config, else files. */
  flavor?: string[];
}

/** The flavours of this run: `--flavor` (repeatable), else deploy.flavors of the config, else `files`. */
export function chooseFlavors(given: string[] | undefined, config: RepoConfig): FlavorName[] {
  if (!given || given.length === 0) return configuredFlavors(config);
  const out: FlavorName[] = [];
  for (const f of given) {
    if (!(FLAVOR_NAMES as readonly string[]).includes(f)) throw new UserError(`--flavor ${f}: not a flavour${didYouMean(f, FLAVOR_NAMES)}; flavours: ${FLAVOR_NAMES.join(', ')} (docs/deploy.md)`);
    if (!out.includes(f as FlavorName)) out.push(f as FlavorName);
  }
  return out;
}

export const DEFAULT_LOCK_TIMEOUT = '30s';

/**
 * A folder as the user should read it: relative to the working folder when inside it (`out`),
 * absolute when outside (`/srv/obs/out`, never `../../out`).
 */
export function displayDir(dir: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, dir);
  const rel = relative(cwd, abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** What a run keeps of each valid definition once its files are handed on. */
interface RunCheck extends Omit<PipelineResult, 'migrations'> {
  /** Every valid migration, as much as the shared files and the warnings need. */
  migrations: ProvisionedMigration[];
  /** Per migration its input hash (write/hash.ts), for the manifest. */
  inputs: ReadonlyMap<string, string>;
  warnings: string[];
  /** How many files were handed on (the manifest aside). */
  count: number;
  /** What went wrong generating or taking files, when every definition is valid (nothing may be written then). */
  failure?: { error: unknown };
}

/**
 * Check each definition and hand its migration's files to `add` at once, one migration at a time:
 * the files of a current migration as their verified hashes (not generated), a stale one's
 * generated (the generators are a separate bundle, loaded only then; many stale ones in a pool of
 * worker threads, while the next definitions are checked), then the shared files. No model is
 * kept, so memory does not grow with the number of definitions.
 *
 * Returns the problems of every definition; when there is an error among them the run must not be
 * used (the caller writes nothing) and the files handed on so far are meaningless. A failure to
 * generate or to take files is returned only when every definition is valid, so a definition's
 * problem is always what is reported first.
 */
async function checkAndGenerate(files: string[], config: RepoConfig, loadOptions: LoadOptions, outDir: string, flavors: FlavorName[], add: (f: RunFile) => void): Promise<RunCheck> {
  let count = 0;
  let failure: { error: unknown } | undefined;
  const take = (f: RunFile): void => {
    count++;
    add(f);
  };
  const migrations: ProvisionedMigration[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const planner = new IncrementalPlanner(outDir, flavors);
  let generation: Generation | undefined;
  // How many definition files the inputs hold (folders expanded): at most that many to generate.
  let definitionCount = files.length;
  const definitions = checkEach(lazySourceChecker, files, config, {
    ...loadOptions,
    onFiles: (list) => {
      definitionCount = list.length;
      loadOptions.onFiles?.(list);
    },
  });
  let checked: Omit<PipelineResult, 'migrations'>;
  try {
    for (;;) {
      const next = definitions.next();
      if (next.done) {
        checked = next.value;
        break;
      }
      const model = next.value.model;
      // Kept to the end of the run: copies, not slices of the definition's text (util/detach.ts).
      const id = detached(model.id);
      // A repeated id is an error (checkEach reports it at the end): its files are never made twice.
      if (seen.has(id)) continue;
      seen.add(id);
      migrations.push({ id, grafana: { datasourceUid: detached(model.grafana.datasourceUid), folder: detached(model.grafana.folder) }, config });
      warnings.push(...flavorWarnings([model], flavors));
      if (failure || generation?.failed) continue;
      const current = planner.currentFiles(model);
      if (current) {
        try {
          current.forEach(take);
        } catch (e) {
          failure = { error: e };
        }
        continue;
      }
      if (!generation) {
        // require, not import(): the CLI bundles run through the V8 code cache (bin/code-cache.js),
        // and a vm.Script has no dynamic-import loader on Node 20.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Generation: Run } = require('../../generate/run') as typeof import('../../generate/run');
        generation = new Run(flavors, (out) => out.forEach(take), definitionCount, { onWorkers: (workers, stale) => tuneHeapForGeneration(stale, workers) });
      }
      await generation.push(model);
    }
  } catch (e) {
    await generation?.cancel();
    throw e;
  }
  const result = { ...checked, migrations, inputs: planner.inputs, warnings, count };
  if (!checked.ok) {
    await generation?.cancel();
    return result;
  }
  try {
    await generation?.end();
  } catch (e) {
    failure ??= { error: e };
  }
  if (!failure) {
    try {
      for (const f of sharedFiles(migrations, flavors)) take(f);
    } catch (e) {
      failure = { error: e };
    }
  }
  return { ...result, count, ...(failure ? { failure } : {}) };
}

/**
 * `migobs generate <files...> [--out-dir out] [--check] [--lock-timeout 30s]`. Nothing is written
 * unless every definition is valid; --check writes nothing and exits 1 when committed output is
 * stale. A run holds `<out>/.migobs.lock` from start to end, so concurrent runs take turns.
 * Incremental (docs/incremental.md): a migration whose inputs and files match the manifest's
 * hashes is not generated again.
 */
export async function generateCommand(files: string[], opts: GenerateOptions): Promise<number> {
  // The result cache (unless it is off): the config's and each definition's check.
  const cache = openResultCache();
  const loadOptions = cliLoadOptions(cache);
  const { config, diagnostics: configProblems, file: configFile } = cliLoadConfig(opts.config, cache);
  if (configProblems.length) throw new UserError('', configProblems);
  const flavors = chooseFlavors(opts.flavor, config);
  const outDir = opts.outDir ?? config.outDir ?? 'out';
  const shown = displayDir(outDir);
  const usedConfig = configFile ? `config: ${displayDir(configFile)}` : 'no config file';
  if (!configFile && !opts.quiet) {
    const above = configAbove();
    if (above) process.stderr.write(`note: ${displayDir(above)} is not read (the config is looked up in the working folder only): run from its folder or pass --config ${displayDir(above)}\n`);
  }

  if (opts.check) {
    let checker: OutputChecker | undefined;
    const run = await checkAndGenerate(files, config, loadOptions, outDir, flavors, (f) => (checker ??= new OutputChecker(outDir)).add(f));
    printDiagnostics(run.diagnostics.filter((d) => d.severity !== 'error'));
    if (!run.ok) throw new UserError('nothing was checked: fix the problems above first', run.diagnostics.filter((d) => d.severity === 'error'));
    if (run.failure) throw run.failure.error;
    const count = run.count;
    const r = (checker ?? new OutputChecker(outDir)).finish(run.inputs);
    for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
    const lines = [
      ...r.stale.map((p) => `stale:   ${shown}/${p}`),
      ...r.missing.map((p) => `missing: ${shown}/${p}`),
      ...r.extra.map((p) => `extra:   ${shown}/${p} (no definition generates it any more)`),
      ...r.legacy.map((p) => `extra:   ${shown}/${p} (old layout: nothing reads it; delete it)`),
    ];
    if (lines.length === 0) {
      writeOut(paint(`ok: ${count} file(s) in ${shown} are up to date (${usedConfig})`, 'green') + '\n');
      return 0;
    }
    process.stderr.write(lines.join('\n') + '\n');
    process.stderr.write(`${shown} is out of date: run \`migobs generate ${files.join(' ')}${opts.outDir ? ` --out-dir ${opts.outDir}` : ''}\` and commit the result\n`);
    return 1;
  }

  const timeoutMs = parseDurationMs(opts.lockTimeout ?? DEFAULT_LOCK_TIMEOUT);
  if (timeoutMs === undefined) throw new UserError(`--lock-timeout \`${opts.lockTimeout}\` is not a duration: write it like 30s, 2m or 0s`);
  const lock = await acquireOutputLock(outDir, {
    timeoutMs,
    onWait: (m) => process.stderr.write(`migobs: ${m}\n`),
    onNote: (m) => process.stderr.write(`migobs: ${m}\n`),
  });
  try {
    // One migration at a time into the staging folder, as each definition is checked; nothing is
    // switched into place until all are valid and staged.
    let writer: OutputWriter | undefined;
    let run: RunCheck;
    try {
      run = await checkAndGenerate(files, config, loadOptions, outDir, flavors, (f) => (writer ??= new OutputWriter(outDir)).add(f));
    } catch (e) {
      writer?.abort();
      throw e;
    }
    printDiagnostics(run.diagnostics.filter((d) => d.severity !== 'error'));
    if (!run.ok) {
      writer?.abort();
      throw new UserError('nothing was written: fix the problems above first', run.diagnostics.filter((d) => d.severity === 'error'));
    }
    const models = run.migrations;
    for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
    const folder = provisioningFolder(models);
    if (folder.conflict && flavors.includes('files')) {
      process.stderr.write(
        `warning: the migrations name different Grafana folders (${folder.conflict.map((c) => `${c.id}: ${c.folder}`).join(', ')}); ` +
          `one file provider puts every dashboard of ${shown}/grafana/dashboards into one folder: ${folder.folder} (set \`folder\` in the repo config to choose it)\n`,
      );
    }
    if (run.failure) {
      writer?.abort();
      throw run.failure.error;
    }
    const w = (writer ?? new OutputWriter(outDir)).commit(run.inputs);
    for (const n of w.notes) process.stderr.write(`note: ${n}\n`);
    if (w.legacy.length) {
      process.stderr.write(`note: ${w.legacy.length} file(s) of the old layout are still in ${shown} (e.g. ${shown}/${w.legacy[0]}); nothing reads them now: delete them (see docs/layout.md)\n`);
    }
    if (!opts.quiet) {
      for (const p of w.written) writeOut(`wrote ${shown}/${p}\n`);
      for (const p of w.removed) writeOut(`removed ${shown}/${p} (its migration is not among the definitions given)\n`);
      const removed = w.removed.length ? `, ${w.removed.length} removed` : '';
      writeOut(paint(`${models.length} migration(s): ${w.written.length} file(s) written, ${w.unchanged.length} unchanged${removed} in ${shown} (${usedConfig})`, 'green') + '\n');
    }
    return 0;
  } finally {
    lock.release();
  }
}
