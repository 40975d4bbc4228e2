/**
 * The routing-cases file (FILES.alertmanagerTest, alertmanager/<id>.routes.txt): one routing case per alert migobs generates, as
 * the arguments of
 *   amtool config routes test --config.file=<merged> --verify.receivers=<receiver> <labels...>
 * each in POSIX single quotes (src/render/shell.ts), label values in PromQL/Go double quotes. The
 * file is data: `migobs routes-test` parses it (parseRouteCases) and runs amtool with an argument
 * array, never through a shell.
 */
import type { ResolvedMigration } from '../../model/types';
import { quotePromqlString, unquote } from '../../promql/matchers';
import { GENERATED_NOTE } from '../../render/serialize';
import { parseShellWords, shQuoteAll, ShellWordsError } from '../../render/shell';
import { ALERT, SEVERITY } from '../names';

export interface RouteCase {
  /** Which alert the case stands for, e.g. `MigrationGatePause replication-lag`. */
  labels: Record<string, string>;
  receivers: string[];
}

/** The label sets of every alert of the migration, with the receiver each must reach. */
export function buildRouteCases(model: ResolvedMigration): RouteCase[] {
  const { page, notify } = model.routing;
  const cases: RouteCase[] = [];
  for (const gate of model.gates) {
    const phase = gate.phases[0] ?? model.phases[0]?.id ?? '';
    const base = { migration_id: model.id, gate: gate.id };
    const withPhase: Record<string, string> = phase ? { phase } : {};
    cases.push(
      { labels: { alertname: ALERT.pause, ...base, action: 'pause', severity: SEVERITY.pause, ...withPhase }, receivers: [notify] },
      { labels: { alertname: ALERT.rollback, ...base, action: 'rollback', severity: SEVERITY.rollback, ...withPhase }, receivers: [page] },
      { labels: { alertname: ALERT.absent, ...base, action: 'pause', severity: SEVERITY.pause, ...withPhase }, receivers: [notify] },
    );
  }
  const meta = (alertname: string, severity: string, receiver: string): RouteCase => ({
    labels: { alertname, migration_id: model.id, action: 'investigate', severity },
    receivers: [receiver],
  });
  cases.push(
    meta(ALERT.stalled, SEVERITY.rollback, page),
    meta(ALERT.etaOverrun, SEVERITY.pause, notify),
    meta(ALERT.metricsAbsent, SEVERITY.pause, notify),
  );
  return cases;
}

/** One line of the routing-cases file: the case's amtool arguments, each quoted for a POSIX shell. */
export function formatRouteCase(c: RouteCase): string {
  return shQuoteAll(amtoolRouteArgs(c));
}

export function renderRouteCases(model: ResolvedMigration, source?: string): string {
  const header = [
    `# ${GENERATED_NOTE}`,
    ...(source ? [`# Source: ${source.replace(/[\r\n\u0085\u2028\u2029]/g, ' ')}`] : []),
    '# Alertmanager routing cases, one per line: the arguments of',
    '#   amtool config routes test --config.file=<merged.yml> ARGUMENTS...',
    '# each in single quotes. Check them all against the merged config with',
    '#   migobs routes-test <merged.yml> <this file>',
    '# which reads every line as data. Never eval or source this file.',
  ];
  return [...header, ...buildRouteCases(model).map(formatRouteCase)].join('\n') + '\n';
}

const VERIFY = '--verify.receivers=';
const LABEL = new RegExp(String.raw`^([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*")$`);

/** A problem in a routing-cases file, at a 1-based line and column. */
export class RouteCaseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Parse a routing-cases file back into cases (comments and blank lines skipped). Each line must be
 * single-quoted words: `--verify.receivers=<receivers>` then `name="value"` labels. Nothing in the
 * file is ever interpreted by a shell.
 */
export function parseRouteCases(text: string): RouteCase[] {
  const cases: RouteCase[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let words: string[];
    try {
      words = parseShellWords(line);
    } catch (e) {
      if (e instanceof ShellWordsError) throw new RouteCaseError(e.message, i + 1, e.index + 1);
      throw e;
    }
    const col = line.search(/\S/) + 1;
    const [verify, ...labelWords] = words;
    if (!verify?.startsWith(VERIFY)) throw new RouteCaseError(`expected '${VERIFY}<receiver>' as the first word`, i + 1, col);
    const receivers = verify.slice(VERIFY.length).split(',');
    if (receivers.some((r) => r === '')) throw new RouteCaseError('empty receiver name', i + 1, col);
    if (labelWords.length === 0) throw new RouteCaseError('a case needs at least one label', i + 1, col);
    const labels: Record<string, string> = {};
    for (const word of labelWords) {
      const mt = LABEL.exec(word);
      if (!mt) throw new RouteCaseError(`bad label \`${word}\`: expected name="value"`, i + 1, col);
      labels[mt[1]!] = unquote(mt[2]!);
    }
    cases.push({ labels, receivers });
  });
  return cases;
}

/**
 * The case's arguments for `amtool config routes test --config.file=<merged>`:
 * `--verify.receivers=<receivers>` and the labels.
 */
export function amtoolRouteArgs(c: RouteCase): string[] {
  return [`--verify.receivers=${c.receivers.join(',')}`, ...Object.entries(c.labels).map(([k, v]) => `${k}=${quotePromqlString(v)}`)];
}
