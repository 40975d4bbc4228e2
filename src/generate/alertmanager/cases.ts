/**
 * alertmanager.test.txt: one routing case per alert migobs generates, as
 *   name="value" name="value" ... -> "receiver"
 * Label values and receivers are double-quoted strings (PromQL/Go quoting), so a case can be
 * parsed back unambiguously (parseRouteCases) and fed to
 *   amtool config routes test --config.file=<merged> --verify.receivers=<receiver> <labels...>
 */
import type { ResolvedMigration } from '../../model/types';
import { quotePromqlString, unquote } from '../../promql/matchers';
import { GENERATED_NOTE } from '../../render/serialize';
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

export function formatRouteCase(c: RouteCase): string {
  const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${quotePromqlString(v)}`);
  return `${labels.join(' ')} -> ${c.receivers.map(quotePromqlString).join(', ')}`;
}

export function renderRouteCases(model: ResolvedMigration, source?: string): string {
  const header = [
    `# ${GENERATED_NOTE}`,
    ...(source ? [`# Source: ${source.replace(/[\r\n]/g, ' ')}`] : []),
    '# Alertmanager routing cases: <alert labels> -> <receivers>. Check each against the merged config with',
    '#   amtool config routes test --config.file=<merged.yml> --verify.receivers=<receivers> <labels...>',
  ];
  return [...header, ...buildRouteCases(model).map(formatRouteCase)].join('\n') + '\n';
}

const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
const LABEL = new RegExp(String.raw`^([A-Za-z_][A-Za-z0-9_]*)=(${QUOTED})$`);
const RECEIVER = new RegExp(String.raw`^${QUOTED}$`);

/** Parse alertmanager.test.txt back into cases (comments and blank lines skipped). */
export function parseRouteCases(text: string): RouteCase[] {
  const cases: RouteCase[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const arrow = line.search(new RegExp(String.raw`\s->\s(?=${QUOTED}(\s*,\s*${QUOTED})*$)`));
    if (arrow < 0) throw new Error(`line ${i + 1}: expected \`<labels> -> "<receiver>"\``);
    const labels: Record<string, string> = {};
    for (const token of tokens(line.slice(0, arrow))) {
      const mt = LABEL.exec(token);
      if (!mt) throw new Error(`line ${i + 1}: bad label \`${token}\``);
      labels[mt[1]!] = unquote(mt[2]!);
    }
    const receivers = line
      .slice(arrow)
      .replace(/^\s->\s/, '')
      .match(new RegExp(QUOTED, 'g'))!
      .map((r) => {
        if (!RECEIVER.test(r)) throw new Error(`line ${i + 1}: bad receiver ${r}`);
        return unquote(r);
      });
    cases.push({ labels, receivers });
  });
  return cases;
}

/** Split `a="x y" b="z"` on spaces outside quotes. */
function tokens(text: string): string[] {
  return text.trim().match(new RegExp(String.raw`[^\s"]+(?:${QUOTED})?`, 'g')) ?? [];
}

/**
 * The case's arguments for `amtool config routes test --config.file=<merged>`:
 * `--verify.receivers=<receivers>` and the labels.
 */
export function amtoolRouteArgs(c: RouteCase): string[] {
  return [`--verify.receivers=${c.receivers.join(',')}`, ...Object.entries(c.labels).map(([k, v]) => `${k}=${quotePromqlString(v)}`)];
}
