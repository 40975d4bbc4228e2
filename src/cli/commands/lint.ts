import type { Severity } from '../../diagnostics';
import { configuredFlavors } from '../../load/deploy-config';
import { createLinter, failsAt } from '../../lint/linter';
import { formatFindings, summary, type LintFormat } from '../../lint/format';
import { loadEach } from '../../load/each';
import { openResultCache } from '../../write/result-cache';
import { paint } from '../output';
import { cliLoadConfig, cliLoadOptions, lazyLintChecks, lazySourceChecker } from '../load-options';

export interface LintCommandOptions {
  outDir?: string;
  format?: LintFormat;
  failOn?: Severity;
  config?: string;
}

/**
 * `migobs lint <files...> [--out-dir out] [--format text|json|github] [--fail-on error|warning|info]`.
 * Findings go to stdout in the chosen format (a CI step reads them); the summary goes to stderr.
 * Definitions that do not validate are reported in the same format and lint does not run (exit 1).
 */
export async function lintCommand(files: string[], opts: LintCommandOptions): Promise<number> {
  const format = opts.format ?? 'text';
  const failOn = opts.failOn ?? 'error';
  const cache = openResultCache();
  const { config, diagnostics: configProblems, forLinter: configFile } = cliLoadConfig(opts.config, cache);
  const outDir = opts.outDir ?? config.outDir;
  // Each valid file is linted as soon as it is checked, so its syntax tree is not kept; when some
  // file turns out invalid, those findings are dropped and only the validation problems are shown.
  const linter = createLinter({
    checks: lazyLintChecks,
    ...(outDir !== undefined ? { outDir, flavors: configuredFlavors(config) } : {}),
    ...(configFile ? { config: configFile } : {}),
    ...(cache ? { cache } : {}),
  });
  const configOk = !configProblems.some((d) => d.severity === 'error');
  let linted = 0;
  const result = loadEach(
    lazySourceChecker,
    files,
    config,
    (m) => {
      linted++;
      // With a broken config nothing is linted: only its problems are reported.
      if (configOk) linter.add(m);
    },
    cliLoadOptions(cache),
  );
  const invalid = [...configProblems, ...result.diagnostics];
  if (invalid.some((d) => d.severity === 'error')) {
    process.stdout.write(formatFindings(invalid, format));
    process.stderr.write(`validation failed (${summary(invalid)}): fix these first, lint did not run\n`);
    return 1;
  }
  const findings = [...invalid, ...linter.findings()];
  process.stdout.write(formatFindings(findings, format));
  const failed = failsAt(findings, failOn);
  if (format === 'text') {
    const text = `${linted} migration(s) linted: ${summary(findings)}`;
    process.stderr.write(paint(text, failed ? 'red' : 'green', process.stderr) + '\n');
  }
  return failed ? 1 : 0;
}
