import type { Diagnostic } from '../../diagnostics';
import { metricNames, parsePromql, syntaxProblems } from '../../promql/parse';
import { closest } from '../../util/suggest';
import { isKnownMetric, isRecordingRuleName, knownMetrics } from '../metrics';
import { findingAt, type LintCheck } from '../types';

/**
 * A misspelt metric name is not a PromQL error: the query returns nothing, the gate is unknown
 * (pause) from the first minute. Names the engine library does not list deserve a second look.
 */
export const unknownMetric: LintCheck = {
  name: 'unknown-metric',
  severity: 'info',
  doc: 'Metrics read by definition signals are in the engine signal library, the migration_* contract or a recording rule.',
  check(ctx) {
    const known = knownMetrics(ctx.model.engine, ctx.model.type);
    const candidates = [...known];
    const out: Diagnostic[] = [];
    for (const [name, sig] of Object.entries(ctx.def.spec.signals ?? {})) {
      const parsed = parsePromql(sig.expr);
      if (syntaxProblems(parsed).length) continue;
      for (const metric of metricNames(parsed)) {
        if (isKnownMetric(metric, known) || isRecordingRuleName(metric)) continue;
        const guess = closest(metric, candidates);
        out.push(
          findingAt(
            ctx,
            this,
            ['spec', 'signals', name, 'expr'],
            `signal \`${name}\` reads \`${metric}\`, which is not in the ${ctx.model.engine} signal library or the migration_* metric contract${guess ? ` (did you mean \`${guess}\`?)` : ''}`,
            "check the name on the exporter's /metrics page: an unknown name returns no data and leaves the gate unknown (= pause)",
          ),
        );
      }
    }
    return out;
  },
};
