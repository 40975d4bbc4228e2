import type { Diagnostic } from '../../diagnostics';
import { matcherAccepts } from '../../promql/matchers';
import { parsePromql, selectors, syntaxProblems, type SelectorInfo } from '../../promql/parse';
import { isContractMetric } from '../../resolve/resolve';
import { CONTRACT_METRICS } from '../metrics';
import { RECORD } from '../../generate/names';
import { findingAt, type LintCheck } from '../types';

/** migobs' own recording rules carry migration_id but are not injected (only migration_* is). */
const isMigobsRecording = (metric: string): boolean => metric.startsWith('migration:');
const MIGRATION_SERIES = [...CONTRACT_METRICS, ...Object.values(RECORD)];

type Label = SelectorInfo['labels'][number];

/** True when the matchers on migration_id admit this migration's id and no other. */
function pinsThisMigration(labels: Label[], id: string): boolean {
  const ms = labels.filter((l) => l.name === 'migration_id');
  if (!ms.every((m) => matcherAccepts(m, id))) return false;
  return ms.some((m) => m.op === '=' || (m.op === '=~' && !/[\\^$.|?*+()[\]{}]/.test(m.value)));
}

/**
 * The resolver adds migration_id="<id>" to every migration_* selector that does not set
 * migration_id itself, so a plain `rate(migration_errors_total[5m])` is safe. What still mixes
 * migrations (several run at once against the same Prometheus):
 *  - a migration_* selector that sets migration_id itself to anything but this id (`=~".+"`,
 *    `!=""`, another id): the user's matcher wins over injection;
 *  - a selector over migobs' recording rules (`migration:...`): they carry migration_id but are
 *    not injected;
 *  - a selector without a metric name (`{__name__=~"migration_.*"}`): injection cannot see it.
 * Aggregating `without (migration_id)` is harmless after injection (every series has one id).
 */
export const contractMetricWithoutMigrationId: LintCheck = {
  name: 'contract-metric-without-migration-id',
  severity: 'warning',
  doc: "A definition signal over migration_* series (or migobs' migration:* recording rules) reads only this migration's migration_id.",
  check(ctx) {
    const id = ctx.model.id;
    const out: Diagnostic[] = [];
    for (const [name, sig] of Object.entries(ctx.def.spec.signals ?? {})) {
      const parsed = parsePromql(sig.expr);
      if (syntaxProblems(parsed).length) continue;
      const problems = new Map<string, string>(); // message -> hint
      const pin = `migration_id="${id}"`;
      for (const s of selectors(parsed)) {
        const text = sig.expr.slice(s.from, s.to);
        const hasIdMatcher = s.labels.some((l) => l.name === 'migration_id');
        if (hasIdMatcher && !pinsThisMigration(s.labels, id)) {
          const reads = s.metric ? isContractMetric(s.metric) || isMigobsRecording(s.metric) : MIGRATION_SERIES.some((m) => nameAccepts(s, m));
          if (reads) {
            problems.set(
              `\`${text}\` sets migration_id to something other than "${id}", so it reads other migrations' series too`,
              s.metric && isContractMetric(s.metric) ? 'drop the migration_id matcher: migobs adds migration_id for this migration to every migration_* selector' : `select ${pin}`,
            );
          }
          continue;
        }
        if (hasIdMatcher) continue;
        if (s.metric && isMigobsRecording(s.metric)) {
          problems.set(`\`${text}\` reads migobs recording rule \`${s.metric}\` without migration_id (only migration_* selectors get it injected)`, `add ${pin} to the selector`);
        } else if (!s.metric) {
          const hit = MIGRATION_SERIES.find((m) => nameAccepts(s, m));
          if (hit) problems.set(`\`${text}\` has no metric name, so migration_id is not injected, and it matches \`${hit}\` of every migration`, `write the metric name (migobs then adds migration_id), or add ${pin}`);
        }
      }
      for (const [message, hint] of problems) {
        out.push(findingAt(ctx, this, ['spec', 'signals', name, 'expr'], `signal \`${name}\`: ${message}; the gate would mix migrations`, hint));
      }
    }
    return out;
  },
};

/** Whether a selector's __name__ matchers (if any) accept a metric name. */
function nameAccepts(s: SelectorInfo, metric: string): boolean {
  return s.labels.filter((l) => l.name === '__name__').every((l) => matcherAccepts(l, metric));
}
