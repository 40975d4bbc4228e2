import { isAbsolute, relative, resolve } from 'node:path';
import { UserError } from '../../diagnostics';
import { flavorWarnings } from '../../generate/flavors/warnings';
import { sharedFiles } from '../../generate/shared';
import { configuredFlavors, FLAVOR_NAMES, type FlavorName } from '../../load/deploy-config';
import type { RepoConfig, ResolvedMigration } from '../../model/types';
import { didYouMean } from '../../util/suggest';
import { provisioningFolder } from '../../generate/provisioning';
import { configAbove } from '../../load/config-file';
import { loadModelsWith } from '../../load/each';
import { parseDurationMs } from '../../util/duration';
import { acquireOutputLock } from '../../write/lock';
import { planIncremental, type IncrementalPlan } from '../../write/incremental';
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

/**
 * Every file of this run, handed to `add` one migration at a time: the files of current migrations
 * as their verified hashes (not generated), the stale ones generated (the generators are a separate
 * bundle, loaded only then), and the shared files. Returns how many files (the manifest aside).
 */
async function eachFile(models: ResolvedMigration[], flavors: FlavorName[], plan: IncrementalPlan, add: (f: RunFile) => void): Promise<number> {
  let count = 0;
  const take = (f: RunFile): void => {
    count++;
    add(f);
  };
  for (const c of plan.current) for (const f of c.files) take(f);
  if (plan.stale.length > 0) {
    // require, not import(): the CLI bundles run through the V8 code cache (bin/code-cache.js),
    // and a vm.Script has no dynamic-import loader on Node 20.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generateEach } = require('../../generate/run') as typeof import('../../generate/run');
    const stale = plan.stale.length;
    await generateEach(plan.stale, flavors, (files) => files.forEach(take), { onWorkers: (workers) => tuneHeapForGeneration(stale, workers) });
  }
  for (const f of sharedFiles(models, flavors)) take(f);
  return count;
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
    const result = loadModelsWith(lazySourceChecker, files, config, loadOptions);
    printDiagnostics(result.diagnostics.filter((d) => d.severity !== 'error'));
    if (!result.ok) throw new UserError('nothing was checked: fix the problems above first', result.diagnostics.filter((d) => d.severity === 'error'));
    const models = result.models;
    const checker = new OutputChecker(outDir);
    const plan = planIncremental(outDir, models, flavors);
    const count = await eachFile(models, flavors, plan, (f) => checker.add(f));
    const r = checker.finish(plan.inputs);
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
    const result = loadModelsWith(lazySourceChecker, files, config, loadOptions);
    printDiagnostics(result.diagnostics.filter((d) => d.severity !== 'error'));
    if (!result.ok) throw new UserError('nothing was written: fix the problems above first', result.diagnostics.filter((d) => d.severity === 'error'));
    const models = result.models;
    for (const w of flavorWarnings(models, flavors)) process.stderr.write(`warning: ${w}\n`);
    const folder = provisioningFolder(models);
    if (folder.conflict && flavors.includes('files')) {
      process.stderr.write(
        `warning: the migrations name different Grafana folders (${folder.conflict.map((c) => `${c.id}: ${c.folder}`).join(', ')}); ` +
          `one file provider puts every dashboard of ${shown}/grafana/dashboards into one folder: ${folder.folder} (set \`folder\` in the repo config to choose it)\n`,
      );
    }
    // One migration at a time into the staging folder; nothing is switched into place until all are staged.
    const writer = new OutputWriter(outDir);
    const plan = planIncremental(outDir, models, flavors);
    try {
      await eachFile(models, flavors, plan, (f) => writer.add(f));
    } catch (e) {
      writer.abort();
      throw e;
    }
    const w = writer.commit(plan.inputs);
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
